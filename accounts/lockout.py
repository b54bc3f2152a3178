"""The address a console sign-in comes from, for django-axes' lock by address.

Behind a proxy ``REMOTE_ADDR`` is the proxy's: locking it would lock every
agent out after five mistakes by anyone. When the request comes from a
proxy of ``TRUSTED_PROXIES`` (the ``FORWARDED_ALLOW_IPS`` gunicorn also
believes), the address is the last one that proxy appended to
``X-Forwarded-For``; a client cannot forge it, since whatever it sent comes
before.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _trusted(address: str) -> bool:
    entries = tuple(settings.TRUSTED_PROXIES)
    if "*" in entries:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(entries))


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and _trusted(remote):
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return remote
