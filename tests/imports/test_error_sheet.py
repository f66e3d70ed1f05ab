"""The rows in error handed back as a workbook: re-read by the import, they come back with their
own cells and the errors in a last column that the import reports as unknown and ignores."""

import io
from datetime import date

from openpyxl import load_workbook

from app.domain.employee_import import match_headers
from app.imports.errors import error_sheet_chunks
from app.imports.spreadsheet import open_sheet

HEADERS = ["Nom d'usage", "Prénom", "Sexe", "Date de naissance", "NIR", "Commentaire perso"]


def _reread(data: bytes):
    with open_sheet(data, "erreurs.xlsx", 30_000) as sheet:
        return sheet.headers, list(sheet.rows())


def test_error_sheet_is_re_read_with_the_original_cells_and_the_errors():
    rows = [
        (["MARTIN", "Julie", "X", date(1990, 4, 12), "290047505612300", None], "ligne 2, "
         "colonne Sexe : valeur inconnue ; colonne NIR : clé incorrecte"),
        (["DURAND", None, "M", "31/02/1985", 185057505612345, "=HYPERLINK(\"x\")"],
         "ligne 7, colonne Date de naissance : date incorrecte"),
    ]  # fmt: skip
    headers, read = _reread(b"".join(error_sheet_chunks(HEADERS, rows)))
    assert headers == [*HEADERS, "Erreurs"]
    assert read == [(2, [*rows[0][0], rows[0][1]]), (3, [*rows[1][0], rows[1][1]])]
    # The text that looks like a formula was written as text (read back, not refused).
    assert read[1][1][5] == '=HYPERLINK("x")'


def test_the_errors_column_is_ignored_silently_when_imported_again():
    headers, _rows = _reread(b"".join(error_sheet_chunks(HEADERS, [(["A"] * 6, "erreur")])))
    found = match_headers(headers)
    assert found.unknown == ["Commentaire perso"]
    assert "Erreurs" not in found.fields.values()
    assert len(found.fields) == 5


def test_an_earlier_errors_column_is_replaced_not_doubled():
    headers = ["Nom d'usage", "erreurs", "Prénom"]
    rows = [(["MARTIN", "ancienne erreur", "Julie"], "nouvelle erreur")]
    read_headers, read = _reread(b"".join(error_sheet_chunks(headers, rows)))
    assert read_headers == ["Nom d'usage", "Prénom", "Erreurs"]
    assert read == [(2, ["MARTIN", "Julie", "nouvelle erreur"])]


def test_short_rows_keep_the_errors_in_the_last_column():
    data = b"".join(error_sheet_chunks(HEADERS, [(["MARTIN"], "colonnes manquantes")]))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Salariés en erreur"
    assert [cell.value for cell in sheet[2]] == ["MARTIN", *[None] * 5, "colonnes manquantes"]
    assert sheet["G1"].value == "Erreurs" and sheet["G1"].font.b
