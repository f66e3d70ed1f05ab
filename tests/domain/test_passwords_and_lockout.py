from datetime import datetime, timedelta

import pytest

from app.domain.lockout import is_locked, lock_until
from app.domain.passwords import (
    LETTER_ALPHABET,
    PasswordError,
    check_password,
    generate_provisional_password,
)


@pytest.mark.parametrize(
    ("password", "identifiers", "error"),
    [
        ("Adherent-demo-2026", (), None),
        ("short-One1", (), PasswordError.TOO_SHORT),
        ("x" * 129, (), PasswordError.TOO_LONG),
        ("motdepasse123", (), PasswordError.GUESSABLE),
        ("azertyuiop12", (), PasswordError.GUESSABLE),
        ("Password1234", (), PasswordError.GUESSABLE),
        ("ets10250ets10250", ("ets10250",), PasswordError.GUESSABLE),
    ],
)
def test_password_policy(password, identifiers, error):
    assert check_password(password, identifiers) is error


def test_provisional_password_is_random_and_readable():
    first, second = generate_provisional_password(), generate_provisional_password()
    assert first != second
    assert len(first.replace("-", "")) == 14
    assert set(first.replace("-", "")) <= set(LETTER_ALPHABET)


NOW = datetime(2026, 11, 29, 10, 0)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, None), (4, None), (5, NOW + timedelta(minutes=15)), (7, NOW + timedelta(minutes=15))],
)
def test_lock_after_threshold(failures, expected):
    assert lock_until(failures, 5, NOW, 15) == expected


def test_lock_expires():
    assert is_locked(NOW + timedelta(minutes=1), NOW)
    assert not is_locked(NOW, NOW)
    assert not is_locked(None, NOW)
