"""Reading an employee file: real xlsx and CSV files built here, read back row by row, and every
kind of bad file refused with its code and a French sentence, never another exception."""

import codecs
import random
import time
from datetime import date, datetime

import pytest
from openpyxl.worksheet.formula import ArrayFormula

from app.imports.sheet import MESSAGES
from app.imports.spreadsheet import ImportFileError, Refusal, open_sheet
from tests.imports.files import (
    HEADERS,
    csv_bytes,
    employee_rows,
    nir_with_key,
    replace_part,
    streamed_xlsx,
    workbook_bytes,
    zip_bytes,
)

LIMIT = 30_000
NIR = nir_with_key("2900475056123")


def _read(data: bytes, filename: str = "salaries.xlsx", max_rows: int = LIMIT):
    with open_sheet(data, filename, max_rows) as sheet:
        return sheet.headers, list(sheet.rows())


def _refusal(data: bytes, filename: str = "salaries.xlsx", max_rows: int = LIMIT):
    """The refusal of the file, whether at opening or while reading its rows."""
    with pytest.raises(ImportFileError) as caught:
        _read(data, filename, max_rows)
    return caught.value


# ---- xlsx -------------------------------------------------------------------------------------


def test_xlsx_gives_headers_then_rows_numbered_as_excel_shows_them():
    data = workbook_bytes(
        [
            ["  Nom d'usage ", "Prénom", "Sexe", "Date de naissance", "NIR", "Apprenti", None],
            ["  MARTIN  ", "Julie", "F", date(1990, 4, 12), NIR, False],
            [],  # an empty row: skipped, the next keeps its number
            ["   ", None, None],  # blank text only: empty too
            ["DURAND", "Paul", "M", datetime(1985, 5, 1, 14, 30), 290047505612345, True],
        ]
    )
    headers, rows = _read(data)
    assert headers == ["Nom d'usage", "Prénom", "Sexe", "Date de naissance", "NIR", "Apprenti"]
    assert [line for line, _cells in rows] == [2, 5]
    assert rows[0][1] == ["MARTIN", "Julie", "F", date(1990, 4, 12), NIR, False]
    assert type(rows[0][1][3]) is date  # a date typed in Excel comes as a date
    assert rows[1][1] == [
        "DURAND",
        "Paul",
        "M",
        datetime(1985, 5, 1, 14, 30),
        290047505612345,
        True,
    ]


def test_header_is_the_first_non_empty_row_and_rows_take_its_width():
    data = workbook_bytes(
        [
            [],
            [None, None],
            ["Nom d'usage", "Prénom", None, "Sexe"],
            ["MARTIN"],  # shorter than the header: padded
            ["DURAND", "Paul", "x", "M", "sans en-tête"],  # right of the last header: left out
            [None, None, None, None, "seulement hors colonnes"],  # nothing under a header: empty
        ]
    )
    headers, rows = _read(data)
    assert headers == ["Nom d'usage", "Prénom", "", "Sexe"]
    assert rows == [(4, ["MARTIN", None, None, None]), (5, ["DURAND", "Paul", "x", "M"])]


def test_numbers_and_booleans_keep_their_type():
    data = workbook_bytes([["NIR", "Taux", "Oui"], [290047505612345, 1.5, True]])
    assert _read(data)[1] == [(2, [290047505612345, 1.5, True])]


def test_the_first_visible_sheet_is_read():
    def hide_first(workbook, sheet):
        sheet.sheet_state = "hidden"
        other = workbook.create_sheet("Visible")
        other.append(["Nom d'usage"])
        other.append(["VISIBLE"])

    headers, rows = _read(workbook_bytes([["Caché"], ["CACHÉ"]], hide_first))
    assert headers == ["Nom d'usage"] and rows == [(2, ["VISIBLE"])]


def test_a_workbook_written_by_the_exports_reads_back():
    data = streamed_xlsx(HEADERS, employee_rows(3))
    headers, rows = _read(data)
    assert headers == HEADERS
    assert [line for line, _ in rows] == [2, 3, 4]
    assert rows[2][1] == employee_rows(3)[2]


def test_merged_cells_are_refused_naming_the_first_range():
    def merge(_workbook, sheet):
        sheet.merge_cells("A1:C1")
        sheet.merge_cells("B5:B6")

    error = _refusal(workbook_bytes([HEADERS, *employee_rows(6)], merge))
    assert error.code == Refusal.MERGED_CELLS == "merged_cells"
    assert error.message == (
        "Le fichier contient des cellules fusionnées (A1:C1) : défusionnez-les puis importez "
        "à nouveau."
    )


def test_merged_cells_below_the_rows_are_refused_too():
    error = _refusal(workbook_bytes(employee_rows(4), lambda _w, sheet: sheet.merge_cells("D3:E3")))
    assert error.code == Refusal.MERGED_CELLS and "(D3:E3)" in error.message


def test_a_formula_is_refused_when_its_row_is_read_naming_the_cell():
    rows = [HEADERS, *employee_rows(12)]
    rows[11][5] = "=CONCATENATE(A12,B12)"  # F12
    with open_sheet(workbook_bytes(rows), "salaries.xlsx", LIMIT) as sheet:
        read = []
        with pytest.raises(ImportFileError) as caught:
            for line, _cells in sheet.rows():
                read.append(line)
    assert read == list(range(2, 12))
    assert caught.value.code == Refusal.FORMULA
    assert caught.value.message == (
        "La cellule F12 contient une formule : remplacez les formules par leurs valeurs "
        "(Copier, puis Collage spécial › Valeurs) et importez à nouveau."
    )


def test_an_array_formula_is_a_formula_too():
    def array(_workbook, sheet):
        sheet["C3"] = ArrayFormula("C3:C3", "=SUM(A2:A3)")

    error = _refusal(
        workbook_bytes([["Nom d'usage", "Prénom", "Sexe"], ["A", "B", "M"], ["C"]], array)
    )
    assert error.code == Refusal.FORMULA and "C3" in error.message


def test_text_that_looks_like_a_formula_is_text():
    """The exports write `=1+1` as a text cell: read back as that text, not refused."""
    data = streamed_xlsx(["Nom d'usage", "Poste"], [["MARTIN", "=1+1"], ["DURAND", "@chef"]])
    assert _read(data)[1] == [(2, ["MARTIN", "=1+1"]), (3, ["DURAND", "@chef"])]


# ---- CSV --------------------------------------------------------------------------------------


def test_windows_1252_csv_with_semicolons():
    rows = [
        ["Nom d'usage", "Prénom", "Date de naissance", "Poste"],
        ["  LEFÈVRE ", "Hélène", "12/04/1990", "Opérateur, équipe B"],
        ["", "", "", ""],
        ["GARÇON", "", "01/05/1985", "Œnologue"],
    ]
    data = csv_bytes(rows, "cp1252", ";")
    assert "é".encode("cp1252") in data  # really Windows-1252
    headers, read = _read(data, "salaries.csv")
    assert headers == rows[0]
    assert read == [
        (2, ["LEFÈVRE", "Hélène", "12/04/1990", "Opérateur, équipe B"]),
        (4, ["GARÇON", None, "01/05/1985", "Œnologue"]),
    ]


def test_utf8_csv_with_bom_and_commas_and_a_line_break_inside_a_cell():
    rows = [
        ["Nom d'usage", "Prénom", "Adresse", "Ville"],
        ["MARTIN", "Zoé", "12 rue des Lilas\nBâtiment B", "Saint-Étienne"],
        ["DURAND", "Paul", "3, place de l'Église", "Évry"],
    ]
    data = codecs.BOM_UTF8 + csv_bytes(rows, "utf-8", ",")
    headers, read = _read(data, "salaries.csv")
    assert headers == rows[0]  # no BOM glued to the first header
    assert read == [(2, rows[1]), (3, rows[2])]


def test_utf8_csv_without_bom_and_tab_separated():
    data = csv_bytes([["Nom d'usage", "Prénom", "Sexe"], ["ÉLODIE", "Anaïs", "F"]], "utf-8", "\t")
    assert _read(data, "salaries.txt") == (
        ["Nom d'usage", "Prénom", "Sexe"],
        [(2, ["ÉLODIE", "Anaïs", "F"])],
    )


def test_excel_unicode_text_utf16_with_tabs():
    data = codecs.BOM_UTF16_LE + csv_bytes(
        [["Nom", "Prénom"], ["ŁUKASZ", "Zoë"]], "utf-16-le", "\t"
    )
    assert _read(data, "salaries.txt") == (["Nom", "Prénom"], [(2, ["ŁUKASZ", "Zoë"])])


def test_the_separator_is_the_one_that_gives_the_most_columns():
    # A semicolon file whose header mentions a comma, and a comma file with a ';' in a cell.
    semicolons = csv_bytes([["Nom, usage", "Prénom", "Sexe"], ["A", "B", "M"]], "utf-8", ";")
    commas = csv_bytes([["Nom", "Prénom", "Sexe"], ["A;B", "C", "M"]], "utf-8", ",")
    assert _read(semicolons, "a.csv")[1] == [(2, ["A", "B", "M"])]
    assert _read(commas, "a.csv")[1] == [(2, ["A;B", "C", "M"])]


def test_an_unclosed_quote_is_refused_with_its_line():
    lines = ["Nom;Prénom", "MARTIN;Julie", 'DURAND;"Paul'] + ["x" * 100] * 2000
    error = _refusal("\r\n".join(lines).encode(), "a.csv")
    assert error.code == Refusal.CORRUPT_CSV
    assert "ligne 3 " in error.message


# ---- refusals ---------------------------------------------------------------------------------


def _compound_file() -> bytes:
    """What Excel writes for a password-protected workbook (and for .xls): an OLE compound file."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header + random.Random(1).randbytes(4096)


NOT_A_SPREADSHEET = Refusal.NOT_A_SPREADSHEET
WORD = zip_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"})
ODS = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
BAD_FILES = {
    "empty": (b"", "vide.xlsx", Refusal.EMPTY_FILE),
    "password or xls": (_compound_file(), "protege.xlsx", Refusal.PROTECTED_OR_XLS),
    "pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "liste.pdf", NOT_A_SPREADSHEET),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "photo.png", NOT_A_SPREADSHEET),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64), "scan.xlsx", NOT_A_SPREADSHEET),
    "junk": (random.Random(2).randbytes(5000), "liste.xlsx", NOT_A_SPREADSHEET),
    "web page": (b"<html><table><tr><td>Nom</td></tr></table>", "export.xls", NOT_A_SPREADSHEET),
    "word": (WORD, "a.docx", NOT_A_SPREADSHEET),
    "ods": (ODS, "a.ods", NOT_A_SPREADSHEET),
    "blank lines": (b"\r\n  \r\n;;\r\n", "a.csv", Refusal.NO_ROWS),
}


@pytest.mark.parametrize(("data", "filename", "code"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_are_refused_with_a_french_sentence(data, filename, code):
    error = _refusal(data, filename)
    assert error.code == code
    assert error.message == str(error) and error.message.endswith(".")
    assert any(word in error.message for word in ("fichier", "classeur", "Le ", "Ce "))
    assert "{" not in error.message


def test_the_refusals_say_what_the_file_is():
    assert _refusal(BAD_FILES["pdf"][0]).message.startswith(
        "Ce fichier n'est pas un classeur Excel (.xlsx) ni un fichier CSV (c'est un document PDF)"
    )
    assert "OpenDocument .ods" in _refusal(BAD_FILES["ods"][0]).message
    assert "page web" in _refusal(BAD_FILES["web page"][0]).message
    assert _refusal(_compound_file()).message == MESSAGES[Refusal.PROTECTED_OR_XLS]
    assert "mot de passe" in MESSAGES[Refusal.PROTECTED_OR_XLS]
    assert "Excel 97-2003 (.xls)" in MESSAGES[Refusal.PROTECTED_OR_XLS]


def test_a_truncated_workbook_is_refused_as_damaged():
    data = workbook_bytes([HEADERS, *employee_rows(50)])
    for size in (len(data) // 3, len(data) // 2, len(data) - 30):
        assert _refusal(data[:size]).code == Refusal.CORRUPT_XLSX


def test_a_workbook_with_a_broken_part_is_refused_as_damaged():
    data = workbook_bytes([HEADERS, *employee_rows(5)])
    assert _refusal(replace_part(data, "xl/workbook.xml", b"<workbook><sheets>")).code == (
        Refusal.CORRUPT_XLSX
    )
    broken_sheet = replace_part(data, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>")
    assert _refusal(broken_sheet).code == Refusal.CORRUPT_XLSX


def test_damaged_workbooks_never_raise_anything_but_the_refusal():
    """Bytes changed at random in a real workbook: read or refused, nothing else escapes."""
    data = workbook_bytes([HEADERS, *employee_rows(30)])
    randomness = random.Random(14)
    for _attempt in range(150):
        damaged = bytearray(data)
        for _ in range(randomness.randint(1, 8)):
            damaged[randomness.randrange(30, len(damaged))] = randomness.randrange(256)
        try:
            _read(bytes(damaged))
        except ImportFileError as error:
            assert error.code in set(Refusal)


@pytest.mark.parametrize(
    "data",
    [
        workbook_bytes([HEADERS]),
        workbook_bytes([]),
        workbook_bytes([[], [None, "  "]]),
        csv_bytes([HEADERS], "cp1252", ";"),
        csv_bytes([HEADERS, ["", "", ""]], "utf-8", ","),
    ],
    ids=["xlsx header only", "xlsx empty", "xlsx blank", "csv header only", "csv blank rows"],
)
def test_a_file_without_employee_rows_is_refused(data):
    error = _refusal(data)
    assert error.code == Refusal.NO_ROWS
    assert error.message.startswith("Le fichier ne contient aucune ligne de salarié")


# ---- the row limit ----------------------------------------------------------------------------


def test_rows_past_the_limit_are_refused_as_soon_as_the_limit_is_passed():
    data = csv_bytes([HEADERS, *employee_rows(20)], "utf-8", ";")
    with open_sheet(data, "a.csv", max_rows=10) as sheet:
        read = []
        with pytest.raises(ImportFileError) as caught:
            for line, _cells in sheet.rows():
                read.append(line)
    assert read == list(range(2, 12))  # ten rows given, the eleventh refused
    assert caught.value.code == Refusal.TOO_MANY_ROWS


def test_exactly_the_limit_is_accepted_and_empty_rows_do_not_count():
    rows = [HEADERS]
    for row in employee_rows(10):
        rows += [row, [""] * len(HEADERS)]
    data = streamed_xlsx(HEADERS, rows[1:])
    assert len(_read(data, max_rows=10)[1]) == 10


def test_the_limit_is_written_the_french_way():
    data = csv_bytes([HEADERS, *employee_rows(LIMIT + 1, width=2)], "utf-8", ";")
    error = _refusal(data, "a.csv")
    assert error.code == Refusal.TOO_MANY_ROWS
    assert error.message.startswith("Le fichier compte plus de 30\u202f000 lignes de salariés")


def test_an_xlsx_past_the_limit_is_refused_too():
    error = _refusal(streamed_xlsx(HEADERS, employee_rows(12)), max_rows=11)
    assert error.code == Refusal.TOO_MANY_ROWS and "plus de 11 lignes" in error.message


# ---- size -------------------------------------------------------------------------------------

COLUMNS_17 = [f"Colonne {number}" for number in range(1, 18)]


def _rows_17(count: int):
    for row in employee_rows(count, width=6):
        yield row + ["Vendeur", "553c", "CDI", date(2020, 9, 1), date(2022, 1, 3), None, "non",
                     "non", "ECRAN|BRUIT", "fr", "12 rue des Lilas"]  # fmt: skip


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_twenty_thousand_rows_are_read_one_by_one_in_reasonable_time(kind):
    if kind == "xlsx":
        data = streamed_xlsx(COLUMNS_17, _rows_17(20_000))
    else:
        data = csv_bytes([COLUMNS_17, *_rows_17(20_000)], "cp1252", ";")
    started = time.perf_counter()
    with open_sheet(data, f"grand.{kind}", LIMIT) as sheet:
        lines = widths = 0
        for line, cells in sheet.rows():
            lines, widths = line, widths + len(cells)
    elapsed = time.perf_counter() - started
    print(f"{kind}: 20,000 rows x 17 columns read in {elapsed:.2f} s")
    assert (lines, widths) == (20_001, 20_000 * 17)
    assert elapsed < 60


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_rows_can_be_read_again_for_the_import_after_the_dry_run(kind):
    rows = [HEADERS, *employee_rows(5)]
    data = workbook_bytes(rows) if kind == "xlsx" else csv_bytes(rows, "utf-8", ";")
    with open_sheet(data, f"a.{kind}", LIMIT) as sheet:
        first, second = list(sheet.rows()), list(sheet.rows())
    assert first == second and len(first) == 5
