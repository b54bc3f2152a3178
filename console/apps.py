from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The agents' console in the Django admin: the session list and the
    conversation page, the contact page with its sessions, the message list,
    their template tags, templates and static files. No models of its own:
    it sits above messaging and registers the admins it extends."""

    name = "console"
    verbose_name = _("Console")
