"""Contact details typed in every form: e-mail addresses, phone numbers, postal codes and towns
(issue 9, "Forms": the same checks on both sides, for members, establishments, contacts, centres,
health professionals, employees and user accounts).

- E-mail: the syntax of RFC 5321/5322 as checked by `email-validator` (no DNS look-up: a form must
  not wait on the network); the domain is stored in its normalised form (lower case).
- Phone: parsed by `phonenumbers` (Google's libphonenumber metadata). A number without a country
  prefix is French; overseas departments (0262, 0590...) are tried too. French numbers are stored
  in the national format `03 22 33 44 55`, foreign ones in the international format
  (`+44 20 7946 0958`), or in E.164 when that would not fit the 20 characters of the columns.
- Postal code: five digits (the existence in La Poste's list is the service's look-up); only
  French addresses are checked.
- CEDEX: a business address may use a CEDEX code (`80001 AMIENS CEDEX 1`), which is not in La
  Poste's list of communes' postal codes; it is recognised by its town ending in `CEDEX` (and an
  optional office number).
- Town: compared with La Poste's names without case, accents or punctuation, and with
  `SAINT`/`SAINTE` written `ST`/`STE` as La Poste does (`Saint-Étienne` is `ST ETIENNE`).

Pure functions returning the normalised value and an error code (None when valid).
"""

import enum
import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.domain.names import strip_accents

MAX_EMAIL = 254
MAX_PHONE = 20
# Regions that share France's numbering plan, dialled with a leading 0 from France.
FRENCH_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF")
_PHONE_CHARACTERS = re.compile(r"[0-9+ .()/-]+", re.ASCII)
_POSTAL_CODE = re.compile(r"[0-9]{5}", re.ASCII)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_CEDEX = re.compile(r"(?P<town>.+) CEDEX(?: [0-9]{1,2})?")
_SAINTS = {"SAINT": "ST", "SAINTE": "STE"}
FRANCE_NAMES = frozenset({"", "FRANCE", "FR", "FRA", "FRANCE METROPOLITAINE"})


class ContactError(enum.Enum):
    BAD_EMAIL = "bad_email"
    BAD_PHONE = "bad_phone"
    BAD_POSTAL_CODE = "bad_postal_code"
    UNKNOWN_POSTAL_CODE = "unknown_postal_code"
    CITY_NOT_IN_POSTAL_CODE = "city_not_in_postal_code"


def normalise_email(text: str | None) -> tuple[str, ContactError | None]:
    text = (text or "").strip()
    if len(text) > MAX_EMAIL:
        return text, ContactError.BAD_EMAIL
    try:
        return validate_email(text, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return text, ContactError.BAD_EMAIL


def _parse_phone(text: str):
    for region in FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return number
        if text.startswith("+"):
            return None  # the prefix names the country: no other region to try
    return None


def normalise_phone(text: str | None) -> tuple[str, ContactError | None]:
    """`0322334455`, `+33 3 22 33 44 55` -> `03 22 33 44 55`; letters are refused (libphonenumber
    would read `0322334455x` as an extension)."""
    text = (text or "").strip()
    if not _PHONE_CHARACTERS.fullmatch(text):
        return text, ContactError.BAD_PHONE
    number = _parse_phone(text)
    if number is None:
        return text, ContactError.BAD_PHONE
    if phonenumbers.region_code_for_number(number) in FRENCH_REGIONS:
        style = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    formatted = phonenumbers.format_number(number, style)
    if len(formatted) > MAX_PHONE:
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted, None


def is_france(country: str | None) -> bool:
    """Whether a country typed in a form means France (empty means France: the portal's
    default)."""
    return city_key(country or "") in FRANCE_NAMES


def check_postal_code(text: str | None) -> tuple[str, ContactError | None]:
    """A French postal code: five digits (spaces typed inside are dropped: `80 000`)."""
    compact = "".join((text or "").split())
    if not _POSTAL_CODE.fullmatch(compact):
        return compact, ContactError.BAD_POSTAL_CODE
    return compact, None


def city_key(name: str) -> str:
    """A town's name as La Poste writes it, for comparison: `Saint-Étienne` -> `ST ETIENNE`,
    `L'Abergement` -> `L ABERGEMENT`."""
    words = _NOT_ALNUM.sub(" ", strip_accents(name or "").upper()).split()
    return " ".join(_SAINTS.get(word, word) for word in words)


def match_city(city: str | None, communes: list[str]) -> str | None:
    """The commune of `communes` (La Poste's names of one postal code) that `city` names, or
    None."""
    key = city_key(city or "")
    return next((commune for commune in communes if city_key(commune) == key), None)


def cedex_town(city: str | None) -> str | None:
    """The town of a CEDEX delivery label (`Amiens Cedex 1` -> `AMIENS`), or None when `city` is
    not one."""
    found = _CEDEX.fullmatch(city_key(city or ""))
    return found.group("town") if found else None
