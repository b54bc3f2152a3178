"""Reads for this app (see STYLE.md)."""
