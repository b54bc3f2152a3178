"""The agent's availability switch in the console header (online, away, offline).

Automatic assignment gives conversations to online agents only; an agent
without any request for AGENT_IDLE_OFFLINE_MINUTES goes offline by itself.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts.agents import agent_update
from accounts.models import Availability
from accounts.selectors import agent_for_user

# Marked here, translated when shown.
CONFIRMATIONS = {
    Availability.ONLINE: gettext_noop("You are online: conversations can be assigned to you."),
    Availability.AWAY: gettext_noop("You are away: no new conversations are assigned to you."),
    Availability.OFFLINE: gettext_noop(
        "You are offline: no new conversations are assigned to you."
    ),
}


def availability_context(request) -> dict | None:
    """What the header's switch shows, or None for someone who is not an agent."""
    agent = agent_for_user(getattr(request, "user", None))
    if agent is None:
        return None
    return {"current": agent.availability, "choices": Availability.choices}


@require_POST
def availability_set(request):
    back = request.POST.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/admin/"
    agent = agent_for_user(request.user)
    value = request.POST.get("availability", "")
    if agent is None or value not in Availability.values:
        messages.error(request, _("Choose online, away or offline."))
        return redirect(back)
    agent_update(agent=agent, availability=value)
    messages.success(request, _(CONFIRMATIONS[value]))
    return redirect(back)
