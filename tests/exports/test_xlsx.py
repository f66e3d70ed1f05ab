"""The xlsx export: re-opened with openpyxl, as a user's spreadsheet would read it."""

import io
import os
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain.follow_up import FollowUp
from app.exports.xlsx import xlsx_chunks

HEADERS = ["Numéro", "Nom", "Naissance", "Fin de contrat", "Catégorie", "Taux"]
INJECTIONS = ["=1+1", "+33 6 12 34 56 78", "-x", "@SUM(A1)", "\tx", "\rx", "#N/A"]
ROOT = Path(__file__).resolve().parents[2]


def _rows(count: int):
    for number in range(1, count + 1):
        yield [number, f"DUPONT {number}", date(1990, 1, 2), None, FollowUp.SIR, 1.5]


def _sheet(rows, headers=HEADERS, **kwargs):
    content = b"".join(xlsx_chunks("Salariés", headers, rows, **kwargs))
    return load_workbook(io.BytesIO(content)).active


def test_header_row_is_bold_and_followed_by_the_values():
    sheet = _sheet(_rows(2))
    header, first, second = sheet.iter_rows()
    assert [cell.value for cell in header] == HEADERS
    assert all(cell.font.b for cell in header)
    assert not any(cell.font.b for cell in first)
    assert [cell.value for cell in first][:2] == [1, "DUPONT 1"]
    assert second[0].value == 2
    assert first[0].data_type == "n" and first[1].data_type == "s"
    assert first[4].value == "SIR"
    assert first[5].value == 1.5


def test_dates_are_excel_dates_shown_as_dd_mm_yyyy():
    sheet = _sheet([[1, "A", date(1990, 1, 2), datetime(2026, 11, 29, 10, 30), None, None]])
    birth, stamp = sheet["C2"], sheet["D2"]
    assert birth.is_date and birth.number_format == "dd/mm/yyyy"
    assert isinstance(birth.value, datetime) and birth.value.date() == date(1990, 1, 2)
    assert stamp.is_date and stamp.value == datetime(2026, 11, 29, 10, 30)


def test_each_row_keeps_its_own_dates_in_every_date_column():
    """A date column's styled cell serves every row: each row still shows its own values, in
    their format, and an empty date stays empty."""
    days = [date(1990, 1, 2), date(2001, 12, 31), None, date(1975, 6, 15)]
    moments = [datetime(2026, 11, 30, 9, 5), None, datetime(2025, 1, 1, 23, 59), None]
    rows = [
        [index, day, moment, date(2020, 1, index + 1)]
        for index, (day, moment) in enumerate(zip(days, moments, strict=True))
    ]
    sheet = _sheet(rows, headers=["N", "Jour", "Moment", "Autre"])
    read = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[1] for row in read] == [
        datetime.combine(day, datetime.min.time()) if day else None for day in days
    ]
    assert [row[2] for row in read] == moments
    assert [row[3] for row in read] == [datetime(2020, 1, index + 1) for index in range(4)]
    formats = {
        (cell.column, cell.number_format)
        for row in sheet.iter_rows(min_row=2)
        for cell in row[1:]
        if cell.value
    }
    assert formats == {(2, "dd/mm/yyyy"), (3, "dd/mm/yyyy hh:mm"), (4, "dd/mm/yyyy")}


def test_none_is_an_empty_cell():
    sheet = _sheet([[1, None, None, None, None, None]])
    assert [cell.value for cell in sheet[2]][1:] == [None] * 5


def test_other_values_are_written_as_text_or_numbers():
    sheet = _sheet([[Decimal("12.50"), Path("a/b"), True]], headers=["a", "b", "c"])
    assert [cell.value for cell in sheet[2]] == [12.5, "a/b", True]


def test_formula_triggers_come_back_as_the_same_text_not_formulas():
    sheet = _sheet([INJECTIONS], headers=[f"c{i}" for i in range(len(INJECTIONS))])
    cells = list(sheet[2])
    assert [cell.value for cell in cells] == INJECTIONS
    assert all(cell.data_type == "s" for cell in cells)
    assert all(cell.quotePrefix for cell in cells)


def test_formula_triggers_stay_text_with_the_standard_library_writer():
    """Production has no lxml: openpyxl then serialises with xml.etree, checked here apart."""
    script = textwrap.dedent(
        f"""
        import io
        from openpyxl import LXML, load_workbook
        from app.exports.xlsx import xlsx_chunks
        assert not LXML
        values = {INJECTIONS!r}
        data = b"".join(xlsx_chunks("s", ["h"] * len(values), [values]))
        cells = list(load_workbook(io.BytesIO(data)).active[2])
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
        # A bare CR is raw in etree's XML, so any XML reader normalises it to LF.
        expected = [value.replace("\\r", "\\n") for value in values]
        assert [cell.value for cell in cells] == expected, [cell.value for cell in cells]
        """
    )
    env = {**os.environ, "OPENPYXL_LXML": "False", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_control_characters_are_dropped_rather_than_failing():
    sheet = _sheet([["a\x00b\x1fc", "ligne 1\nligne 2"]], headers=["a", "b"])
    assert [cell.value for cell in sheet[2]] == ["abc", "ligne 1\nligne 2"]


@pytest.mark.parametrize("count", [2, 20_000])
def test_every_row_is_written(count):
    sheet = _sheet(_rows(count))
    assert sheet.max_row == count + 1
    assert sheet.cell(row=count + 1, column=1).value == count


def test_chunks_are_bounded_and_the_header_is_frozen_with_readable_widths():
    chunks = list(xlsx_chunks("Salariés", HEADERS, _rows(2_000), chunk_size=4096))
    assert len(chunks) > 1 and all(len(chunk) <= 4096 for chunk in chunks)
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
    assert sheet.title == "Salariés" and sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEF"]
    assert all(12 <= width <= 50 for width in widths)


def test_sheet_title_is_made_acceptable_to_excel():
    content = b"".join(xlsx_chunks("Salariés [2026/11]: " + "x" * 40, ["a"], []))
    title = load_workbook(io.BytesIO(content)).active.title
    assert len(title) == 31 and not set("[]/:*?\\") & set(title)


def test_temporary_file_is_closed_when_the_consumer_stops_early(monkeypatch):
    opened = []
    real = tempfile.TemporaryFile

    def spy(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", spy)
    chunks = xlsx_chunks("s", HEADERS, _rows(2_000), chunk_size=1024)
    next(chunks)
    assert not opened[0].closed
    chunks.close()
    assert opened[0].closed


def test_failing_rows_leave_no_temporary_file():
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    def rows():
        yield [1, "A"]
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        list(xlsx_chunks("s", ["a", "b"], rows()))
    assert not [path for path in ALL_TEMP_FILES if os.path.exists(path)]


def _peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        for _chunk in xlsx_chunks("Salariés", HEADERS, _rows(count)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_row_count():
    _peak_bytes(10)  # warm up: imports and caches are not what we measure
    small, large = _peak_bytes(2_000), _peak_bytes(20_000)
    print(f"xlsx peak: 2,000 rows {small} B, 20,000 rows {large} B")
    assert large < 1.5 * small
