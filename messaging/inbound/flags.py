"""This process's client for the inbox's short-lived flags in Redis: the
drains' wake-ups (``messaging.inbound.inbox``) and the door's position
(``messaging.inbound.door``). Django's cache stands in for Redis in the
embedded setup.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.cache import cache


class _CacheFlags:
    """The embedded setup (no Redis): the same operations on Django's cache."""

    def set(self, key, value, *, nx=False, ex=None):
        return cache.add(key, value, ex) if nx else cache.set(key, value, ex)

    def get(self, key):
        return cache.get(key)

    def exists(self, key):
        return cache.get(key) is not None

    def delete(self, key):
        cache.delete(key)


@functools.cache
def flags_client():
    """Redis, or Django's cache in the embedded setup.

    Not Django's cache when Redis is there: its Redis backend builds a new
    client per call, which costs more than the SET itself on the webhook's
    hot path.
    """
    if not settings.REDIS_URL:
        return _CacheFlags()
    import redis  # only where Redis is configured: the embedded setup has no client

    # Short timeouts: with Redis away the webhook still answers (the row is
    # stored; the sweeper queues it), a little later rather than never.
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=1)
