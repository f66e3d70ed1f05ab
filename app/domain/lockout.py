"""Account lock after repeated login failures (OWASP ASVS 2.2.1): a pure decision on counts."""

from datetime import datetime, timedelta


def lock_until(failures: int, threshold: int, now: datetime, minutes: int) -> datetime | None:
    """When `failures` reaches `threshold`, the account is locked until now + `minutes`."""
    if threshold > 0 and failures >= threshold:
        return now + timedelta(minutes=minutes)
    return None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until
