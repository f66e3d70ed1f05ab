"""Dates and times typed the French way (app.domain.dates; issue 9, "Forms")."""

from datetime import date, time

import pytest

from app.domain.dates import format_date, format_time, parse_date, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29/11/2026", date(2026, 11, 29)),
        (" 29/11/2026 ", date(2026, 11, 29)),
        ("1/2/2026", date(2026, 2, 1)),  # day first: 1 February
        ("01.02.2026", date(2026, 2, 1)),
        ("01-02-2026", date(2026, 2, 1)),
        ("29112026", date(2026, 11, 29)),
        ("2026-11-29", date(2026, 11, 29)),  # ISO, as older pages post it
        ("2026-2-1", date(2026, 2, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        ("29/02/2026", None),  # not a leap year
        ("31/04/2026", None),
        ("13/13/2026", None),
        ("35-05-19", None),  # what FAB made of 29/11/2026
        ("29/11/26", None),  # a two-digit year is ambiguous
        ("2026/11/29", None),
        ("11/29/2026", None),  # American order: no 29th month
        ("", None),
        (None, None),
        ("aujourd'hui", None),
        ("٢٩/١١/٢٠٢٦", None),  # digits of other scripts
        ("29/11/2026 10:00", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_format_date_pads_day_month_and_year():
    assert format_date(date(2026, 2, 1)) == "01/02/2026"
    assert format_date(date(950, 12, 31)) == "31/12/0950"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("09:05", time(9, 5)),
        ("14h30", time(14, 30)),
        ("14H30", time(14, 30)),
        ("14h", time(14, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("24:00", None),
        ("12:60", None),
        ("14", None),  # a bare number could be a duration
        ("2:30 PM", None),  # no AM/PM: 24 hours
        ("14:3", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_format_time():
    assert format_time(time(9, 5)) == "09:05"
    assert format_time(None) == ""
