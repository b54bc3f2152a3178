"""The variables a canned response may use, checked when it is saved and
filled in when an agent inserts it.

Checking at save time means a typo (``{{contact.nome}}``) is a 400 for
whoever writes the response, never a broken message to a customer.
"""

from __future__ import annotations

import re

from contacts.phones import phone_display

VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

KNOWN_VARIABLES = (
    "contact.name",
    "contact.firstName",
    "contact.phone",
    "agent.name",
    "organization.name",
    "session.id",
)


def unknown_variables(content: str) -> list[str]:
    """The variable names in ``content`` that are not ``KNOWN_VARIABLES``, in order."""
    unknown = []
    for match in VARIABLE.finditer(content or ""):
        name = match.group(1)
        if name not in KNOWN_VARIABLES and name not in unknown:
            unknown.append(name)
    return unknown


def variable_values(*, session, agent_name: str) -> dict[str, str]:
    """Each variable's text for one session and the agent inserting it."""
    contact = session.contact
    name = (contact.name or "").strip()
    return {
        "contact.name": name,
        "contact.firstName": name.split()[0] if name else "",
        "contact.phone": phone_display(contact.phone or ""),
        "agent.name": agent_name,
        "organization.name": session.organization.name,
        "session.id": str(session.id),
    }


def fill_variables(content: str, values: dict[str, str]) -> str:
    """``content`` with every known variable replaced (unknown ones are kept
    as written: the save-time check means there are none)."""
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), content)
