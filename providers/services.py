"""Writes for this app (see STYLE.md)."""
