"""The import template (issue 14): the columns of the import in French, one example row, and the
codes a row may use (risks, PCS-ESE), each list on a sheet of its own.

The first sheet is the one imported: a file filled in from this template and saved as is is read
back with every header matched. The example row is a made-up person whose NIR has a right key
(EXAMPLE_NIR, so that the import can tell a forgotten example row from a real employee).
"""

from collections.abc import Iterator, Sequence
from datetime import date

from app.domain.employee_import import COLUMNS, RISK_SEPARATOR
from app.exports.xlsx import xlsx_sheets_chunks

SHEET_TITLE = "Salariés"
RISKS_TITLE = "Codes risques"
PCS_TITLE = "Codes PCS-ESE"
CODE_HEADERS = ["Code", "Libellé"]
_EXAMPLE_RISKS = ("ECRAN", "BRUIT")  # preferred when the member's list has them
_EXAMPLE_PCS = "553c"  # Autres vendeurs non spécialisés


def _with_nir_key(first_13: str) -> str:
    """The NIR's key is 97 minus the first 13 digits modulo 97, on two digits."""
    return f"{first_13}{97 - int(first_13) % 97:02d}"


# A woman (2) born in April 1990 (90 04) in Paris (75 056), order number 123.
EXAMPLE_NIR = _with_nir_key("2900475056123")


def template_chunks(
    risks: Sequence[tuple[str, str]],
    pcs: Sequence[tuple[str, str]],
    siret: str | None = None,
) -> Iterator[bytes]:
    """The template workbook as chunks of bytes; `siret` fills the example row's establishment
    (the member's first one, say), left empty when None."""
    headers = [column.header for column in COLUMNS]
    return xlsx_sheets_chunks(
        [
            (SHEET_TITLE, headers, [example_row(risks, pcs, siret)]),
            (RISKS_TITLE, CODE_HEADERS, risks),
            (PCS_TITLE, CODE_HEADERS, pcs),
        ]
    )


def example_row(
    risks: Sequence[tuple[str, str]], pcs: Sequence[tuple[str, str]], siret: str | None
) -> list:
    """The example row, in the order of COLUMNS; codes are taken from the given lists so that
    the example passes the checks as it is."""
    values = {
        "last_name": "MARTIN",
        "first_name": "Julie",
        "sex": "F",
        "birth_date": date(1990, 4, 12),
        "nir": EXAMPLE_NIR,
        "siret": siret,
        "work_post": "Vendeur",
        "pcs_code": _example_pcs([code for code, _label in pcs]),
        "contract": "CDI",
        "hired_on": date(2020, 9, 1),
        "post_entry_on": date(2022, 1, 3),
        "apprentice": "non",
        "night_work": "non",
        "risks": RISK_SEPARATOR.join(_example_risks([code for code, _label in risks])),
    }
    return [values.get(column.key) for column in COLUMNS]


def _example_pcs(codes: list[str]) -> str | None:
    if _EXAMPLE_PCS in codes:
        return _EXAMPLE_PCS
    return codes[0] if codes else None


def _example_risks(codes: list[str]) -> list[str]:
    preferred = [code for code in _EXAMPLE_RISKS if code in codes]
    return preferred or codes[:2]
