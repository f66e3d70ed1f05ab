"""Employees in bulk (issue 14): the columns of the import file and how its headers are matched.

A file (xlsx or CSV, app.imports.spreadsheet; or a DSN, app.imports.dsn) becomes rows of raw
values keyed by the field names below. Headers are matched case-, accent- and
punctuation-insensitively, in any order; unknown columns are reported, not fatal. A column left
out of the file keeps, on an update, what the employee had (a DSN carries no risks, for instance).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

RISK_SEPARATOR = "|"
ERRORS_COLUMN = "erreurs"  # the last column of the file of rows in error (app.imports.errors)


@dataclass(frozen=True)
class Column:
    key: str  # the field of the employee form it fills
    header: str  # as written in the template (French)
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("last_name", "Nom d'usage", ("nom", "nom usuel")),
    Column("birth_name", "Nom de naissance", ("nom de famille", "nom patronymique")),
    Column("first_name", "Prénom", ("prenoms",)),
    Column("sex", "Sexe", ("genre",)),
    Column("birth_date", "Date de naissance", ("ne le", "ne e le")),
    Column("nir", "NIR", ("numero de securite sociale", "n de securite sociale", "nss",
                          "n securite sociale", "securite sociale")),
    Column("ntt", "NTT", ("numero technique temporaire",)),
    Column("siret", "SIRET de l'établissement", ("siret", "etablissement",
                                                 "siret etablissement")),
    Column("work_post", "Poste", ("poste de travail", "emploi", "libelle emploi",
                                  "designation du poste")),
    Column("pcs_code", "Code PCS-ESE", ("pcs", "pcs ese", "code pcs")),
    Column("contract", "Type de contrat", ("contrat", "nature du contrat")),
    Column("hired_on", "Date d'entrée dans l'entreprise", ("date d embauche", "embauche",
                                                            "date d entree")),
    Column("post_entry_on", "Date d'entrée dans le poste", ("entree dans le poste",
                                                           "date de prise de poste")),
    Column("contract_end_on", "Date de fin de contrat", ("fin de contrat", "date de sortie")),
    Column("apprentice", "Apprenti", ("apprentissage",)),
    Column("night_work", "Travail de nuit", ("travailleur de nuit", "nuit")),
    Column("risks", "Risques", ("codes risques", "risques declares")),
    Column("language", "Langue"),
    Column("address", "Adresse"),
    Column("postal_code", "Code postal", ("cp",)),
    Column("city", "Ville", ("commune",)),
    Column("country", "Pays"),
    Column("complementary_info", "Informations complémentaires", ("commentaire",)),
)  # fmt: skip
BY_KEY = {column.key: column for column in COLUMNS}


def normalise_header(text: object) -> str:
    """'Date d’entrée dans l’Entreprise ' -> 'date d entree dans l entreprise'."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.lower()).split())


_BY_NAME = {
    normalise_header(name): column.key
    for column in COLUMNS
    for name in (column.header, column.key, *column.aliases)
}


@dataclass
class HeaderMatch:
    fields: dict[int, str] = field(default_factory=dict)  # column index -> field key
    unknown: list[str] = field(default_factory=list)  # headers reported, not imported
    duplicated: list[str] = field(default_factory=list)  # a field named by two columns
    # The file must have a NIR or an NTT column (the match with the workforce); the other
    # columns may be left out (an update of the posts, say): a new employee's row then lacks
    # its values and is in error, column by column.
    missing: list[str] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return set(self.fields.values())


def match_headers(headers: list[object]) -> HeaderMatch:
    """Which column fills which field; empty header cells are ignored."""
    found = HeaderMatch()
    for index, header in enumerate(headers):
        name = normalise_header(header)
        if not name:
            continue
        key = _BY_NAME.get(name)
        if name == ERRORS_COLUMN:  # the file of rows in error, fixed and sent again
            continue
        if key is None:
            found.unknown.append(str(header).strip())
        elif key in found.keys:
            found.duplicated.append(str(header).strip())
        else:
            found.fields[index] = key
    if not {"nir", "ntt"} & found.keys:
        found.missing.append(f"{BY_KEY['nir'].header} ou {BY_KEY['ntt'].header}")
    return found


# ---- Reading a row's cells ---------------------------------------------------------------
# Each parser takes the cell (str, number, date, bool or None) and returns the value, or raises
# ValueError whose message is the error code (app/views/import_messages.py says it in French).

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d%m%Y")
_SEXES = {"m": "M", "h": "M", "homme": "M", "masculin": "M", "1": "M",
          "f": "F", "femme": "F", "feminin": "F", "2": "F"}  # fmt: skip
_BOOLEANS = {"oui": True, "o": True, "x": True, "1": True, "vrai": True, "yes": True,
             "true": True, "non": False, "n": False, "0": False, "faux": False, "no": False,
             "false": False}  # fmt: skip
# Contract kinds (values of app.models.employee.Contract) by their usual French names.
CONTRACTS = {
    "cdi": "cdi", "contrat a duree indeterminee": "cdi", "cdi intermittent": "cdi",
    "cdd": "cdd", "contrat a duree determinee": "cdd", "cdd d usage": "cdd",
    "apprentissage": "apprenticeship", "contrat d apprentissage": "apprenticeship",
    "apprenti": "apprenticeship", "apprenticeship": "apprenticeship",
    "professionnalisation": "professionalisation",
    "contrat de professionnalisation": "professionalisation",
    "professionalisation": "professionalisation",
    "interim": "temporary", "mission": "temporary", "contrat de mission": "temporary",
    "travail temporaire": "temporary", "temporary": "temporary",
    "saisonnier": "seasonal", "contrat saisonnier": "seasonal", "seasonal": "seasonal",
    "autre": "other", "other": "other",
}  # fmt: skip
LANGUAGES = {
    "fr": "fr", "francais": "fr", "en": "en", "anglais": "en", "de": "de", "allemand": "de",
    "es": "es", "espagnol": "es", "it": "it", "italien": "it", "pt": "pt", "portugais": "pt",
    "ar": "ar", "arabe": "ar", "tr": "tr", "turc": "tr", "autre": "other", "other": "other",
}  # fmt: skip
MAX_LENGTHS = {"last_name": 100, "first_name": 100, "birth_name": 100, "work_post": 200,
               "address": 250, "postal_code": 10, "city": 100, "country": 60,
               "complementary_info": 250, "nir": 25, "ntt": 45, "siret": 20,
               "pcs_code": 10}  # fmt: skip
DATE_FIELDS = ("birth_date", "hired_on", "post_entry_on", "contract_end_on")
REQUIRED = ("last_name", "first_name", "sex", "birth_date", "hired_on")


def text_of(cell: object) -> str | None:
    """A cell as text: a number typed in Excel (a NIR, a postal code) without its `.0`."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "oui" if cell else "non"
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime | date):
        return cell.strftime("%d/%m/%Y")
    return " ".join(str(cell).split()) or None


def parse_date(cell: object) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = text_of(cell) or ""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("import_bad_date")


def _choice(table: dict[str, object], code: str):
    def parse(cell: object):
        found = table.get(normalise_header(text_of(cell)))
        if found is None:
            raise ValueError(code)
        return found

    return parse


parse_sex = _choice(_SEXES, "import_bad_sex")
parse_boolean = _choice(_BOOLEANS, "import_bad_boolean")
parse_contract = _choice(CONTRACTS, "import_bad_contract")
parse_language = _choice(LANGUAGES, "import_bad_language")


def parse_risk_codes(cell: object) -> list[str]:
    """'BRUIT | ecran' -> ['BRUIT', 'ECRAN'] (codes in capitals, each once, in order)."""
    codes = (part.strip().upper() for part in (text_of(cell) or "").split(RISK_SEPARATOR))
    return list(dict.fromkeys(code for code in codes if code))


_PARSERS = {
    **dict.fromkeys(DATE_FIELDS, parse_date),
    "sex": parse_sex,
    "apprentice": parse_boolean,
    "night_work": parse_boolean,
    "contract": parse_contract,
    "language": parse_language,
    "risks": parse_risk_codes,
}


@dataclass
class ParsedRow:
    """A row's values by field (only the file's columns; None for an empty cell) and its errors
    as (field, code)."""

    values: dict[str, object] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, key: str, code: str) -> None:
        self.errors.append((key, code))


def parse_row(raw: dict[str, object]) -> ParsedRow:
    """Read each cell of a row (raw: field -> cell) into its type; the rules of the record
    (identifiers, dates' order, references) are checked afterwards, as for the form."""
    row = ParsedRow()
    for key, cell in raw.items():
        text = text_of(cell)
        if text is None:
            row.values[key] = [] if key == "risks" else None
            if key in REQUIRED:
                row.error(key, "import_required")
            continue
        if key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
            row.error(key, "import_too_long")
            continue
        if key == "postal_code" and text.isdigit() and len(text) == 4:
            text = "0" + text  # typed as a number in Excel (01000 became 1000)
        parser = _PARSERS.get(key)
        try:
            row.values[key] = text if parser is None else parser(cell)
        except ValueError as error:
            row.error(key, str(error))
    _contract_and_apprentice(row)
    return row


def _contract_and_apprentice(row: ParsedRow) -> None:
    """The apprentice column ("oui") means the apprenticeship contract: it fills an empty
    contract and must agree with a given one."""
    apprentice, contract = row.values.get("apprentice"), row.values.get("contract")
    if apprentice and contract is None and "contract" not in dict(row.errors):
        row.values["contract"] = "apprenticeship"
    elif (
        apprentice is not None
        and contract is not None
        and apprentice != (contract == "apprenticeship")
    ):
        row.error("apprentice", "import_apprentice_contract")
