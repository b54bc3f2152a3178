"""Phone numbers as WhatsApp knows them: E.164 digits without the '+'.

Brazil added a 9th digit to mobile numbers (2012–2016), but WhatsApp still
reports many accounts in the old 8-digit form (``553187654321``) while people
type the new one (``5531987654321``). Both must find the same contact, so we
store the 9-digit form and fold the 8-digit one into it.
"""

import functools
import re

import phonenumbers

WHATSAPP_SUFFIXES = ("@s.whatsapp.net", "@c.us", "@lid", "@g.us")
_NON_DIGITS = re.compile(r"\D+")


class InvalidPhone(ValueError):
    pass


def is_group(wa_id: str) -> bool:
    return wa_id.endswith("@g.us")


def strip_jid(value: str) -> str:
    """'5531987654321:12@s.whatsapp.net' → '5531987654321' (device suffix dropped)."""
    for suffix in WHATSAPP_SUFFIXES:
        if value.endswith(suffix):
            value = value[: -len(suffix)]
            break
    return value.split(":", 1)[0]


def normalize_phone(raw: str, default_region: str = "BR") -> str:
    """Any way a person or a gateway writes a number → canonical E.164 digits.

    Accepts '+55 (11) 98765-4321', '11987654321' (read in ``default_region``),
    '5511987654321', '551187654321' and WhatsApp JIDs. Raises InvalidPhone.
    """
    if not raw or not str(raw).strip():
        raise InvalidPhone("empty phone number")
    return _normalize(str(raw).strip(), default_region)


# Every webhook normalizes its sender, and customers come back: parsing with
# phonenumbers is the largest part of a webhook's parse. Invalid input raises
# and is not cached.
@functools.lru_cache(maxsize=8192)
def _normalize(raw: str, default_region: str) -> str:
    value = strip_jid(raw)
    if value.endswith("@lid") or "@" in value:
        raise InvalidPhone(f"{raw!r} is not a phone number")
    digits = _NON_DIGITS.sub("", value)
    if not digits:
        raise InvalidPhone(f"{raw!r} has no digits")
    explicit_plus = value.lstrip().startswith("+")
    # Gateways send full international digits; people type national ones.
    # A number valid as international wins; then the national reading; last,
    # any merely *possible* international number (thin metadata countries).
    candidates = [(f"+{digits}", None)]
    if not explicit_plus:
        candidates.append((digits, default_region))
    for strict in (True, False):
        for candidate, region in candidates:
            if not strict and region is not None:
                continue
            try:
                parsed = _with_brazilian_ninth_digit(phonenumbers.parse(candidate, region))
            except phonenumbers.NumberParseException:
                continue
            ok = (
                phonenumbers.is_valid_number(parsed)
                if strict
                else phonenumbers.is_possible_number(parsed)
            )
            if ok:
                return f"{parsed.country_code}{parsed.national_number}"
    raise InvalidPhone(f"{raw!r} is not a valid phone number")


def _with_brazilian_ninth_digit(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    if number.country_code != 55:
        return number
    national = str(number.national_number)
    # Area code (2 digits) + 8-digit subscriber starting 6-9 is an old-form
    # mobile; landlines start 2-5 and keep their 8 digits.
    if len(national) == 10 and national[2] in "6789":
        return phonenumbers.PhoneNumber(
            country_code=55, national_number=int(national[:2] + "9" + national[2:])
        )
    return number


def phone_display(phone: str) -> str:
    """A stored phone (E.164 digits, no "+") as people write it: +55 11 98765-4321.

    Anything phonenumbers cannot read (a short code, a LID) is shown as stored.
    """
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(f"+{phone}")
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_possible_number(number):
        return f"+{phone}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
