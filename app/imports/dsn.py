"""The DSN (déclaration sociale nominative) read as employee rows (issue 14): pure parsing, no
database. The rows carry the keys of app.domain.employee_import.COLUMNS and go through the same row
checks as a spreadsheet's.

The file is the text format of the norme NEODeS: one rubric a line, `S21.G00.30.002,'DUPONT'`
(block `S21.G00.30`, rubric `002`, value in single quotes), ISO-8859-1 per the norm (UTF-8 is
accepted too: it is tried strictly first), dates JJMMAAAA. A block instance ends where another
block starts or where the rubric numbers start again (they are ascending within a block). It is read
line by line: only the current block and the rows made so far are kept.

Rubrics used, with the public sources they were checked against (the cahier technique DSN of
net-entreprises.fr, e.g. dsn-cahier-technique-2023.1.pdf, as reproduced by DSN tools):
Fibre44/dsn-parser (README's block table and rubric map, "cahier technique 2023.1"); the
nomenclatures of 40.007 (nature), 40.008 (dispositif) and 40.021 (motif de recours) in
OpenConcerto's DSN tables and a payroll tool's DSN_NATURE_CONTRAT; the NIR's 13 characters in a DSN
writer corrected by DSN-VAL ("longueur maximale autorisée (13)").

- S10.G00.00.006 version de la norme; S20.G00.05.005 mois principal déclaré (01MMAAAA).
- S21.G00.06 Entreprise: .001 SIREN.
- S21.G00.11 Établissement: .001 NIC (SIRET = SIREN + NIC), .004 code postal, .005 localité. The
  norm has no name for an establishment.
- S21.G00.30 Individu: .001 NIR (13 characters: the key is not declared), .002 nom de famille,
  .003 nom d'usage, .004 prénoms, .005 sexe (01 masculin, 02 féminin), .006 date de naissance,
  .020 NTT (numéro technique temporaire).
- S21.G00.40 Contrat: .001 date de début, .004 PCS-ESE, .006 libellé de l'emploi, .007 nature du
  contrat, .008 dispositif de politique publique, .010 date de fin prévisionnelle, .019
  identifiant du lieu de travail, .021 motif de recours.
- S21.G00.62 Fin du contrat (after the contract it ends): .001 date de fin, .002 motif de rupture.

Choices (what a payroll manager would expect):
- The establishment: the one the individual is declared under (S21.G00.11), unless the contract's
  work place (40.019) is the SIRET of another establishment of the same company: occupational
  health follows the place where one works. A work place of another company (a temp worker's user
  company) or a non-SIRET place (an S21.G00.85 id) is not the member's establishment: ignored.
- One row per individual, also when one is declared under two establishments (a transfer in the
  month): the contract still running wins over an ended one, then the latest started, then the
  last declared. It is the person's situation at the end of the month.
- Dates of the contract kept: hired_on and post_entry_on are its start (the DSN has no date of
  entry in the company); contract_end_on is its S21.G00.62 end, else its planned end (40.010)
  unless it is a CDI.
- A file may hold several companies (one envoi by a payroll firm): `siren` is the first one, each
  establishment's SIRET is built with its own company's SIREN.
- The NIR is declared without its key: the key is computed, so the row holds the 15 characters the
  employee form keeps. A 15-character value (software that writes the key, outside the norm) is
  passed as declared, so the row checks report a wrong key.
"""

import codecs
import enum
import re
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import BinaryIO

from babel.numbers import format_decimal
from stdnum.fr import nir as stdnum_nir

# Blocks of the norm (Fibre44/dsn-parser's table of the cahier technique 2023.1, plus S10.G00.02,
# S21.G00.53/58/60 seen in other DSN writers). Seven are read (see _Reader.closers); the others are
# expected in a monthly DSN (payments, contributions...) and skipped silently. Any block not listed
# here (a newer norm's, or a typo) is reported as information.
KNOWN_BLOCKS = frozenset(
    ["S10.G00.00", "S10.G00.01", "S10.G00.02", "S20.G00.05", "S20.G00.07", "S20.G00.08"]
    + [f"S21.G00.{n:02d}" for n in (6, 11, 12, 13, 15, 16, 20, 22, 23, 30, 31, 34, 40, 41, 44)]
    + [f"S21.G00.{n:02d}" for n in (45, 50, 51, 52, 53, 54, 55, 56, 58, 60, 62, 63, 65, 66)]
    + [f"S21.G00.{n:02d}" for n in (70, 71, 72, 73, 78, 79, 81, 82, 83, 84, 85, 86, 95, 98)]
    + ["S90.G00.90"]
)
COMPANY, ESTABLISHMENT, INDIVIDUAL = "S21.G00.06", "S21.G00.11", "S21.G00.30"
CONTRACT, CONTRACT_END = "S21.G00.40", "S21.G00.62"

# S21.G00.40.007 nature du contrat.
_OPEN_ENDED = {"01", "07", "09", "82", "91"}  # CDI privé, intermittent, public, de chantier, marin
_FIXED_TERM = {"02", "10", "92"}  # CDD de droit privé, de droit public, engagement maritime
_TEMPORARY = {"03", "08"}  # contrat de mission (intérim), CDI intérimaire: both work on missions
# S21.G00.40.008 dispositif de politique publique.
_APPRENTICESHIP = {"64", "65", "81"}  # apprentissage: artisanal/<11, >=11 salariés, secteur public
_PROFESSIONALISATION = {"61"}
_SEASONAL_REASONS = {"03", "04"}  # S21.G00.40.021: emploi à caractère saisonnier, vendanges
_SEX = {"01": "M", "02": "F"}

_LINE = re.compile(r"(S\d{2}\.G\d{2}\.\d{2})\.(\d{3}),(.*)")
_DATE = re.compile(r"\d{8}")
_PROBE_LINES = 50  # non-blank lines read before giving up on a file that has no rubric at all
MAX_ERRORS = 200  # lines reported one by one; the others are counted
_CHUNK = 1 << 20


class DsnRefusal(enum.Enum):
    EMPTY = "empty"
    NOT_DSN = "not_dsn"  # binary, or text without S10/S20/S21 rubrics
    NO_INDIVIDUAL = "no_individual"
    TOO_MANY_ROWS = "too_many_rows"


class DsnFileError(Exception):
    """A file refused as a whole; `message` is French, shown to the user as is."""

    def __init__(self, message: str, code: DsnRefusal):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class DsnEstablishment:
    siret: str | None  # SIREN + NIC; None when the NIC is missing
    nic: str | None
    line: int
    postal_code: str | None = None
    city: str | None = None


@dataclass
class DsnRow:
    line: int  # the first line of the individual's S21.G00.30 block (its .001 when declared)
    values: dict[str, object]
    ended: bool = False  # an S21.G00.62 block ended the contract kept


@dataclass
class DsnFile:
    siren: str | None = None
    establishments: list[DsnEstablishment] = field(default_factory=list)
    rows: list[DsnRow] = field(default_factory=list)
    unknown_blocks: list[str] = field(default_factory=list)  # not in the norm as we know it: info
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, French message)
    norm: str | None = None  # S10.G00.00.006, e.g. "P25V01"
    month: date | str | None = None  # S20.G00.05.005, the first day of the declared month


def parse_dsn(data: bytes | BinaryIO, max_rows: int | None = None) -> DsnFile:
    """The DSN's establishments and one row per individual; raises DsnFileError for a file that
    is empty, not a DSN, has no individual or (as soon as it is seen) more than `max_rows`
    individuals. Malformed lines are reported, not fatal. `data` may be a seekable binary file."""
    stream = BytesIO(data) if isinstance(data, bytes | bytearray) else data
    encoding = _encoding(stream)
    reader = _Reader(max_rows)
    for number, raw in enumerate(stream, start=1):
        if b"\x00" in raw:
            raise DsnFileError("Ce fichier n'est pas une DSN : son contenu est binaire.",
                               DsnRefusal.NOT_DSN)  # fmt: skip
        reader.read_line(number, raw.decode(encoding).strip())
    return reader.finish()


def _encoding(stream: BinaryIO) -> str:
    """UTF-8 when the whole file decodes strictly as UTF-8 (checked by chunks), else ISO-8859-1."""
    start = stream.tell()
    first = stream.read(3)
    stream.seek(start)
    if first == codecs.BOM_UTF8:
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"
    finally:
        stream.seek(start)


def _value(text: str) -> str | None:
    """`'DUPONT'` -> `DUPONT` (inner quotes kept: `'D'ARC'`); an unquoted value is taken as is.
    None when the opening quote is never closed."""
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            return None
        text = text[1:-1]
    return text.strip()


def _date(text: str | None) -> date | str | None:
    """JJMMAAAA -> date; the raw text when it is no date, for the row checks to report."""
    if not text:
        return None
    if _DATE.fullmatch(text):
        try:
            return date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            pass
    return text


def _nir(text: str | None) -> str | None:
    """The declared 13 characters plus their key (97 - N mod 97, 2A/2B as 19/18).

    The norm declares the NIR without its key (DSN-VAL refuses more than 13 characters); the
    employee form keeps 15. Any other length is passed as declared for the row checks."""
    if not text:
        return None
    compact = text.replace(" ", "").upper()
    if len(compact) == 13 and (compact[:5] + compact[7:]).isdigit():
        try:
            return compact + stdnum_nir.calc_check_digits(compact)
        except ValueError:
            return text
    return text


def _contract_kind(contract: dict[int, str]) -> str:
    """One of app.models.employee.Contract's values (plain strings: the parser needs no model)."""
    nature, scheme = contract.get(7, ""), contract.get(8, "")
    if scheme in _APPRENTICESHIP or nature == "54":  # 54: emploi pénitentiaire en apprentissage
        return "apprenticeship"
    if scheme in _PROFESSIONALISATION:
        return "professionalisation"
    if nature in _TEMPORARY:
        return "temporary"
    if nature in _OPEN_ENDED:
        return "cdi"
    if nature in _FIXED_TERM:
        return "seasonal" if contract.get(21) in _SEASONAL_REASONS else "cdd"
    return "other"


@dataclass
class _Individual:
    line: int
    fields: dict[int, str]
    siret: str | None
    contracts: list[dict] = field(default_factory=list)  # rubrics, plus "line" and "end"

    @property
    def key(self) -> str | None:
        return self.fields.get(1) or self.fields.get(20)


def _rank(contract: dict | None, order: int) -> tuple:
    """The contract kept: running before ended, then latest started, then last declared."""
    if contract is None:
        return (False, date.min, order)
    start = _date(contract.get(1))
    return (contract.get("end") is None, start if isinstance(start, date) else date.min, order)


class _Reader:
    """Block instances in, establishments and rows out; one block instance held at a time."""

    def __init__(self, max_rows: int | None = None):
        self.file = DsnFile()
        self.max_rows = max_rows
        self.siren: str | None = None  # of the current S21.G00.06 (a file may hold several)
        self.block: str | None = None
        self.rubrics: dict[int, str] = {}
        self.block_line = 0
        self.last_number = 0
        self.individual: _Individual | None = None
        self.establishment: DsnEstablishment | None = None
        self.by_key: dict[str, int] = {}  # individual's NIR/NTT -> index in rows
        self.kept: list[tuple] = []  # rank of each row's contract, to merge duplicates
        self.seen_rubric = self.seen_dsn = False
        self.blank = True
        self.probed = self.omitted = self.omitted_from = 0
        self.closers = {  # the blocks read; the others are skipped
            "S10.G00.00": self._close_envelope,
            "S20.G00.05": self._close_declaration,
            COMPANY: self._close_company,
            ESTABLISHMENT: self._close_establishment,
            INDIVIDUAL: self._close_individual,
            CONTRACT: self._close_contract,
            CONTRACT_END: self._close_contract_end,
        }

    def read_line(self, number: int, text: str) -> None:
        if not text:
            return
        self.blank = False
        match = _LINE.fullmatch(text)
        value = _value(match.group(3)) if match else None
        if not match or value is None:
            return self._malformed(number, "rubrique illisible" if not match else
                                   "valeur sans apostrophe fermante")  # fmt: skip
        self.seen_rubric = True
        block, rubric = match.group(1), int(match.group(2))
        self.seen_dsn = self.seen_dsn or block[:3] in ("S10", "S20", "S21")
        if block != self.block or rubric <= self.last_number:
            self._close_block()
            self._open_block(block, number)
        self.rubrics[rubric] = value
        self.last_number = rubric

    def _malformed(self, number: int, message: str) -> None:
        if not self.seen_rubric:
            self.probed += 1
            if self.probed >= _PROBE_LINES:
                raise _not_dsn()
        self._error(number, message)

    def _open_block(self, block: str, number: int) -> None:
        self.block, self.block_line, self.rubrics, self.last_number = block, number, {}, 0
        if block not in KNOWN_BLOCKS and block not in self.file.unknown_blocks:
            self.file.unknown_blocks.append(block)
        # An individual's blocks run until the next individual, establishment, company or S90.
        if block in (COMPANY, ESTABLISHMENT, INDIVIDUAL) or not block.startswith("S21.G00."):
            self._finish_individual()

    def _close_block(self) -> None:
        closer = self.closers.get(self.block or "")
        if closer is not None:
            closer()

    def _close_envelope(self) -> None:
        self.file.norm = self.file.norm or self.rubrics.get(6)

    def _close_declaration(self) -> None:
        self.file.month = self.file.month or _date(self.rubrics.get(5))

    def _close_company(self) -> None:
        self.siren = self.rubrics.get(1)
        self.file.siren = self.file.siren or self.siren
        self.establishment = None

    def _close_establishment(self) -> None:
        nic, siren = self.rubrics.get(1), self.siren
        siret = f"{siren}{nic}" if nic and siren else None
        if siret is None:
            self._error(self.block_line, "établissement sans SIREN (S21.G00.06) ou sans NIC")
        self.establishment = DsnEstablishment(siret, nic, self.block_line, self.rubrics.get(4),
                                              self.rubrics.get(5))  # fmt: skip
        self.file.establishments.append(self.establishment)

    def _close_individual(self) -> None:
        if self.establishment is None:
            self._error(self.block_line, "individu déclaré hors de tout établissement (S21.G00.11)")
        siret = self.establishment.siret if self.establishment else None
        self.individual = _Individual(self.block_line, self.rubrics, siret)

    def _close_contract(self) -> None:
        if self.individual is None:
            return self._error(self.block_line, "contrat (S21.G00.40) hors de tout individu")
        self.individual.contracts.append({**self.rubrics, "line": self.block_line, "end": None})

    def _close_contract_end(self) -> None:
        if self.individual is None or not self.individual.contracts:
            return self._error(self.block_line, "fin de contrat (S21.G00.62) sans contrat")
        self.individual.contracts[-1]["end"] = self.rubrics

    def _error(self, line: int, message: str) -> None:
        if len(self.file.errors) < MAX_ERRORS:
            self.file.errors.append((line, f"ligne {line} : {message}"))
        else:
            self.omitted_from = self.omitted_from or line
            self.omitted += 1

    def _finish_individual(self) -> None:
        individual, self.individual = self.individual, None
        if individual is None:
            return
        order = len(self.kept)
        ranked = [(_rank(c, i), c) for i, c in enumerate(individual.contracts)]
        contract = max(ranked, key=lambda pair: pair[0])[1] if ranked else None
        rank, row = _rank(contract, order), _row(individual, contract, self.siren)
        index = self.by_key.get(individual.key) if individual.key else None
        if index is None:
            if self.max_rows is not None and len(self.file.rows) >= self.max_rows:
                raise _too_many(self.max_rows)
            if individual.key:
                self.by_key[individual.key] = len(self.file.rows)
            self.file.rows.append(row)
            self.kept.append(rank)
        elif rank > self.kept[index]:
            self.file.rows[index], self.kept[index] = row, rank

    def finish(self) -> DsnFile:
        self._close_block()
        self._finish_individual()
        if self.blank:
            raise DsnFileError("Le fichier est vide.", DsnRefusal.EMPTY)
        if not self.seen_dsn:
            raise _not_dsn()
        if not self.file.rows:
            raise DsnFileError("Cette DSN ne déclare aucun salarié (aucun bloc S21.G00.30).",
                               DsnRefusal.NO_INDIVIDUAL)  # fmt: skip
        if self.omitted:
            first, count = self.omitted_from, self.omitted
            message = f"ligne {first} et suivantes : {count} autres anomalies non détaillées"
            self.file.errors.append((first, message))
        return self.file


def _not_dsn() -> DsnFileError:
    return DsnFileError(
        "Ce fichier n'est pas une DSN : aucune ligne de la forme S21.G00.30.001,'…' "
        "(norme NEODeS).",
        DsnRefusal.NOT_DSN,
    )


def _too_many(limit: int) -> DsnFileError:
    count = format_decimal(limit, locale="fr_FR")  # "20 000", as the pages write it
    return DsnFileError(
        f"Le fichier déclare plus de {count} salariés : importez-le en plusieurs fois.",
        DsnRefusal.TOO_MANY_ROWS,
    )


def _row(individual: _Individual, contract: dict | None, siren: str | None) -> DsnRow:
    person, contract = individual.fields, contract or {}
    family, usage = person.get(2) or None, person.get(3) or None
    end = contract.get("end")
    start = _date(contract.get(1))
    kind = _contract_kind(contract) if contract else None
    values = {
        "last_name": usage or family,
        "birth_name": family if usage and usage != family else None,
        "first_name": (re.split(r"[\s,]+", person.get(4, "").strip()) or [""])[0] or None,
        "sex": _SEX.get(person.get(5, ""), person.get(5) or None),
        "birth_date": _date(person.get(6)),
        "nir": _nir(person.get(1)),
        "ntt": person.get(20) or None,
        "siret": _work_place(contract.get(19), siren) or individual.siret,
        "work_post": contract.get(6) or None,
        "pcs_code": contract.get(4) or None,
        "contract": kind,
        "apprentice": kind == "apprenticeship",
        "hired_on": start,
        "post_entry_on": start,
        "contract_end_on": _end_on(contract, end),
    }
    return DsnRow(individual.line, values, ended=end is not None)


def _work_place(place: str | None, siren: str | None) -> str | None:
    """40.019 when it is a SIRET of the declaring company (see the module's choices)."""
    if place and siren and len(place) == 14 and place.isdigit() and place.startswith(siren):
        return place
    return None


def _end_on(contract: dict, end: dict | None) -> date | str | None:
    """The end date of an ended contract, else the planned end of a contract that is not a CDI."""
    if end is not None:
        return _date(end.get(1))
    if contract.get(7) in _OPEN_ENDED:
        return None
    return _date(contract.get(10))
