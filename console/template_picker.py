"""The template picker of a Cloud API conversation whose 24-hour window closed.

``template_picker_context`` says whether the window is closed and offers the
instance's approved templates, each variable a field (the contact's first
name already in a variable that asks for a name, or in ``{{1}}``).
``template_send`` reads the picker's form into the API's ``parameters`` and
sends through ``messaging.outbound.rich.template_prepare`` and
``message_create_outbound``, as ``POST /messages`` does.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationError
from messaging.models import Author
from messaging.outbound.rich import template_prepare
from messaging.outbound.services import message_create_outbound
from providers.models import MessageTemplate, Provider, TemplateStatus
from providers.templates.spec import MEDIA_HEADERS, template_parameters
from sessions_app.models import ChatSession

_NAME_HINTS = ("name", "nome")


def window_is_closed(session: ChatSession) -> bool:
    """Cloud API only: nothing but a template reaches a customer silent for 24 hours."""
    if session.instance.provider != Provider.CLOUDAPI:
        return False
    expires = session.whatsapp_window_expires_at
    return expires is None or expires <= timezone.now()


def _prefill(variable: str, first_name: str, *, part: str = "body") -> str:
    # A body's {{1}} is almost always whom the message greets.
    if (part == "body" and variable == "1") or any(h in variable.lower() for h in _NAME_HINTS):
        return first_name
    return ""


def _component_text(components: list, kind: str) -> str:
    for component in components or []:
        if str(component.get("type", "")).upper() == kind:
            return component.get("text", "") or ""
    return ""


def template_picker_context(session: ChatSession) -> dict:
    if session.instance.provider != Provider.CLOUDAPI:
        return {"window_closed": False, "picker_templates": [], "picker_languages": []}
    first_name = (session.contact.name or "").split(" ")[0]
    templates = []
    for template in MessageTemplate.objects.filter(
        instance=session.instance, status=TemplateStatus.APPROVED
    ).order_by("name", "language"):
        needs = template_parameters(template.components)
        fields = []
        header = needs["header"]
        if header and header["format"] in MEDIA_HEADERS:
            fields.append({"name": "header_link", "label": _("Header file link"), "value": ""})
        elif header and header["variables"]:
            variable = header["variables"][0]
            fields.append(
                {
                    "name": "header_text",
                    "label": _("Header {{%(variable)s}}") % {"variable": variable},
                    "value": _prefill(variable, first_name, part="header"),
                    "variable": variable,
                    "part": "header",
                }
            )
        for variable in needs["body"]["variables"]:
            fields.append(
                {
                    "name": f"body_{variable}",
                    "label": "{{" + variable + "}}",
                    "value": _prefill(variable, first_name),
                    "variable": variable,
                    "part": "body",
                }
            )
        for button in needs["buttons"]:
            if button["required"]:
                fields.append(
                    {
                        "name": f"button_{button['index']}",
                        "label": _("Button “%(text)s”") % {"text": button["text"]},
                        "value": "",
                    }
                )
        templates.append(
            {
                "obj": template,
                "fields": fields,
                "header": _component_text(template.components, "HEADER"),
                "body": _component_text(template.components, "BODY"),
                "footer": _component_text(template.components, "FOOTER"),
            }
        )
    languages = sorted({t["obj"].language for t in templates})
    return {
        "window_closed": window_is_closed(session),
        "picker_templates": templates,
        "picker_languages": languages,
    }


def _parameters(template: MessageTemplate, form) -> dict:
    needs = template_parameters(template.components)
    named = template.parameter_format.upper() == "NAMED"
    values = [form.get(f"body_{v}", "").strip() for v in needs["body"]["variables"]]
    parameters: dict = {
        "body": dict(zip(needs["body"]["variables"], values, strict=True)) if named else values,
        "buttons": [
            {
                "index": b["index"],
                "subType": b["subType"],
                "parameters": [form.get(f"button_{b['index']}", "").strip()],
            }
            for b in needs["buttons"]
            if b["required"]
        ],
    }
    header = needs["header"]
    if header and header["format"] in MEDIA_HEADERS:
        parameters["header"] = {"link": form.get("header_link", "").strip()}
    elif header and header["variables"]:
        parameters["header"] = {"text": form.get("header_text", "").strip()}
    return parameters


def template_send(*, session: ChatSession, form, actor: str, user) -> bool:
    """Send the picked template as the agent; False when the same form was sent already."""
    template = MessageTemplate.objects.filter(
        instance=session.instance, pk=form.get("template") or None
    ).first()
    if template is None:
        raise ValidationError(_("Pick a template."))
    rich = template_prepare(
        instance=session.instance,
        template={
            "name": template.name,
            "language": template.language,
            "parameters": _parameters(template, form),
        },
    )
    key = (form.get("reply_key") or "").strip()
    _message, created = message_create_outbound(
        session=session,
        author=Author.AGENT,
        actor=actor,
        rich=rich,
        idempotency_key=f"console:{key}" if key else None,
        user=user,
    )
    return created
