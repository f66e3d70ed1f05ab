"""An xlsx workbook's first sheet, read row by row with openpyxl's read-only mode.

Read-only mode parses the sheet's XML as it goes (memory flat in the row count) but cannot see
merged ranges, so the sheet's XML is scanned once for `<mergeCell>` with expat, element by
element, before any row is read. Formulas are refused, not evaluated: the workbook is opened with
`data_only=False` so that a formula cell says so (data type "f") instead of showing a cached value
that may be stale or missing (a file written by a program rather than by Excel has none).
"""

import warnings
import zlib
from collections.abc import Iterator
from io import BytesIO
from xml.parsers import expat
from zipfile import BadZipFile

from lxml.etree import LxmlError
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.imports.sheet import ImportFileError, Refusal, Sheet, clean

# What openpyxl, zipfile and the XML parsers raise on a broken workbook: a missing part
# (KeyError), a truncated or altered archive (BadZipFile, zlib.error, EOFError), malformed XML
# (SyntaxError covers ElementTree's ParseError and lxml's XMLSyntaxError), values of the wrong
# type or out of range (TypeError, ValueError, IndexError, AttributeError), an encrypted part or
# an unknown compression method (RuntimeError, NotImplementedError).
BROKEN_WORKBOOK = (
    BadZipFile, zlib.error, OSError, EOFError, LookupError, ValueError, TypeError,
    AttributeError, SyntaxError, LxmlError, InvalidFileException, expat.ExpatError, RuntimeError,
)  # fmt: skip
_READ_SIZE = 64 * 1024


class XlsxSheet(Sheet):
    def __init__(self, data: bytes, max_rows: int):
        super().__init__(max_rows)
        self._workbook = _load(data)
        try:
            self._sheet = _first_sheet(self._workbook)
            # Some programs write a wrong size (A1:A1) in the sheet: read up to the real end.
            self._sheet.reset_dimensions()
            _refuse_merged_cells(self._sheet)
            self._find_header()
        except BaseException:
            self.close()
            raise

    def _raw_rows(self) -> Iterator[tuple[int, list]]:
        # Missing rows come as empty ones, so the count is the sheet's row number.
        try:
            for line, row in enumerate(self._sheet.iter_rows(), start=1):
                yield line, [_value(cell) for cell in row]
        except BROKEN_WORKBOOK as error:
            raise ImportFileError(Refusal.CORRUPT_XLSX) from error

    def close(self) -> None:
        self._workbook.close()


def _load(data: bytes):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style", unsupported extensions...
            return load_workbook(BytesIO(data), read_only=True, data_only=False)
    except BROKEN_WORKBOOK as error:
        raise ImportFileError(Refusal.CORRUPT_XLSX) from error


def _first_sheet(workbook):
    """The first visible worksheet (a hidden first sheet is not what the user looked at)."""
    sheets = workbook.worksheets
    visible = [sheet for sheet in sheets if sheet.sheet_state == "visible"]
    if not sheets:
        raise ImportFileError(Refusal.NO_ROWS)
    return (visible or sheets)[0]


def _value(cell) -> object:
    if cell.data_type == "f":
        raise ImportFileError(Refusal.FORMULA, cell=cell.coordinate)
    return clean(cell.value)


def _refuse_merged_cells(sheet) -> None:
    """Refuse the file when the sheet's XML declares a merged range, naming the first one.

    `<mergeCells>` follows `<sheetData>`, so the whole sheet is read: first as bytes, looking
    for the word (a text cell cannot hold it as markup: its `<` would be escaped), then, only if
    it is there, through expat, which calls back on each element and builds nothing.
    """
    if _mentions_merged_cells(sheet):
        _parse_merged_cells(sheet)


_MERGE_TAG = b"mergeCell"


def _mentions_merged_cells(sheet) -> bool:
    tail = b""
    try:
        # openpyxl's own way to the sheet's part in the archive it keeps open in read-only mode.
        with sheet._get_source() as source:
            while chunk := source.read(_READ_SIZE):
                if _MERGE_TAG in tail + chunk[: len(_MERGE_TAG)] or _MERGE_TAG in chunk:
                    return True
                tail = chunk[-len(_MERGE_TAG) :]
    except BROKEN_WORKBOOK as error:
        raise ImportFileError(Refusal.CORRUPT_XLSX) from error
    return False


def _parse_merged_cells(sheet) -> None:
    def start(name: str, attributes: dict) -> None:
        if name.rpartition(" ")[2] == "mergeCell":  # expat propagates the error, ending the scan
            raise ImportFileError(Refusal.MERGED_CELLS, range=attributes.get("ref", "?"))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        with sheet._get_source() as source:
            while chunk := source.read(_READ_SIZE):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except BROKEN_WORKBOOK as error:
        raise ImportFileError(Refusal.CORRUPT_XLSX) from error
