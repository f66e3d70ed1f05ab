"""Bounds of typed and forged input (app.domain.inputs; issue 8, item 9)."""

from datetime import date, datetime

import pytest

from app.domain.inputs import (
    MAX_ID,
    date_range,
    has_control_characters,
    is_plausible,
    parse_id,
    parse_ids,
    parse_int,
)

BEYOND_64_BITS = str(2**70)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25", 25),
        (" 7 ", 7),
        ("-3", -3),
        ("0", 0),
        ("101", None),  # above the bound
        ("-11", None),  # below the bound
        (BEYOND_64_BITS, None),
        ("2²", None),  # "²".isdigit() is True, int("²") fails
        ("١٢", None),  # Arabic-Indic digits: ASCII only
        ("1e3", None),
        ("12abc", None),
        ("", None),
        (None, None),
        (12, None),  # not a text
    ],
)
def test_parse_int_keeps_only_whole_numbers_within_the_bounds(text, expected):
    assert parse_int(text, -10, 100) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-1", None)],
)
def test_an_id_fits_the_integer_columns(text, expected):
    assert parse_id(text) == expected


def test_a_list_of_ids_is_refused_whole_when_one_is_not_an_id():
    assert parse_ids(["3", "5", "3"]) == {3, 5}
    assert parse_ids([]) == set()
    assert parse_ids(["3", BEYOND_64_BITS]) is None
    assert parse_ids(["3", "x"]) is None


@pytest.mark.parametrize(
    ("day", "plausible"),
    [
        (date(1900, 1, 1), True),
        (date(2100, 12, 31), True),
        (date(1899, 12, 31), False),
        (date(2101, 1, 1), False),
        (date(9999, 12, 31), False),
        (datetime(9999, 12, 31, 23, 59), False),
        (date(1, 1, 1), False),
        (None, True),  # an empty optional date is left to the form's Optional
    ],
)
def test_typed_dates_lie_between_1900_and_2100(day, plausible):
    assert is_plausible(day) is plausible


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", (date(2024, 1, 1), date(2024, 12, 31))),
        ("02/2024", (date(2024, 2, 1), date(2024, 2, 29))),
        ("12/2024", (date(2024, 12, 1), date(2024, 12, 31))),
        ("15/03/2024", (date(2024, 3, 15), date(2024, 3, 15))),
        ("9999", None),
        ("31/12/9999", None),
        ("0001", None),
        ("31/02/2024", None),
        ("13/2024", None),
        ("x", None),
    ],
)
def test_date_filters_read_a_year_a_month_or_a_day_within_the_bounds(text, expected):
    assert date_range(text) == expected


@pytest.mark.parametrize(
    ("text", "single_line", "multi_line"),
    [
        ("Dupont-Martin l'Aîné", False, False),
        ("\x00", True, True),
        ("a\x1bb", True, True),
        ("a\x7fb", True, True),  # DEL
        ("a\x85b", True, True),  # NEL, a C1 control
        ("line 1\nline 2\r\n\tindented", True, False),
        ("\u2028 \u00a0 \ufeff", False, False),  # separators and format characters are not Cc
    ],
)
def test_control_characters_are_found_and_lines_allowed_only_in_multi_line_text(
    text, single_line, multi_line
):
    assert has_control_characters(text) is single_line
    assert has_control_characters(text, multi_line=True) is multi_line
