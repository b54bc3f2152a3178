"""Fixture replay helpers: every fixture of a gateway, parsed to exact normalized events."""

import json
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "providers"


def fixture_dir(provider: str) -> Path:
    return ROOT / provider / "fixtures"


def fixture_names(provider: str) -> set[str]:
    return {path.stem for path in fixture_dir(provider).glob("*.json")}


def load_fixture(provider: str, name: str) -> dict:
    return json.loads((fixture_dir(provider) / f"{name}.json").read_text())


def fixture_bytes(provider: str, name: str) -> bytes:
    return (fixture_dir(provider) / f"{name}.json").read_bytes()


def without_raw(events: list) -> list:
    """The raw payload is stored as is; everything else is asserted exactly."""
    return [replace(e, raw={}) if hasattr(e, "raw") else e for e in events]
