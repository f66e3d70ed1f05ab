"""Import files built by the tests: real workbooks (openpyxl's normal mode, which can merge cells
and write formulas) and CSV bytes in the encodings users send."""

import csv
import io
import zipfile
from datetime import date

from openpyxl import Workbook

from app.exports.xlsx import xlsx_chunks

HEADERS = ["Nom d'usage", "Prénom", "Sexe", "Date de naissance", "NIR", "SIRET de l'établissement"]


def nir_with_key(first_13: str) -> str:
    return f"{first_13}{97 - int(first_13) % 97:02d}"


def workbook_bytes(rows: list[list], build=None) -> bytes:
    """A one-sheet workbook with the rows from A1; `build(workbook, sheet)` adds the rest."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Salariés"
    for row in rows:
        sheet.append(row)
    if build is not None:
        build(workbook, sheet)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def employee_rows(count: int, width: int = len(HEADERS)) -> list[list]:
    """`count` distinct employees, cut or padded to `width` cells."""
    rows = []
    for number in range(1, count + 1):
        nir = nir_with_key(f"1850575056{number % 1000:03d}")
        row = [f"DUPONT {number}", "Jean", "M", date(1985, 5, 1), nir, "73282932000074"]
        rows.append((row + [f"valeur {number}"] * width)[:width])
    return rows


def streamed_xlsx(headers: list[str], rows) -> bytes:
    """A workbook written as the application writes its exports (write-only, streamed)."""
    return b"".join(xlsx_chunks("Salariés", headers, rows))


def csv_bytes(rows: list[list], encoding: str, delimiter: str) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return target.getvalue()


def replace_part(xlsx: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one of its parts replaced."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[name] = content
    return zip_bytes(parts)
