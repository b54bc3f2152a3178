import pytest

from messaging.csat.rating import csat_rating_parse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5", (5, "")),
        ("  4!  ", (4, "")),
        ("4/5", (4, "")),
        ("5 de 5", (5, "")),
        ("nota 3", (3, "")),
        ("3 estrelas", (3, "")),
        ("cinco", (5, "")),
        ("Uma", (1, "")),
        ("três.", (3, "")),
        ("dois", (2, "")),
        ("quatro", (4, "")),
        ("⭐⭐⭐⭐", (4, "")),
        ("⭐️⭐️⭐️ muito bom", (3, "muito bom")),
        ("5 - adorei o atendimento", (5, "adorei o atendimento")),
        ("4, demorou um pouco", (4, "demorou um pouco")),
        ("5\nmuito bom", (5, "muito bom")),
    ],
)
def test_a_rating_and_its_comment(text, expected):
    assert csat_rating_parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "oi", "6", "0", "10", "15", "5 minutos", "um momento", "⭐⭐⭐⭐⭐⭐", "Quero 2 pizzas"],
)
def test_anything_else_is_not_a_rating(text):
    assert csat_rating_parse(text) is None
