"""E-mail addresses, phone numbers, postal codes and towns (app.domain.contact_details; issue 9,
"Forms": `pas-un-email`, `eloise@`, `abc` and `8000` were accepted)."""

import pytest

from app.domain.contact_details import (
    ContactError,
    cedex_town,
    check_postal_code,
    city_key,
    is_france,
    match_city,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eloise@exemple.fr", ("eloise@exemple.fr", None)),
        (" Eloise@Exemple.FR ", ("Eloise@exemple.fr", None)),  # the domain in lower case
        ("contact@boulangerie-demo.example", ("contact@boulangerie-demo.example", None)),
        ("pas-un-email", ("pas-un-email", ContactError.BAD_EMAIL)),
        ("eloise@", ("eloise@", ContactError.BAD_EMAIL)),
        ("@exemple.fr", ("@exemple.fr", ContactError.BAD_EMAIL)),
        ("eloise@exemple", ("eloise@exemple", ContactError.BAD_EMAIL)),
        ("eloise martin@exemple.fr", ("eloise martin@exemple.fr", ContactError.BAD_EMAIL)),
        ("a@b..fr", ("a@b..fr", ContactError.BAD_EMAIL)),
        ("x" * 250 + "@a.fr", ("x" * 250 + "@a.fr", ContactError.BAD_EMAIL)),
        ("", ("", ContactError.BAD_EMAIL)),
    ],
)
def test_normalise_email(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0322334455", "03 22 33 44 55"),
        ("03 22 33 44 55", "03 22 33 44 55"),
        ("03.22.33.44.55", "03 22 33 44 55"),
        ("03-22-33-44-55", "03 22 33 44 55"),
        ("+33 3 22 33 44 55", "03 22 33 44 55"),
        ("+33322334455", "03 22 33 44 55"),
        ("0033 3 22 33 44 55", "03 22 33 44 55"),
        ("+33 (0)3 22 33 44 55", "03 22 33 44 55"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("0800 12 34 56", "0 800 12 34 56"),
        ("0262 21 23 45", "0262 21 23 45"),  # La Réunion, dialled from France
        ("+262 262 21 23 45", "0262 21 23 45"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),  # foreign: international format
        ("+1 650 253 0000", "+1 650-253-0000"),
    ],
)
def test_valid_phones_are_stored_in_one_format(text, expected):
    assert normalise_phone(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    ["abc", "032222222", "1234", "0322334455x", "03 22 33 44 55 ext 2", "+33 2 62 21 23 45", ""],
)
def test_invalid_phones_are_refused(text):
    assert normalise_phone(text)[1] is ContactError.BAD_PHONE


def test_a_long_foreign_number_fits_the_column():
    value, error = normalise_phone("+49 30 123456789012")
    assert error is None and len(value) <= 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80000", ("80000", None)),
        (" 80 000 ", ("80000", None)),
        ("8000", ("8000", ContactError.BAD_POSTAL_CODE)),
        ("800000", ("800000", ContactError.BAD_POSTAL_CODE)),
        ("8000A", ("8000A", ContactError.BAD_POSTAL_CODE)),
        ("８００００", ("８００００", ContactError.BAD_POSTAL_CODE)),  # full-width digits
        ("", ("", ContactError.BAD_POSTAL_CODE)),
    ],
)
def test_check_postal_code(text, expected):
    assert check_postal_code(text) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Saint-Étienne", "ST ETIENNE"),
        ("Sainte-Foy-lès-Lyon", "STE FOY LES LYON"),
        ("L'Abergement-Clémenciat", "L ABERGEMENT CLEMENCIAT"),
        ("  amiens ", "AMIENS"),
        ("Œuilly", "OEUILLY"),
    ],
)
def test_city_key_writes_names_as_la_poste(name, key):
    assert city_key(name) == key


def test_match_city_finds_the_commune_as_la_poste_writes_it():
    communes = ["ARGOULES", "NAMPONT", "NAMPONT ST MARTIN", "RUE"]
    assert match_city("Nampont-Saint-Martin", communes) == "NAMPONT ST MARTIN"
    assert match_city("rue", communes) == "RUE"
    assert match_city("Amiens", communes) is None
    assert match_city("", communes) is None


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("France", True),
        ("FRANCE", True),
        ("", True),
        (None, True),
        ("fr", True),
        ("Belgique", False),
    ],
)
def test_is_france(country, expected):
    assert is_france(country) is expected


@pytest.mark.parametrize(
    ("city", "town"),
    [("AMIENS CEDEX 1", "AMIENS"), ("Péronne Cedex", "PERONNE"),
     ("Saint-Quentin cedex 12", "ST QUENTIN"), ("AMIENS", None), ("CEDEX", None),
     ("AMIENS CEDEX 123", None), ("", None)],
)  # fmt: skip
def test_cedex_town(city, town):
    assert cedex_town(city) == town
