"""Opening an uploaded employee file (issue 14): an xlsx workbook or a CSV text, told apart by
their content, never by the file's name (a CSV saved as "liste.xls" is common).

`open_sheet` returns a `Sheet` (headers, then `rows()`) or raises `ImportFileError` with a French
sentence that tells the user what to do: an empty file, something that is not a spreadsheet, an
Excel 97-2003 or password-protected workbook (both are OLE compound files), a damaged workbook,
merged cells, formulas, no employee row, too many rows. The caller checks the file's size.
"""

from io import BytesIO
from zipfile import ZipFile

from app.imports.csv_sheet import CsvSheet, text_encoding
from app.imports.sheet import ImportFileError, Refusal, Sheet, not_a_spreadsheet
from app.imports.xlsx_sheet import BROKEN_WORKBOOK, XlsxSheet

__all__ = ["ImportFileError", "Refusal", "Sheet", "open_sheet"]

# The signature of OLE compound files: .xls, and .xlsx encrypted by a password.
_COMPOUND_FILE = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP = b"PK"
# Files users pick by mistake, by their first bytes, and what to call them in the refusal.
_SIGNATURES = (
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image"),
    (b"\xff\xd8\xff", "une image"),
    (b"GIF8", "une image"),
    (b"{\\rtf", "un document RTF"),
)
# Zip files that are not workbooks, by a part they hold.
_ZIP_KINDS = (
    ("word/document.xml", "un document Word"),
    ("ppt/presentation.xml", "une présentation PowerPoint"),
    ("Index/Document.iwa", "un classeur Apple Numbers"),
)
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_BY_EXTENSION = {".pdf": "un document PDF", ".doc": "un document Word", ".docx": "un document Word"}


def open_sheet(data: bytes, filename: str, max_rows: int) -> Sheet:
    """The file's first sheet, its header read and one employee row seen, ready for `rows()`.

    `filename` only helps to name what a refused file is. The returned sheet holds the workbook
    open: use it as a context manager or call `close()`.
    """
    if not data:
        raise ImportFileError(Refusal.EMPTY_FILE)
    if data.startswith(_COMPOUND_FILE):
        raise ImportFileError(Refusal.PROTECTED_OR_XLS)
    if data.startswith(_ZIP):
        _check_workbook_archive(data)
        return XlsxSheet(data, max_rows)
    kind = next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)
    encoding = None if kind else text_encoding(data)
    if encoding is None:
        raise not_a_spreadsheet(kind or _kind_by_name(filename))
    return CsvSheet(data, encoding, max_rows)


def _check_workbook_archive(data: bytes) -> None:
    """A zip is taken for a workbook when it holds Excel's `xl/` parts; an archive that does not
    open at all (truncated, damaged) is taken for a damaged workbook, what users send most."""
    try:
        with ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if any(name.startswith("xl/") for name in names):
                return
            mimetype = archive.read("mimetype")[: len(_ODS)] if "mimetype" in names else b""
    except BROKEN_WORKBOOK as error:
        raise ImportFileError(Refusal.CORRUPT_XLSX) from error
    if mimetype == _ODS:
        raise not_a_spreadsheet("un classeur OpenDocument .ods")
    raise not_a_spreadsheet(next((kind for part, kind in _ZIP_KINDS if part in names), None))


def _kind_by_name(filename: str) -> str | None:
    extension = "." + (filename or "").rpartition(".")[2].lower()
    return _BY_EXTENSION.get(extension)
