from datetime import date

import pytest

from app.domain.nir import (
    NirError,
    NirWarning,
    NttError,
    check_nir,
    check_ntt,
    format_nir,
    mask_nir,
    nir_warnings,
)


@pytest.mark.parametrize(
    ("value", "compact", "error"),
    [
        # the examples of domain-rules §3
        ("2 95 10 99 126 111 93", "295109912611193", None),
        ("295109912611199", "295109912611199", NirError.BAD_KEY),
        ("253072B07300470", "253072B07300470", None),
        ("253072A07300443", "253072A07300443", None),
        ("253072C07300443", "253072C07300443", NirError.BAD_DEPARTMENT),
        # separators, case, Corsica in lower case
        ("1.85.05.78.006.084.91", "185057800608491", None),
        ("1-85-05-78-006-084-91", "185057800608491", None),
        (" 1 85 05 78 006 084 91\t", "185057800608491", None),
        ("2 53 07 2b 073 004 70", "253072B07300470", None),
        # born in Corsica before 1976: département 20
        ("1 69 02 20 004 001 14", "169022000400114", None),
        # overseas 97x/98x (3-digit département, 2-digit commune), born abroad 99
        ("2 95 30 974 11 123 53", "295309741112353", None),
        ("2 85 04 985 05 005 17", "285049850500517", None),
        ("2 95 50 99 126 111 54", "295509912611154", None),
        # fictitious months (incomplete civil status)
        ("1 85 20 97 211 054 03", "185209721105403", None),
        ("1 85 42 98 761 002 79", "185429876100279", None),
        ("1 80 01 75 056 123 75", "180017505612375", None),
        ("2 90 13 20 123 456 33", "290132012345633", NirError.BAD_MONTH),
        ("2 90 45 20 123 456 60", "290452012345660", NirError.BAD_MONTH),
        ("2 90 00 20 123 456 19", "290002012345619", NirError.BAD_MONTH),
        # départements that do not exist
        ("1 85 10 96 123 456 71", "185109612345671", NirError.BAD_DEPARTMENT),
        ("1 85 10 00 123 456 44", "185100012345644", NirError.BAD_DEPARTMENT),
        ("1 85 10 AB 123 456 44", "18510AB12345644", NirError.BAD_DEPARTMENT),
        # sex digit
        ("3 85 10 75 123 456 53", "385107512345653", NirError.BAD_SEX),
        # shape
        ("", "", NirError.EMPTY),
        ("  . - ", "", NirError.EMPTY),
        ("18505780060849", "18505780060849", NirError.BAD_LENGTH),
        ("1850578006084911", "1850578006084911", NirError.BAD_LENGTH),
        ("1 85 05 78 006 084 9O", "18505780060849O", NirError.BAD_CHARACTERS),
        ("A85057800608491", "A85057800608491", NirError.BAD_CHARACTERS),
        ("185057800608491/", "185057800608491/", NirError.BAD_CHARACTERS),
        ("18505780060849é", "18505780060849É", NirError.BAD_CHARACTERS),
    ],
)
def test_nir_is_compacted_and_checked_part_by_part(value, compact, error):
    assert check_nir(value) == (compact, error)


def test_check_nir_accepts_none_as_empty():
    assert check_nir(None) == ("", NirError.EMPTY)


@pytest.mark.parametrize(
    ("nir", "sex", "birth_date", "warnings"),
    [
        ("185057800608491", "M", date(1985, 5, 12), []),
        ("185057800608491", "m", date(1985, 5, 12), []),
        ("185057800608491", "F", date(1985, 5, 12), [NirWarning.SEX_MISMATCH]),
        ("295109912611193", "M", date(1995, 10, 1), [NirWarning.SEX_MISMATCH]),
        ("295109912611193", "F", date(1995, 10, 1), []),
        ("185057800608491", "M", date(1986, 5, 12), [NirWarning.BIRTH_MISMATCH]),
        ("185057800608491", "M", date(1985, 6, 12), [NirWarning.BIRTH_MISMATCH]),
        # the year is only two digits: 1885 and 1985 both read 85
        ("185057800608491", "M", date(2085, 5, 12), []),
        (
            "185057800608491",
            "F",
            date(1984, 5, 12),
            [NirWarning.SEX_MISMATCH, NirWarning.BIRTH_MISMATCH],
        ),
        # fictitious months never disagree with the month of birth; the year still counts
        ("185209721105403", "M", date(1985, 3, 1), []),
        ("185429876100279", "M", date(1985, 12, 31), []),
        ("295509912611154", "F", date(1995, 7, 14), []),
        ("295509912611154", "F", date(1996, 7, 14), [NirWarning.BIRTH_MISMATCH]),
        # unknown date of birth or sex: nothing to compare
        ("185057800608491", "M", None, []),
        ("185057800608491", "", date(1985, 5, 12), []),
        ("185057800608491", None, date(1985, 5, 12), []),
        # formatted input; invalid sex digit or too short a value: check_nir reports those
        ("1 85 05 78 006 084 91", "M", date(1985, 5, 12), []),
        ("385107512345653", "M", date(1985, 10, 1), []),
        ("185", "F", date(1985, 5, 12), [NirWarning.SEX_MISMATCH]),
        ("", "F", date(1985, 5, 12), []),
    ],
)
def test_nir_warnings_compare_sex_and_birth(nir, sex, birth_date, warnings):
    assert nir_warnings(nir, sex, birth_date) == warnings


@pytest.mark.parametrize(
    ("nir", "formatted", "masked"),
    [
        ("295109912611193", "2 95 10 99 126 111 93", "2 95 10 •• ••• ••• 93"),
        ("2 95 10 99 126 111 93", "2 95 10 99 126 111 93", "2 95 10 •• ••• ••• 93"),
        ("253072B07300470", "2 53 07 2B 073 004 70", "2 53 07 •• ••• ••• 70"),
        ("253072a07300443", "2 53 07 2A 073 004 43", "2 53 07 •• ••• ••• 43"),
        ("295309741112353", "2 95 30 97 411 123 53", "2 95 30 •• ••• ••• 53"),
        # not a NIR: shown compact, or fully masked
        ("18505780060849", "18505780060849", "••••••••••••••"),
        ("", "", ""),
    ],
)
def test_nir_is_formatted_and_masked(nir, formatted, masked):
    assert format_nir(nir) == formatted
    assert mask_nir(nir) == masked


SIREN = "732829320"


@pytest.mark.parametrize(
    ("value", "sex", "siren", "compact", "error"),
    [
        ("17328293200001", "M", SIREN, "17328293200001", None),
        ("2 732 829 320 01", "F", SIREN, "273282932001", None),
        ("1732829320a", None, SIREN, "1732829320A", None),
        ("1732829320X", "", SIREN, "1732829320X", None),
        ("1" + SIREN + "X" * 30, "M", SIREN, "1" + SIREN + "X" * 30, None),
        ("1" + SIREN, "M", SIREN, "1" + SIREN, NttError.BAD_LENGTH),
        ("1" + SIREN + "X" * 31, "M", SIREN, "1" + SIREN + "X" * 31, NttError.BAD_LENGTH),
        ("", "M", SIREN, "", NttError.EMPTY),
        ("   ", "M", SIREN, "", NttError.EMPTY),
        ("37328293200001", None, SIREN, "37328293200001", NttError.BAD_SEX),
        ("17328293200001", "F", SIREN, "17328293200001", NttError.BAD_SEX),
        ("27328293200001", "M", SIREN, "27328293200001", NttError.BAD_SEX),
        ("17328293210001", "M", SIREN, "17328293210001", NttError.BAD_SIREN),
        ("1732829320001", "M", "732 829 320", "1732829320001", None),
        ("1732829320001", "M", "", "1732829320001", NttError.BAD_SIREN),
    ],
)
def test_ntt_is_checked_against_sex_and_siren(value, sex, siren, compact, error):
    assert check_ntt(value, sex, siren) == (compact, error)
