import pytest

from app.domain.identifiers import IdentifierError, check_naf, check_siren, check_siret


@pytest.mark.parametrize(
    ("value", "compact", "error"),
    [
        ("73282932000074", "73282932000074", None),
        ("732 829 320 00074", "73282932000074", None),
        ("10250000600014", "10250000600014", None),
        ("73282932000075", "73282932000075", IdentifierError.BAD_CHECKSUM),
        ("7328293200007", "7328293200007", IdentifierError.BAD_LENGTH),
        ("7328293200007A", "7328293200007A", IdentifierError.NOT_DIGITS),
        ("", "", IdentifierError.EMPTY),
    ],
)
def test_siret_is_compacted_and_luhn_checked(value, compact, error):
    assert check_siret(value) == (compact, error)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("732829320", None),
        ("732829321", IdentifierError.BAD_CHECKSUM),
        ("73282932", IdentifierError.BAD_LENGTH),
    ],
)
def test_siren(value, error):
    assert check_siren(value)[1] is error


@pytest.mark.parametrize(
    ("value", "compact", "error"),
    [
        ("8621Z", "8621Z", None),
        ("86.21z", "8621Z", None),
        ("862Z", "862Z", IdentifierError.BAD_FORMAT),
        ("86210", "86210", IdentifierError.BAD_FORMAT),
        ("", "", IdentifierError.EMPTY),
    ],
)
def test_naf_code(value, compact, error):
    assert check_naf(value) == (compact, error)
