"""What every import file becomes: a header row, then numbered rows of plain values.

`Sheet` holds what the two formats share (finding the header, skipping empty rows, counting the
rows against the limit); `XlsxSheet` and `CsvSheet` only say how to read their raw rows. A file
that cannot be imported as a whole raises `ImportFileError`, whose message is French because it is
shown as is to the user and kept in the import's report, like the outcome strings of jobs.
"""

import enum
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, time

from babel.numbers import format_decimal


class Refusal(enum.StrEnum):
    EMPTY_FILE = "empty_file"
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    PROTECTED_OR_XLS = "protected_or_xls"
    CORRUPT_XLSX = "corrupt_xlsx"
    CORRUPT_CSV = "corrupt_csv"
    NO_ROWS = "no_rows"
    TOO_MANY_ROWS = "too_many_rows"
    MERGED_CELLS = "merged_cells"
    FORMULA = "formula"


MESSAGES = {
    Refusal.EMPTY_FILE: "Le fichier est vide.",
    Refusal.NOT_A_SPREADSHEET: (
        "Ce fichier n'est pas un classeur Excel (.xlsx) ni un fichier CSV{kind} : "
        "enregistrez la liste des salariés au format .xlsx ou .csv puis importez-la."
    ),
    Refusal.PROTECTED_OR_XLS: (
        "Ce classeur est protégé par un mot de passe ou au format Excel 97-2003 (.xls) : "
        "enregistrez-le en .xlsx sans mot de passe puis importez-le à nouveau."
    ),
    Refusal.CORRUPT_XLSX: (
        "Ce classeur Excel est endommagé ou incomplet et ne peut pas être lu : ouvrez-le dans "
        "Excel, enregistrez-le à nouveau en .xlsx puis importez-le."
    ),
    Refusal.CORRUPT_CSV: (
        "Le fichier CSV est mal formé à la ligne {line} (un guillemet n'est sans doute pas "
        "refermé) : corrigez-le ou enregistrez-le à nouveau depuis votre tableur."
    ),
    Refusal.NO_ROWS: (
        "Le fichier ne contient aucune ligne de salarié : la première ligne doit porter les "
        "en-têtes des colonnes, et les suivantes un salarié chacune."
    ),
    Refusal.TOO_MANY_ROWS: (
        "Le fichier compte plus de {limit} lignes de salariés : découpez-le en plusieurs "
        "fichiers d'au plus {limit} lignes et importez-les l'un après l'autre."
    ),
    Refusal.MERGED_CELLS: (
        "Le fichier contient des cellules fusionnées ({range}) : défusionnez-les puis importez "
        "à nouveau."
    ),
    Refusal.FORMULA: (
        "La cellule {cell} contient une formule : remplacez les formules par leurs valeurs "
        "(Copier, puis Collage spécial › Valeurs) et importez à nouveau."
    ),
}


class ImportFileError(Exception):
    """A file refused as a whole: `code` for the program and the tests, `message` for the user."""

    def __init__(self, code: Refusal, **details: object):
        self.code = code
        self.message = MESSAGES[code].format(**details)
        super().__init__(self.message)


def not_a_spreadsheet(kind: str | None) -> ImportFileError:
    """The refusal of a file that is something else, saying what it is when that is known."""
    return ImportFileError(Refusal.NOT_A_SPREADSHEET, kind=f" (c'est {kind})" if kind else "")


def french_number(number: int) -> str:
    """30000 -> '30 000' (narrow no-break space), as Flask-Babel writes it on the pages."""
    return format_decimal(number, locale="fr_FR")


def clean(value: object) -> object:
    """A cell as the rows give it: text stripped, blank text as None, a date typed in Excel (a
    datetime at midnight) as a date so that it is written back as a date."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime) and value.time() == time(0) and value.tzinfo is None:
        return value.date()
    return value


def header_text(value: object) -> str:
    value = clean(value)
    return "" if value is None else str(value)


class Sheet:
    """The header row (the first non-empty row) and the rows under it.

    `rows()` yields `(line, cells)`: `line` is the row's number as the spreadsheet shows it,
    `cells` as many values as there are headers (None for an empty cell; a cell right of the last
    header has no column to go to and is left out). Empty rows are skipped. It raises
    `ImportFileError` on the first row past `max_rows` (nothing further is read) or on a cell it
    refuses. It can be iterated again (a dry run, then the import); `close()` frees the file.
    """

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.headers: list[str] = []
        self._header_line = 0

    def _raw_rows(self) -> Iterator[tuple[int, list]]:
        """Every row of the file with its line number, cells cleaned (subclasses)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the reader holds (subclasses)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _find_header(self) -> None:
        """Read the header and make sure one employee row follows, else refuse the file now."""
        with closing(self._raw_rows()) as raw_rows:
            for line, cells in raw_rows:
                if any(cell is not None for cell in cells):
                    self.headers = _trimmed([header_text(cell) for cell in cells])
                    self._header_line = line
                    break
        with closing(self.rows()) as rows:
            if not self.headers or next(rows, None) is None:
                raise ImportFileError(Refusal.NO_ROWS)

    def rows(self) -> Iterator[tuple[int, list]]:
        width, count = len(self.headers), 0
        with closing(self._raw_rows()) as raw_rows:
            for line, cells in raw_rows:
                cells = (cells + [None] * (width - len(cells)))[:width]
                if line <= self._header_line or all(cell is None for cell in cells):
                    continue
                count += 1
                if count > self.max_rows:
                    limit = french_number(self.max_rows)
                    raise ImportFileError(Refusal.TOO_MANY_ROWS, limit=limit)
                yield line, cells


def _trimmed(headers: list[str]) -> list[str]:
    """The header row without its empty cells at the right end."""
    while headers and not headers[-1]:
        headers.pop()
    return headers
