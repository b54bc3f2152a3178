"""One pooled HTTP session per process and thread for outgoing calls.

Deliveries go to the same AI platform and gateway calls to the same few
gateways again and again: a fresh connection per request pays a TCP (and
TLS) handshake each time. Sessions are per thread (``requests.Session`` is
not documented as thread-safe) and per process (a forked worker must not
share its parent's sockets).

Cookies are never kept: one session serves every organization, and a
cookie a gateway sets for one instance must not travel with the next
organization's request to the same host.
"""

import os
import threading
from http.cookiejar import DefaultCookiePolicy

import requests

_local = threading.local()


def http_session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None or getattr(_local, "pid", None) != os.getpid():
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        _local.session, _local.pid = session, os.getpid()
    return session
