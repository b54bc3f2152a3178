"""Writes of the privacy app: erasure (``erasure``), the content blanking it
shares with retention (``content``), exports (``export``) and retention
(``retention``)."""
