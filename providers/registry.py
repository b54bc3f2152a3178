"""provider slug → adapter class. Adding a gateway = one package + one line here."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from providers.base import GatewayAdapter

if TYPE_CHECKING:
    from providers.models import Instance

ADAPTERS: dict[str, str] = {
    "sandbox": "providers.sandbox.adapter.SandboxAdapter",
    "evolution": "providers.evolution.adapter.EvolutionAdapter",
    "uazapi": "providers.uazapi.adapter.UazapiAdapter",
    "baileys": "providers.baileys.adapter.BaileysAdapter",
    "cloudapi": "providers.cloudapi.adapter.CloudApiAdapter",
}


def provider_slugs() -> list[str]:
    """Every gateway Atende speaks, by slug."""
    return list(ADAPTERS)


def provider_choices() -> list[tuple[str, str]]:
    """(slug, name) of every gateway: the choices of ``Instance.provider``.
    A callable, so a new gateway needs no migration."""
    return [(slug, adapter_class(slug).label) for slug in ADAPTERS]


def adapter_class(provider: str) -> type[GatewayAdapter]:
    try:
        module_path, _, name = ADAPTERS[provider].rpartition(".")
    except KeyError:
        raise LookupError(f"Unknown provider {provider!r}") from None
    return getattr(import_module(module_path), name)


def get_adapter(instance: Instance) -> GatewayAdapter:
    return adapter_class(instance.provider)(instance)
