"""What else happens when a session is closed, registered by the apps above.

``session_close`` runs every registered callback in the close's own
transaction, with the closed session and who closed it. messaging registers
the satisfaction survey here (it sends a message, which the sessions layer
cannot import).
"""

from collections.abc import Callable

_ON_CLOSED: list[Callable] = []


def on_session_closed(callback: Callable) -> None:
    """Call ``callback(session=..., actor=...)`` after every close (once per callback)."""
    if callback not in _ON_CLOSED:
        _ON_CLOSED.append(callback)


def session_closed_notify(*, session, actor: str) -> None:
    for callback in _ON_CLOSED:
        callback(session=session, actor=actor)
