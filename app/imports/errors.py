"""The rows of an import left out for their errors, handed back as a workbook to fix and import
again (issue 14): the file's own columns and cells, then a last column "Erreurs" saying what is
wrong in French.

The "Erreurs" column is not a field of the import: imported again, it is reported as an unknown
column and ignored. A file that already has one (the errors of an earlier try, imported again
and still in error) gets the new errors in its place rather than a second such column.
"""

from collections.abc import Iterable, Iterator, Sequence

from app.domain.employee_import import normalise_header
from app.exports.xlsx import xlsx_chunks

SHEET_TITLE = "Salariés en erreur"
ERRORS_HEADER = "Erreurs"


def error_sheet_chunks(
    headers: Sequence[str], rows: Iterable[tuple[Sequence, str]]
) -> Iterator[bytes]:
    """Each row as (its cells as read, in the order of `headers`; the text of its errors)."""
    kept = [
        index
        for index, header in enumerate(headers)
        if normalise_header(header) != normalise_header(ERRORS_HEADER)
    ]

    def lines() -> Iterator[list]:
        for cells, errors in rows:
            padded = list(cells) + [None] * (len(headers) - len(cells))
            yield [padded[index] for index in kept] + [errors]

    return xlsx_chunks(SHEET_TITLE, [headers[index] for index in kept] + [ERRORS_HEADER], lines())
