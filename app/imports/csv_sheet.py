"""A CSV text read row by row with the csv module, its encoding and separator guessed.

French spreadsheets save CSV in Windows-1252 with `;` ("CSV (séparateur : point-virgule)"),
others in UTF-8 (with or without Excel's byte order mark) with `,`, and Excel's "Texte Unicode"
in UTF-16 with tabs. The encoding is UTF-8 when every byte decodes as UTF-8 (a Windows-1252 text
with accented letters practically never does), else Windows-1252; the separator is the one that
cuts the header line into the most columns. The bytes are checked by slices and read through a
text wrapper: no decoded copy of the whole file is made.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator

from app.imports.sheet import (
    ImportFileError,
    Refusal,
    Sheet,
    clean,
    french_number,
    not_a_spreadsheet,
)

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DELIMITERS = (";", ",", "\t")  # on a tie, the first: `;` is what French Excel writes
# Bytes no text file holds: the control characters other than tab, line feed, form feed,
# carriage return and the old end-of-file mark (0x1A) that some DOS-era programs still append.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
_SLICE = 1024 * 1024
MARKUP = "une page web ou un fichier XML, même si son nom finit par .xls"


def text_encoding(data: bytes) -> str | None:
    """The encoding the bytes are written in, or None when they are not text."""
    if data.startswith(_UTF16_BOMS):
        return "utf-16" if _decodes(data, "utf-16") else None
    if _BINARY.search(data):
        return None
    utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    for encoding in (utf8, "cp1252"):
        if _decodes(data, encoding):
            return encoding
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(data)
    try:
        for start in range(0, len(view), _SLICE):
            decoder.decode(view[start : start + _SLICE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class CsvSheet(Sheet):
    def __init__(self, data: bytes, encoding: str, max_rows: int):
        super().__init__(max_rows)
        self._data, self._encoding = data, encoding
        first_line = self._first_line()
        if first_line.lstrip().startswith("<"):
            raise not_a_spreadsheet(MARKUP)
        self._delimiter = _delimiter(first_line)
        self._find_header()

    def _text(self) -> io.TextIOWrapper:
        # newline="" as the csv module asks: line breaks inside quoted cells are kept.
        return io.TextIOWrapper(io.BytesIO(self._data), encoding=self._encoding, newline="")

    def _first_line(self) -> str:
        with self._text() as text:
            return next((line for line in text if line.strip()), "")

    def _raw_rows(self) -> Iterator[tuple[int, list]]:
        """Each record is one row as a spreadsheet opens the file, whatever the line breaks
        inside its quoted cells; a malformed record is refused with its first text line."""
        with self._text() as text:
            reader = csv.reader(text, delimiter=self._delimiter)
            line = 0
            while True:
                started_at = reader.line_num + 1
                try:
                    record = next(reader, None)
                except csv.Error as error:
                    where = french_number(started_at)
                    raise ImportFileError(Refusal.CORRUPT_CSV, line=where) from error
                if record is None:
                    return
                line += 1
                yield line, [clean(cell) for cell in record]


def _delimiter(line: str) -> str:
    """The separator that cuts the header line into the most columns."""
    widths = {}
    for delimiter in _DELIMITERS:
        try:
            widths[delimiter] = len(next(csv.reader([line], delimiter=delimiter), []))
        except csv.Error:
            widths[delimiter] = 0
    return max(_DELIMITERS, key=widths.__getitem__)
