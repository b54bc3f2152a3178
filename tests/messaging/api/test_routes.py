"""Every /api/v1/sessions… route is declared in one place."""

from django.urls import URLPattern, URLResolver, get_resolver


def _routes(patterns, prefix="", module=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.urlconf_name
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), getattr(module, "__name__", module)


def test_every_sessions_route_comes_from_messaging_api_urls():
    sessions = {
        route: module
        for route, module in _routes(get_resolver().url_patterns)
        if route.startswith("api/v1/sessions")
    }
    assert len(sessions) == 12
    assert set(sessions.values()) == {"messaging.api.urls"}
