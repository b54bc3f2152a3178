"""What templates and interactive messages look like at the adapter boundary.

Reply buttons and lists (``OutboundInteractive``), a template send
(``OutboundTemplate``) and a template as a gateway lists it
(``SyncedTemplate``); ``providers.base.GatewayAdapter`` sends and lists them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InteractiveOption:
    id: str
    title: str
    description: str = ""
    section: str = ""  # the list section it belongs to (lists only)


@dataclass(frozen=True)
class OutboundInteractive:
    """Reply buttons or a list, already checked against WhatsApp's limits."""

    kind: str  # buttons | list
    body: str
    options: tuple[InteractiveOption, ...]
    header: str = ""
    footer: str = ""
    list_button: str = ""  # the list's opening button


@dataclass(frozen=True)
class OutboundTemplate:
    """A template send: ``components`` is the Cloud API ``template.components`` list."""

    name: str
    language: str
    components: tuple[dict, ...] = ()


@dataclass(frozen=True)
class SyncedTemplate:
    """One message template as the gateway lists it."""

    template_id: str
    name: str
    language: str
    status: str
    category: str = ""
    parameter_format: str = "POSITIONAL"
    components: tuple[dict, ...] = ()
