"""Names of employees, work post designations (poste de travail) and the PCS-ESE job code.

Rules: shared/spec/domain-rules.md §3 and the employee form of the user manual
(shared/seed/manuel-portail-adherent.txt, "Ajouter un salarié"): usage and birth names in capitals
without accents, first names with their accents; a designation is "tout au masculin, 1ère lettre en
majuscule puis le reste en minuscule, avec les accents, pas d'abréviation, un poste de travail
précis, un / entre 2 postes de travail (Ex: Magasinier/Cariste)", and a temporary-work agency may
give 3 posts.
"""

import enum
import re
import unicodedata

# Letters that do not decompose into a base letter and an accent.
_LIGATURES = str.maketrans(
    {
        "Œ": "OE",
        "œ": "oe",
        "Æ": "AE",
        "æ": "ae",
        "ß": "ss",
        "ẞ": "SS",
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
    }
)
# Typographic apostrophes and hyphens that word processors and phones substitute.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "‐": "-", "‑": "-"})

MAX_POSTS_MEMBER = 2
MAX_POSTS_TEMPORARY_WORK_AGENCY = 3
POST_SEPARATOR = "/"
# Compared without accents and case, as whole words.
ABBREVIATIONS = frozenset(
    {
        "adj",
        "adm",
        "admin",
        "agt",
        "ass",
        "asst",
        "compta",
        "cond",
        "coord",
        "dir",
        "empl",
        "gest",
        "ing",
        "inge",
        "maint",
        "resp",
        "secr",
        "serv",
        "tech",
        "techn",
        "vend",
    }
)

_WORD_SEPARATORS = re.compile(r"[\s/\-'()]+")
_DESIGNATION_PUNCTUATION = frozenset(" -'()")
_FIRST_NAME_PART = re.compile(r"[^\s\-]+")
_PCS_PATTERN = re.compile(r"^[0-9]{3}[a-z]$")


class DesignationError(enum.Enum):
    EMPTY = "empty"
    ABBREVIATION = "abbreviation"
    TOO_MANY_POSTS = "too_many_posts"
    BAD_CHARACTERS = "bad_characters"


def _clean(value: str) -> str:
    """NFC, typographic apostrophes and hyphens made plain, runs of spaces collapsed, stripped."""
    text = unicodedata.normalize("NFC", value or "").translate(_TYPOGRAPHY)
    return " ".join(text.split())


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (value or "").translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_name(value: str) -> str:
    """Usage or birth name: capitals without accents (`Lefèvre-Dupré` -> `LEFEVRE-DUPRE`)."""
    return strip_accents(_clean(value)).upper()


def normalise_first_name(value: str) -> str:
    """First name: accents kept, each part capitalised, also after a hyphen (`Jean-Éric`)."""
    return _FIRST_NAME_PART.sub(lambda part: _capitalise(part.group()), _clean(value))


def _capitalise(text: str) -> str:
    """First letter in capital, the rest in lower case; leading non-letters are left alone."""
    lowered = text.lower()
    for index, char in enumerate(lowered):
        if char.isalpha():
            return lowered[:index] + char.upper() + lowered[index + 1 :]
    return lowered


def split_posts(value: str) -> list[str]:
    """The posts of a designation, each cleaned; empty ones (`a//b`, trailing `/`) dropped."""
    posts = (_clean(post) for post in _clean(value).split(POST_SEPARATOR))
    return [post for post in posts if post]


def normalise_designation(value: str) -> str:
    """`magasinier / CARISTE` -> `Magasinier/Cariste`."""
    return POST_SEPARATOR.join(_capitalise(post) for post in split_posts(value))


def _is_abbreviation(word: str) -> bool:
    return "." in word or strip_accents(word).lower() in ABBREVIATIONS


def _has_bad_characters(post: str) -> bool:
    """Letters, spaces, hyphens, apostrophes and parentheses only, and at least one letter."""
    if not any(char.isalpha() for char in post):
        return True
    return any(not char.isalpha() and char not in _DESIGNATION_PUNCTUATION for char in post)


def check_designation(value: str, max_posts: int) -> DesignationError | None:
    """The first error of the normalised designation (None when acceptable).

    `max_posts`: MAX_POSTS_MEMBER for ordinary members, MAX_POSTS_TEMPORARY_WORK_AGENCY for
    temporary-work agencies. Gender and precision of the post cannot be checked by a machine.
    """
    posts = split_posts(normalise_designation(value))
    if not posts:
        return DesignationError.EMPTY
    words = [word for post in posts for word in _WORD_SEPARATORS.split(post) if word]
    if any(_is_abbreviation(word) for word in words):
        return DesignationError.ABBREVIATION
    if any(_has_bad_characters(post) for post in posts):
        return DesignationError.BAD_CHARACTERS
    if len(posts) > max_posts:
        return DesignationError.TOO_MANY_POSTS
    return None


def check_pcs_code(value: str) -> tuple[str, bool]:
    """PCS-ESE job code: 3 digits and a lower-case letter (`526A ` -> `("526a", True)`).

    Only the format: whether the code exists is read from the nomenclature file by a service.
    """
    compact = re.sub(r"\s+", "", value or "").lower()
    return compact, bool(_PCS_PATTERN.match(compact))
