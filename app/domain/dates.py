"""Dates and times as French users type and read them (issue 9, "Forms").

Every date field of the portal and the back-office shows `jj/mm/aaaa` (dd/mm/yyyy) and a time
`HH:MM` on 24 hours, whatever the language of the browser. What is accepted:

- `29/11/2026`, `29/11/26` is not (a two-digit year is ambiguous for birth dates), `1/2/2026`,
  the separators `/`, `.` and `-` (`29.11.2026`, `29-11-2026`), and eight digits `29112026`;
- the ISO form `2026-11-29`, which older pages and clients post;
- times `14:30`, `14h30`, `14h`, `9:05`.

Pure functions: None for anything that is not a real date or time (31/02, 24:00, letters); the
bounds of plausible years are app.domain.inputs' business.
"""

import re
from datetime import date, time

_FRENCH = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_TIME = re.compile(r"(\d{1,2})(?:[:hH](\d{2})?)?", re.ASCII)


def parse_date(text: str | None) -> date | None:
    """A date typed in French (day first) or in ISO form, or None."""
    text = (text or "").strip()
    if match := _FRENCH.fullmatch(text) or _COMPACT.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def format_date(day: date | None) -> str:
    """`29/11/2026`; nothing for no date."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def parse_time(text: str | None) -> time | None:
    """A time of day on 24 hours (`14:30`, `14h30`, `14h`), or None. A bare number is refused:
    `14` alone could be a duration."""
    text = (text or "").strip()
    match = _TIME.fullmatch(text)
    if not match or text.isdigit():
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def format_time(moment: time | None) -> str:
    """`09:05`; nothing for no time."""
    return f"{moment.hour:02d}:{moment.minute:02d}" if moment else ""
