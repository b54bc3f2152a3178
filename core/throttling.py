from rest_framework import throttling


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """Per API key, so one noisy integrator cannot starve the others."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        api_key = getattr(request, "auth", None)
        if api_key is None or not hasattr(api_key, "pk"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}
