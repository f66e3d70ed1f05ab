"""Bounds of what a user may type or forge in a request (issue 8, item 9: "no 500 on bad input").

Every number, id, date and text that arrives from a browser goes through these parsers (through
app.views.params and app.views.validators for HTTP and forms), so the database and the date
arithmetic only ever see values they can hold:

- ids are positive and fit the INTEGER columns (32 bits on PostgreSQL): a larger number names no
  row, and beyond 64 bits the drivers fail (OverflowError);
- dates lie in the years 1900 to 2100: nobody living or working was born before 1900, and the due
  dates add years to the dates typed (year 9999 + 5 years does not exist);
- texts hold no control characters (Unicode category Cc), except tab, line feed and carriage
  return in multi-line texts: NUL cannot be stored in PostgreSQL, and most Cc characters cannot be
  written in XML 1.0.

Pure functions: they return None (or False) for anything out of bounds; the caller decides
whether that means "ignore", 400 or 404.
"""

import re
from collections.abc import Iterable
from datetime import date

MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2100
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DIGITS = re.compile(r"-?[0-9]{1,18}")  # ASCII only: "²".isdigit() is True, int("²") fails
_DATE_FILTER = re.compile(r"^(?:(?:(\d{1,2})/)?(\d{1,2})/)?(\d{4})$", re.ASCII)


def parse_int(text, low: int, high: int) -> int | None:
    """A whole number between `low` and `high` inclusive, or None (missing, not a number, out of
    bounds)."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text.strip()):
        return None
    value = int(text.strip())
    return value if low <= value <= high else None


def parse_id(text) -> int | None:
    """A row id (1 to MAX_ID), or None."""
    return parse_int(text, 1, MAX_ID)


def parse_ids(texts: Iterable[str]) -> set[int] | None:
    """Every text as a row id, or None when any of them is not one."""
    ids = {parse_id(text) for text in texts}
    return None if None in ids else ids


def is_plausible(day: date | None) -> bool:
    """Whether a typed date lies in the years MIN_YEAR to MAX_YEAR (None is left to `Optional`)."""
    return day is None or MIN_YEAR <= day.year <= MAX_YEAR


def date_range(text: str) -> tuple[date, date] | None:
    """'2024', '03/2024' or '15/03/2024' as an inclusive range of days; None when unreadable or
    outside the plausible years (the lists' date filters, manual chapter 4)."""
    match = _DATE_FILTER.match(text.strip())
    if not match:
        return None
    day, month, year = (int(part) if part else None for part in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
            return date(year, month, 1), date(year, month, last)
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


def has_control_characters(text: str, multi_line: bool = False) -> bool:
    """Whether the text holds a character of category Cc (tab, line feed and carriage return are
    allowed in a multi-line text)."""
    return (_CONTROL_BUT_LINES if multi_line else _CONTROL).search(text) is not None
