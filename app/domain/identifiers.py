"""Company identifiers: SIRET, SIREN (Luhn key) and NAF/APE code.

Rules: shared/spec/domain-rules.md §3. The keys are checked by python-stdnum; this module maps its
outcome to our own error codes, which the forms translate.
"""

import enum
import re

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

NAF_PATTERN = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")


class IdentifierError(enum.Enum):
    EMPTY = "empty"
    BAD_LENGTH = "bad_length"
    NOT_DIGITS = "not_digits"
    BAD_CHECKSUM = "bad_checksum"
    BAD_FORMAT = "bad_format"


def _check(module, value: str, length: int) -> tuple[str, IdentifierError | None]:
    compact = module.compact(value or "")
    if not compact:
        return compact, IdentifierError.EMPTY
    if not compact.isdigit():
        return compact, IdentifierError.NOT_DIGITS
    if len(compact) != length:
        return compact, IdentifierError.BAD_LENGTH
    try:
        module.validate(compact)
    except stdnum_errors.InvalidChecksum:
        return compact, IdentifierError.BAD_CHECKSUM
    except stdnum_errors.ValidationError:
        return compact, IdentifierError.BAD_FORMAT
    return compact, None


def check_siret(value: str) -> tuple[str, IdentifierError | None]:
    """The SIRET without spaces, and the error found (None when valid)."""
    return _check(stdnum_siret, value, 14)


def check_siren(value: str) -> tuple[str, IdentifierError | None]:
    return _check(stdnum_siren, value, 9)


def check_naf(value: str) -> tuple[str, IdentifierError | None]:
    """NAF/APE code: 4 digits and a capital letter (`8621Z`); `86.21Z` is accepted too."""
    compact = (value or "").strip().upper().replace(" ", "")
    if not compact:
        return compact, IdentifierError.EMPTY
    if not NAF_PATTERN.match(compact):
        return compact, IdentifierError.BAD_FORMAT
    return compact.replace(".", ""), None


def siren_of(siret: str) -> str:
    return stdnum_siret.compact(siret)[:9]
