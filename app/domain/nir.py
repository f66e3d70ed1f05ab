"""NIR (numéro d'inscription au répertoire, the N° de Sécurité Sociale) and NTT (numéro technique
temporaire, given to a worker who has no NIR yet).

Rules: shared/spec/domain-rules.md §3. NIR layout `S YY MM DD CCC OOO KK`: sex, year and month of
birth, département and commune (or country) of birth, order number, key. python-stdnum computes the
key (`KK = 97 - (N mod 97)`, 2A -> 19, 2B -> 18); the checks of each part are ours (INSEE rules:
fictitious months for an incomplete civil status, 2A/2B Corsica, 97/98 overseas, 99 born abroad).
Disagreements with the Sexe field or the date of birth are warnings, never errors.
"""

import enum
import re
from datetime import date

from stdnum.fr import nir as stdnum_nir

NIR_LENGTH = 15
NTT_MIN_LENGTH = 11
NTT_MAX_LENGTH = 40
MASK = "•"

_SEPARATORS = re.compile(r"[\s.\-]+")
_ALPHANUMERIC = re.compile(r"^[0-9A-Z]+$")
_SEX_DIGIT = {"M": "1", "F": "2"}
_GROUPS = ((0, 1), (1, 3), (3, 5), (5, 7), (7, 10), (10, 13), (13, 15))
# Sex, year, month and key stay visible; the place of birth and the order number are hidden.
_VISIBLE_GROUPS = frozenset({0, 1, 2, 6})


class NirError(enum.Enum):
    EMPTY = "empty"
    BAD_LENGTH = "bad_length"
    BAD_CHARACTERS = "bad_characters"
    BAD_SEX = "bad_sex"
    BAD_MONTH = "bad_month"
    BAD_DEPARTMENT = "bad_department"
    BAD_KEY = "bad_key"


class NirWarning(enum.Enum):
    SEX_MISMATCH = "sex_mismatch"
    BIRTH_MISMATCH = "birth_mismatch"


class NttError(enum.Enum):
    EMPTY = "empty"
    BAD_LENGTH = "bad_length"
    BAD_SEX = "bad_sex"
    BAD_SIREN = "bad_siren"


def compact_nir(value: str) -> str:
    """The NIR without spaces, dots or dashes, in capitals (`2a` -> `2A`)."""
    return _SEPARATORS.sub("", value or "").upper()


def is_real_month(month: str) -> bool:
    """01-12; 20-42 and 50-99 are fictitious months given when the civil status is incomplete."""
    return month.isdigit() and 1 <= int(month) <= 12


def _is_valid_month(month: str) -> bool:
    number = int(month)
    return 1 <= number <= 12 or 20 <= number <= 42 or 50 <= number <= 99


def _is_valid_department(department: str) -> bool:
    # 96 was never used; 97/98 are followed by a third digit (97x/98x) and a 2-digit commune.
    if department in ("2A", "2B"):
        return True
    return department.isdigit() and (1 <= int(department) <= 95 or int(department) in (97, 98, 99))


def _shape_error(nir: str) -> NirError | None:
    if not _ALPHANUMERIC.match(nir):
        return NirError.BAD_CHARACTERS
    if len(nir) != NIR_LENGTH:
        return NirError.BAD_LENGTH
    # Letters may only appear in the département (2A/2B); which letters is the département's check.
    if not (nir[:5] + nir[7:]).isdigit():
        return NirError.BAD_CHARACTERS
    return None


def check_nir(value: str) -> tuple[str, NirError | None]:
    """The compact NIR and the first error found (None when valid)."""
    nir = compact_nir(value)
    if not nir:
        return nir, NirError.EMPTY
    error = _shape_error(nir)
    if error is None and nir[0] not in "12":
        error = NirError.BAD_SEX
    elif error is None and not _is_valid_month(nir[3:5]):
        error = NirError.BAD_MONTH
    elif error is None and not _is_valid_department(nir[5:7]):
        error = NirError.BAD_DEPARTMENT
    elif error is None and stdnum_nir.calc_check_digits(nir) != nir[13:]:
        error = NirError.BAD_KEY
    return nir, error


def nir_warnings(nir: str, sex: str, birth_date: date | None) -> list[NirWarning]:
    """Disagreements of a NIR with the Sexe field ("M"/"F") and the date of birth.

    The year must match; the month only when it is a real month (fictitious ones never mismatch).
    A value too short to read gives no warning: check_nir reports it.
    """
    nir = compact_nir(nir)
    warnings = []
    expected_digit = _SEX_DIGIT.get((sex or "").upper())
    if nir and expected_digit and nir[0] in "12" and nir[0] != expected_digit:
        warnings.append(NirWarning.SEX_MISMATCH)
    if birth_date is not None and len(nir) >= 5 and nir[1:5].isdigit():
        year, month = int(nir[1:3]), nir[3:5]
        wrong_month = is_real_month(month) and int(month) != birth_date.month
        if year != birth_date.year % 100 or wrong_month:
            warnings.append(NirWarning.BIRTH_MISMATCH)
    return warnings


def format_nir(nir: str) -> str:
    """`2 95 10 99 126 111 93`; a value that is not 15 characters is returned compact."""
    nir = compact_nir(nir)
    if len(nir) != NIR_LENGTH:
        return nir
    return " ".join(nir[start:end] for start, end in _GROUPS)


def mask_nir(nir: str) -> str:
    """`2 95 10 •• ••• ••• 93`: sex, year, month and key only. Anything else is fully masked."""
    nir = compact_nir(nir)
    if len(nir) != NIR_LENGTH:
        return MASK * len(nir)
    return " ".join(
        nir[start:end] if index in _VISIBLE_GROUPS else MASK * (end - start)
        for index, (start, end) in enumerate(_GROUPS)
    )


def compact_ntt(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def check_ntt(value: str, sex: str | None, siren: str) -> tuple[str, NttError | None]:
    """The compact NTT and the first error found (None when valid).

    11 to 40 characters; the first is 1 or 2 and agrees with `sex` ("M" -> 1, "F" -> 2) when it is
    given; characters 2 to 10 are the employer's SIREN.
    """
    ntt = compact_ntt(value)
    if not ntt:
        return ntt, NttError.EMPTY
    if not NTT_MIN_LENGTH <= len(ntt) <= NTT_MAX_LENGTH:
        return ntt, NttError.BAD_LENGTH
    expected_digit = _SEX_DIGIT.get((sex or "").upper())
    if ntt[0] not in "12" or (expected_digit is not None and ntt[0] != expected_digit):
        return ntt, NttError.BAD_SEX
    if ntt[1:10] != re.sub(r"\s+", "", siren or ""):
        return ntt, NttError.BAD_SIREN
    return ntt, None
