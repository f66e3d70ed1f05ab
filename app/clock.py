"""The only place that reads the clock: dates and times in Europe/Paris."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    """The current time in Paris, as a naive datetime (stored as local time)."""
    return datetime.now(PARIS).replace(tzinfo=None)


def today() -> date:
    return now().date()
