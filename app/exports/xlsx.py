"""Excel (.xlsx) exports: rows in, a stream of bytes out, in constant memory.

openpyxl's write-only workbook writes each row to a temporary file as it comes, and the finished
workbook is saved into another temporary file that is then read back by chunks: neither the rows
nor the workbook are ever held in memory whole, whatever the row count.

Formula injection (OWASP "CSV injection", our security bar): a string starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written as an explicit string cell (``t="inlineStr"``,
data type ``"s"``) and carries Excel's *quote prefix* style, the flag Excel itself sets when a
user types a leading apostrophe. We do not prepend an apostrophe to the value: the cell keeps the
original text (openpyxl reads back exactly the same string, data type ``"s"``), Excel shows it as
text and does not turn it into a formula even when the user edits the cell and presses Enter.
Strings that openpyxl would store as an error value (``#N/A``...) get the same treatment.
"""

import contextlib
import enum
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# First characters that make Excel, LibreOffice or a CSV import evaluate a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 12, 50
_FORBIDDEN_IN_TITLE = re.compile(r"[\\/*?:\[\]]")


def xlsx_chunks(
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    chunk_size: int = 64 * 1024,
) -> Iterator[bytes]:
    """A one-sheet workbook (bold header row, then one line per row) as chunks of bytes.

    Cell values may be None (empty cell), str, int, float, Decimal, bool, date, datetime (naive;
    an aware one is written as its wall-clock time) or an Enum (its value); anything else is
    written as its ``str()``. The work happens on the first ``next()``; the temporary file is
    closed when the generator ends, fails or is closed early by its consumer.
    """
    yield from xlsx_sheets_chunks([(sheet_title, headers, rows)], chunk_size)


def xlsx_sheets_chunks(
    sheets: Sequence[tuple[str, list[str], Iterable[Sequence]]],
    chunk_size: int = 64 * 1024,
) -> Iterator[bytes]:
    """A workbook of several sheets, each (title, headers, rows) written as ``xlsx_chunks``
    writes its one sheet, in the given order (the first is the one a reader opens first)."""
    with tempfile.TemporaryFile() as spool:
        _write_workbook(spool, sheets)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


def _write_workbook(target, sheets: Sequence[tuple[str, list[str], Iterable[Sequence]]]):
    workbook = Workbook(write_only=True)
    started = []
    try:
        for sheet_title, headers, rows in sheets:
            sheet = workbook.create_sheet(_safe_title(sheet_title))
            started.append(sheet)
            _write_sheet(sheet, headers, rows)
        workbook.save(target)
    except BaseException:
        for sheet in started:
            _discard_sheet_file(sheet)
        raise


def _write_sheet(sheet, headers: list[str], rows: Iterable[Sequence]) -> None:
    # Write-only sheets take column widths and panes before the first row only.
    for index, header in enumerate(headers, start=1):
        width = min(max(len(header) + 4, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in headers])
    dated: dict = {}
    for row in rows:
        sheet.append(_row(sheet, row, dated))


PLAIN = frozenset({int, float, Decimal, bool})  # openpyxl types them right


def _row(sheet, row: Sequence, dated: dict) -> list:
    """The row's cells, the common types first (an export writes hundreds of thousands). A date
    is written through one styled cell per column and type, made once and given each row's value:
    openpyxl writes an appended row at once, so the cell is free again for the next row (a new
    cell and its number format per date cost more than the rest of the row)."""
    cells = []
    for index, value in enumerate(row):
        kind = type(value)
        if kind is str:
            cells.append(_text_cell(sheet, value, None))
        elif value is None or kind in PLAIN:
            cells.append(value)
        elif kind is date or kind is datetime:
            cell = dated.get((index, kind))
            if cell is None:
                cell = dated[index, kind] = _date_cell(sheet, value)
            else:
                cell.value = value if kind is date else value.replace(tzinfo=None)
            cells.append(cell)
        else:
            cells.append(_cell(sheet, value))
    return cells


def _cell(sheet, value, font: Font | None = None):
    """A raw value when openpyxl's own typing is right, else a typed and styled cell."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, date):
        return _date_cell(sheet, value)
    if not isinstance(value, str):
        value = str(value)
    return _text_cell(sheet, value, font)


def _date_cell(sheet, value: date) -> WriteOnlyCell:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
    else:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    return cell


def _text_cell(sheet, value: str, font: Font | None):
    # Control characters are forbidden in the sheet's XML: drop them rather than fail the export.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    risky = value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES
    if not risky and font is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if risky:
        cell.data_type = "s"  # openpyxl typed "=..." as a formula and "#N/A" as an error
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def _safe_title(title: str) -> str:
    """Excel refuses \\ / * ? : [ ] in sheet names and more than 31 characters."""
    return _FORBIDDEN_IN_TITLE.sub("-", title)[:31] or "Feuille1"


def _discard_sheet_file(sheet) -> None:
    """Remove the sheet's spool file now, not at interpreter exit, when the rows fail midway."""
    with contextlib.suppress(Exception):
        sheet.close()  # ends the sheet's XML and closes its spool file
    with contextlib.suppress(Exception):
        sheet._writer.cleanup()  # openpyxl's WorksheetWriter: deletes and unregisters the file
