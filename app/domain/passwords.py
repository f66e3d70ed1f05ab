"""Password policy (OWASP ASVS 2.1): a minimum length and a check against common and guessable
passwords (zxcvbn's dictionaries: common passwords, names, words, keyboard patterns, dates), no
composition rules; and the generation of provisional passwords for the first-connection letter."""

import enum
import secrets

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 = "safely unguessable" against online attacks
# No 0/O, 1/l/I: the provisional password is typed from a paper letter.
LETTER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


class PasswordError(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    GUESSABLE = "guessable"


def check_password(password: str, identifiers: tuple[str, ...] = ()) -> PasswordError | None:
    """The problem of a chosen password, or None when acceptable. `identifiers` (user name,
    member number, names, e-mail) count as known words, so a password built on them is refused."""
    if len(password) < MIN_LENGTH:
        return PasswordError.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return PasswordError.TOO_LONG
    if zxcvbn(password, user_inputs=[i for i in identifiers if i])["score"] < MIN_SCORE:
        return PasswordError.GUESSABLE
    return None


def generate_provisional_password(length: int = 14) -> str:
    """A random password readable on paper, grouped by dashes: `Xk7p-Qm2r-...`."""
    chars = "".join(secrets.choice(LETTER_ALPHABET) for _ in range(length))
    return "-".join(chars[i : i + 4] for i in range(0, length, 4))
