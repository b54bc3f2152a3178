from django.contrib.auth.models import Permission

# What an agent may do in the admin. Scoping to their organization is the
# admin classes' job (accounts.admin_scope); this only opens the doors.
AGENT_PERMISSIONS = {
    "contacts": {"contact": "vcd", "tabulation": "vacd", "contacttabulation": "vacd"},
    "sessions_app": {"chatsession": "vc", "sessiontabulation": "vacd"},
    "messaging": {"message": "v", "turn": "v"},
    "providers": {"instance": "vc", "sandboxoutboxmessage": "v", "messagetemplate": "v"},
    "integrations": {"integration": "v", "delivery": "v", "deliveryattempt": "v"},
    "accounts": {"department": "v", "agent": "v"},
    "canned": {"cannedresponse": "vacd"},
    "assistant": {"assistant": "v", "assistantrun": "v", "knowledgedocument": "v"},
    "privacy": {"erasure": "v"},
}
_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def grant_agent_permissions(user) -> None:
    codenames = [
        (app, f"{_ACTIONS[letter]}_{model}")
        for app, models in AGENT_PERMISSIONS.items()
        for model, letters in models.items()
        for letter in letters
    ]
    perms = Permission.objects.filter(
        content_type__app_label__in=AGENT_PERMISSIONS.keys(),
        codename__in=[codename for _, codename in codenames],
    )
    user.user_permissions.add(*perms)
