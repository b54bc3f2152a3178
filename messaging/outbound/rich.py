"""Templates and interactive messages on their way out: checked, rendered, remembered.

- ``template_prepare``: a TEMPLATE send against the instance's synced
  template (422 ``template_not_found`` / ``template_not_approved`` /
  ``template_parameters`` with the expected list), before anything is
  stored or sent; the stored text is the rendered body.
- ``interactive_prepare``: reply buttons or a list against WhatsApp's
  limits (400 ``validation_error`` naming the field). A gateway without
  native buttons gets the numbered text (``fallback_text``) instead, and its
  options are remembered so "2", "dois" or the title read as a reply
  (``messaging.inbound.replies``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.errors import DomainError, ValidationError
from providers.models import Instance
from providers.registry import adapter_class
from providers.rich import InteractiveOption, OutboundInteractive
from providers.selectors import template_for_send
from providers.templates.spec import (
    TemplateProblems,
    template_check,
    template_components,
    template_parameters,
    template_render,
)
from providers.templates.sync import templates_check_supported

# WhatsApp's limits (Cloud API reference; the other gateways pass them on).
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_ROWS = 10
MAX_SECTIONS = 10
MAX_ROW_TITLE = 24
MAX_ROW_ID = 200
MAX_ROW_DESCRIPTION = 72
MAX_BUTTONS_BODY = 1024
MAX_LIST_BODY = 4096
MAX_HEADER = 60
MAX_FOOTER = 60
MAX_LIST_BUTTON = 20


class TemplateRefused(DomainError):
    status = 422


@dataclass(frozen=True)
class RichContent:
    """What a TEMPLATE or INTERACTIVE message stores: its kind, text and payload."""

    kind: str
    text: str
    payload: dict = field(default_factory=dict)
    # A TEMPLATE may be sent outside the Cloud API's 24-hour window.
    allowed_outside_window: bool = False


# --- templates -------------------------------------------------------------------


def template_prepare(*, instance: Instance, template: dict) -> RichContent:
    templates_check_supported(instance)
    name, language = template.get("name"), template.get("language")
    found = template_for_send(instance=instance, name=name, language=language)
    if found is None:
        raise TemplateRefused(
            _("No template %(name)s in %(language)s on this instance (sync the templates?).")
            % {"name": name, "language": language},
            code="template_not_found",
            details={"name": name, "language": language},
        )
    if not found.is_sendable:
        raise TemplateRefused(
            _("The template is %(status)s; only APPROVED templates can be sent.")
            % {"status": found.status},
            code="template_not_approved",
            details={"name": name, "language": language, "status": found.status},
        )
    try:
        checked = template_check(
            components=found.components,
            parameter_format=found.parameter_format,
            given=template.get("parameters"),
        )
    except TemplateProblems as exc:
        raise TemplateRefused(
            _("The parameters do not fit the template."),
            code="template_parameters",
            details={"expected": template_parameters(found.components), "problems": exc.problems},
        ) from None
    rendered = template_render(components=found.components, checked=checked)
    components = template_components(
        checked=checked, named=found.parameter_format.upper() == "NAMED"
    )
    payload = {
        "template": {
            "name": found.name,
            "language": found.language,
            "category": found.category,
            "components": components,
            "rendered": rendered,
        }
    }
    return RichContent(
        kind="template", text=rendered["body"], payload=payload, allowed_outside_window=True
    )


# --- interactive -----------------------------------------------------------------


def _text(value, path: str, limit: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _invalid(path, "Required: a non-empty string.")
    if len(value) > limit:
        raise _invalid(path, f"At most {limit} characters.")
    return value


def _invalid(path: str, problem: str) -> ValidationError:
    return ValidationError(
        _("The interactive message breaks a WhatsApp limit."),
        details={f"content.interactive.{path}": [problem]},
    )


def _options_buttons(data: dict) -> list[InteractiveOption]:
    buttons = data.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise _invalid("buttons", f"Between 1 and {MAX_BUTTONS} buttons.")
    options = []
    for i, button in enumerate(buttons):
        if not isinstance(button, dict):
            raise _invalid(f"buttons[{i}]", "An object with id and title.")
        options.append(
            InteractiveOption(
                id=_text(button.get("id"), f"buttons[{i}].id", MAX_BUTTON_ID),
                title=_text(button.get("title"), f"buttons[{i}].title", MAX_BUTTON_TITLE),
            )
        )
    return options


def _options_list(data: dict) -> tuple[str, list[InteractiveOption]]:
    spec = data.get("list")
    if not isinstance(spec, dict):
        raise _invalid("list", "An object with button and sections.")
    button = _text(spec.get("button"), "list.button", MAX_LIST_BUTTON)
    sections = spec.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= MAX_SECTIONS:
        raise _invalid("list.sections", f"Between 1 and {MAX_SECTIONS} sections.")
    options: list[InteractiveOption] = []
    for s, section in enumerate(sections):
        where = f"list.sections[{s}]"
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            raise _invalid(where, "An object with title and rows.")
        # WhatsApp needs a title on every section of a list that has several.
        title = _text(
            section.get("title"), f"{where}.title", MAX_ROW_TITLE, required=len(sections) > 1
        )
        if not section["rows"]:
            raise _invalid(f"{where}.rows", "At least one row.")
        for r, row in enumerate(section["rows"]):
            at = f"{where}.rows[{r}]"
            if not isinstance(row, dict):
                raise _invalid(at, "An object with id and title.")
            options.append(
                InteractiveOption(
                    id=_text(row.get("id"), f"{at}.id", MAX_ROW_ID),
                    title=_text(row.get("title"), f"{at}.title", MAX_ROW_TITLE),
                    description=_text(
                        row.get("description"),
                        f"{at}.description",
                        MAX_ROW_DESCRIPTION,
                        required=False,
                    ),
                    section=title,
                )
            )
    if len(options) > MAX_ROWS:
        raise _invalid("list.sections", f"At most {MAX_ROWS} rows in total.")
    return button, options


def interactive_check(data) -> OutboundInteractive:
    """``content.interactive`` against WhatsApp's limits; 400 naming the field."""
    if not isinstance(data, dict):
        raise _invalid("kind", "Give content.interactive.")
    kind = data.get("kind")
    if kind not in ("buttons", "list"):
        raise _invalid("kind", "One of: buttons, list.")
    body_limit = MAX_BUTTONS_BODY if kind == "buttons" else MAX_LIST_BODY
    body = _text(data.get("body"), "body", body_limit)
    header = _text(data.get("header"), "header", MAX_HEADER, required=False)
    footer = _text(data.get("footer"), "footer", MAX_FOOTER, required=False)
    list_button = ""
    if kind == "buttons":
        options = _options_buttons(data)
    else:
        list_button, options = _options_list(data)
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        raise _invalid("buttons" if kind == "buttons" else "list.sections", "Ids must be unique.")
    return OutboundInteractive(
        kind=kind,
        body=body,
        options=tuple(options),
        header=header,
        footer=footer,
        list_button=list_button,
    )


def fallback_text(interactive: OutboundInteractive) -> str:
    """The numbered text a gateway without buttons sends: "1 - Segunda via"."""
    lines = (
        [interactive.header, interactive.body, ""] if interactive.header else [interactive.body, ""]
    )
    lines += [f"{n} - {option.title}" for n, option in enumerate(interactive.options, start=1)]
    if interactive.footer:
        lines += ["", interactive.footer]
    return "\n".join(lines)


def interactive_payload(interactive: OutboundInteractive) -> dict:
    return {
        "kind": interactive.kind,
        "body": interactive.body,
        "header": interactive.header,
        "footer": interactive.footer,
        "button": interactive.list_button,
        "options": [
            {"id": o.id, "title": o.title, "description": o.description, "section": o.section}
            for o in interactive.options
        ],
    }


def interactive_from_payload(payload: dict) -> OutboundInteractive:
    data = payload["interactive"]
    return OutboundInteractive(
        kind=data["kind"],
        body=data["body"],
        header=data.get("header") or "",
        footer=data.get("footer") or "",
        list_button=data.get("button") or "",
        options=tuple(
            InteractiveOption(
                id=o["id"],
                title=o["title"],
                description=o.get("description") or "",
                section=o.get("section") or "",
            )
            for o in data["options"]
        ),
    )


def interactive_prepare(*, instance: Instance, interactive: OutboundInteractive) -> RichContent:
    """Native buttons where the gateway sends them, else the numbered text (``fallback``)."""
    try:
        native = adapter_class(instance.provider).sends_interactive()
    except LookupError:
        native = False
    payload = {"interactive": interactive_payload(interactive), "fallback": not native}
    text = interactive.body if native else fallback_text(interactive)
    return RichContent(kind="interactive", text=text, payload=payload)
