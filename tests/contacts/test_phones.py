import pytest

from contacts.phones import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("5531987654321", "5531987654321"),
        ("553187654321", "5531987654321"),  # old 8-digit mobile form
        ("+55 (11) 98765-4321", "5511987654321"),
        ("11987654321", "5511987654321"),  # national, organization's country
        ("5531987654321@s.whatsapp.net", "5531987654321"),
        ("553187654321:12@s.whatsapp.net", "5531987654321"),
        ("551132654321", "551132654321"),  # landline keeps 8 digits
        ("+1 415 555 2671", "14155552671"),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "123", "12345@lid", "120363@g.us"])
def test_invalid_phones_raise(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)
