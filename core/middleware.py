"""Request language for the REST API."""

from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


class ApiLanguageMiddleware:
    """The API's human-readable ``message`` follows ``Accept-Language``.

    Integrators that send none keep getting English, as before the console
    became Portuguese-first: LocaleMiddleware would otherwise fall back to
    LANGUAGE_CODE or to a console cookie. Codes and field names never change.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            # A console cookie is not an integrator's choice: only the header is.
            header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            language = _first_supported(parse_accept_lang_header(header)) or "en"
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _first_supported(accepted) -> str | None:
    for code, _quality in accepted:
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None
