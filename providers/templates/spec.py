"""What a template needs, whether a send gives it, and the body Meta expects.

A template's components (``HEADER``, ``BODY``, ``FOOTER``, ``BUTTONS``) name
their variables as ``{{1}}`` (``parameter_format`` POSITIONAL) or
``{{first_name}}`` (NAMED). A send gives
``{"header": {...}|null, "body": [..] | {name: value}, "buttons": [{index, subType, parameters}]}``;
``template_check`` refuses anything else with the expected list, and
``template_components`` / ``template_render`` give Meta's ``components`` and
the text the customer reads.
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MEDIA_HEADERS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}
# Meta refuses a parameter with a newline, a tab or more than four spaces in a row (132018).
_BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")
MAX_PARAMETER_LENGTH = 1024
# Buttons whose parameters a send gives: sub_type in Meta's send body, and
# whether the template needs it (a quick reply's payload is optional).
_BUTTON_SUBTYPES = {"URL": "url", "COPY_CODE": "copy_code", "QUICK_REPLY": "quick_reply"}


@dataclass
class TemplateProblems(Exception):
    """The parameters do not fit the template; ``problems`` say where."""

    problems: list[str] = field(default_factory=list)


def _component(components: list[dict], kind: str) -> dict | None:
    for component in components or []:
        if isinstance(component, dict) and str(component.get("type", "")).upper() == kind:
            return component
    return None


def _variables(text: str) -> list[str]:
    names: list[str] = []
    for name in VARIABLE.findall(text or ""):
        if name not in names:
            names.append(name)
    return names


def template_parameters(components: list[dict]) -> dict:
    """What each component needs: the API's ``parameters`` of a template.

    ``{"header": {"format", "variables"} | None, "body": {"variables"},
    "buttons": [{"index", "subType", "text", "variables", "required"}]}``.
    """
    header = _component(components, "HEADER")
    header_spec = None
    if header is not None:
        fmt = str(header.get("format") or "TEXT").upper()
        header_spec = {
            "format": fmt,
            "variables": _variables(header.get("text", "")) if fmt == "TEXT" else [],
        }
    body = _component(components, "BODY") or {}
    buttons = []
    for index, button in enumerate((_component(components, "BUTTONS") or {}).get("buttons") or []):
        kind = str(button.get("type") or "").upper()
        sub_type = _BUTTON_SUBTYPES.get(kind)
        if sub_type is None:
            continue
        if kind == "URL":
            variables = _variables(button.get("url", ""))
            if not variables:
                continue  # a fixed URL takes no parameter
        else:
            variables = ["payload"] if kind == "QUICK_REPLY" else ["code"]
        buttons.append(
            {
                "index": index,
                "subType": sub_type,
                "text": str(button.get("text") or ""),
                "variables": variables,
                "required": kind != "QUICK_REPLY",
            }
        )
    return {
        "header": header_spec,
        "body": {"variables": _variables(body.get("text", ""))},
        "buttons": buttons,
    }


def _text_value(value: Any, where: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: a non-empty string.")
        return ""
    if len(value) > MAX_PARAMETER_LENGTH or _BAD_PARAMETER.search(value):
        problems.append(
            f"{where}: at most {MAX_PARAMETER_LENGTH} characters, no newline, tab "
            "or more than four spaces in a row."
        )
    return value


def _values(
    given: Any, names: list[str], *, named: bool, where: str, problems: list[str]
) -> dict[str, str]:
    """Positional templates take a list, named ones an object; both become name → value."""
    if not names:
        if given not in (None, [], {}):
            problems.append(f"{where}: this template takes no variables here.")
        return {}
    if named:
        if not isinstance(given, dict) or set(given) != set(names):
            problems.append(f"{where}: an object with exactly {', '.join(names)}.")
            return {}
        return {n: _text_value(given[n], f"{where}.{n}", problems) for n in names}
    if not isinstance(given, list) or len(given) != len(names):
        problems.append(f"{where}: a list of {len(names)} value(s).")
        return {}
    return {
        n: _text_value(v, f"{where}[{i}]", problems)
        for i, (n, v) in enumerate(zip(names, given, strict=True))
    }


@dataclass(frozen=True)
class CheckedParameters:
    header_text: dict[str, str]
    header_media: dict | None
    body: dict[str, str]
    buttons: list[dict]  # {index, subType, value}


def template_check(
    *, components: list[dict], parameter_format: str, given: Any
) -> CheckedParameters:
    """The send's parameters against the template, or TemplateProblems."""
    named = (parameter_format or "").upper() == "NAMED"
    spec = template_parameters(components)
    problems: list[str] = []
    given = given if given is not None else {}
    if not isinstance(given, dict):
        raise TemplateProblems(["parameters: an object."])
    header_text: dict[str, str] = {}
    header_media = None
    header = spec["header"]
    header_given = given.get("header")
    if header is not None and header["format"] in MEDIA_HEADERS:
        link = header_given.get("link") if isinstance(header_given, dict) else None
        if not isinstance(link, str) or not link.startswith(("https://", "http://")):
            problems.append(
                f'header: {{"link": an http(s) URL}} of the {header["format"].lower()}.'
            )
        else:
            header_media = {"kind": MEDIA_HEADERS[header["format"]], "link": link}
            if isinstance(header_given.get("filename"), str):
                header_media["filename"] = header_given["filename"]
    elif header is not None and header["format"] == "LOCATION":
        # Meta wants the place's coordinates with every send; not offered here yet.
        problems.append("header: templates with a LOCATION header cannot be sent from Atende.")
    elif header is not None and header["variables"]:
        text = header_given.get("text") if isinstance(header_given, dict) else None
        header_text = _values(
            {header["variables"][0]: text} if named else [text],
            header["variables"],
            named=named,
            where="header",
            problems=problems,
        )
    elif header_given not in (None, {}):
        problems.append("header: this template takes no header parameter.")
    body = _values(
        given.get("body"), spec["body"]["variables"], named=named, where="body", problems=problems
    )
    buttons = _check_buttons(spec["buttons"], given.get("buttons"), problems)
    if problems:
        raise TemplateProblems(problems)
    return CheckedParameters(header_text, header_media, body, buttons)


def _check_buttons(expected: list[dict], given: Any, problems: list[str]) -> list[dict]:
    given = given if given is not None else []
    if not isinstance(given, list) or not all(isinstance(b, dict) for b in given):
        problems.append("buttons: a list of {index, subType, parameters}.")
        return []
    by_index = {b.get("index"): b for b in given}
    if len(by_index) != len(given):
        problems.append("buttons: each index once.")
    known = {b["index"]: b for b in expected}
    checked = []
    for index in by_index:
        if index not in known:
            problems.append(f"buttons: no button {index!r} takes a parameter.")
    for spec in expected:
        button = by_index.get(spec["index"])
        where = f"buttons[{spec['index']}]"
        if button is None:
            if spec["required"]:
                problems.append(f"{where}: required ({spec['subType']}).")
            continue
        if button.get("subType", spec["subType"]) != spec["subType"]:
            problems.append(f"{where}.subType: {spec['subType']}.")
        values = button.get("parameters")
        if not isinstance(values, list) or len(values) != 1:
            problems.append(f"{where}.parameters: a list of 1 value.")
            continue
        value = _text_value(values[0], f"{where}.parameters[0]", problems)
        checked.append({"index": spec["index"], "subType": spec["subType"], "value": value})
    return checked


def _substitute(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def template_render(*, components: list[dict], checked: CheckedParameters) -> dict:
    """What the customer reads: ``{"header", "body", "footer", "buttons": [titles]}``."""
    header = _component(components, "HEADER") or {}
    buttons = (_component(components, "BUTTONS") or {}).get("buttons") or []
    return {
        "header": _substitute(header.get("text", ""), checked.header_text)
        if str(header.get("format") or "TEXT").upper() == "TEXT"
        else "",
        "headerMedia": checked.header_media,
        "body": _substitute((_component(components, "BODY") or {}).get("text", ""), checked.body),
        "footer": (_component(components, "FOOTER") or {}).get("text", ""),
        "buttons": [str(b.get("text") or "") for b in buttons if isinstance(b, dict)],
    }


def template_components(*, checked: CheckedParameters, named: bool) -> list[dict]:
    """Meta's ``template.components`` for the send body."""

    def text_parameters(values: dict[str, str]) -> list[dict]:
        return [
            {"type": "text", **({"parameter_name": name} if named else {}), "text": value}
            for name, value in values.items()
        ]

    components: list[dict] = []
    if checked.header_media:
        kind = checked.header_media["kind"]
        media = {"link": checked.header_media["link"]}
        if kind == "document" and checked.header_media.get("filename"):
            media["filename"] = checked.header_media["filename"]
        components.append({"type": "header", "parameters": [{"type": kind, kind: media}]})
    elif checked.header_text:
        components.append({"type": "header", "parameters": text_parameters(checked.header_text)})
    if checked.body:
        components.append({"type": "body", "parameters": text_parameters(checked.body)})
    for button in checked.buttons:
        if button["subType"] == "quick_reply":
            parameter = {"type": "payload", "payload": button["value"]}
        elif button["subType"] == "copy_code":
            parameter = {"type": "coupon_code", "coupon_code": button["value"]}
        else:
            parameter = {"type": "text", "text": button["value"]}
        components.append(
            {
                "type": "button",
                "sub_type": button["subType"],
                "index": str(button["index"]),
                "parameters": [parameter],
            }
        )
    return components
