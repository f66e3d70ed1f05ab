"""DSN files for the tests, built from the cahier technique's structure (norme NEODeS text format):
S10 envelope and sender, S20 declaration, S21.G00.06 company, then per S21.G00.11 establishment its
individuals (S21.G00.30), each with contracts (S21.G00.40, an optional S21.G00.62 end right after
the contract it ends) and a payment with contributions (S21.G00.50/51/78/81, blocks the import
skips), and the S90 totals. Encoded ISO-8859-1 like a real file.

No real person: names are made up and NIRs are built from fake parts with a valid key
(`KK = 97 - N mod 97`); the DSN declares the NIR's 13 characters without the key.
"""

from dataclasses import dataclass, field
from datetime import date

SIREN = "732829320"  # fake company; passes the Luhn check


def nir_key(first_13: str) -> str:
    """97 - (N mod 97), Corsica's 2A/2B counted as 19/18."""
    number = int(first_13.upper().replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


def make_nir(sex: str = "1", born: date = date(1985, 3, 1), place: str = "75056",
             order: int = 1) -> str:  # fmt: skip
    """A 15-character NIR with a valid key: sex, YY, MM, département+commune, order, key."""
    first = f"{sex}{born.year % 100:02d}{born.month:02d}{place}{order % 1000:03d}"
    return first + nir_key(first)


def wrong_key(nir: str) -> str:
    """The same NIR with a key off by one (still two digits)."""
    key = int(nir[13:])
    return nir[:13] + f"{key % 97 + 1:02d}"


def make_ntt(siren: str = SIREN, sex: str = "1", serial: int = 1) -> str:
    """A numéro technique temporaire: the sex digit, the employer's SIREN, then a serial."""
    return f"{sex}{siren}{serial:05d}"


@dataclass
class Contract:
    start: date
    nature: str = "01"  # S21.G00.40.007: 01 CDI, 02 CDD, 03 mission (intérim)...
    scheme: str = "99"  # S21.G00.40.008: 64/65/81 apprentissage, 61 professionnalisation
    pcs: str = "526a"
    label: str = "Agent de service"
    number: str = "00001"
    planned_end: date | None = None  # S21.G00.40.010
    work_place: str | None = None  # S21.G00.40.019 (a SIRET)
    reason: str | None = None  # S21.G00.40.021 motif de recours (03 saisonnier)
    end: date | None = None  # S21.G00.62.001
    end_reason: str = "031"  # S21.G00.62.002: 031 fin de CDD


@dataclass
class Individual:
    family_name: str
    first_names: str
    sex: str = "01"  # S21.G00.30.005: 01 masculin, 02 féminin
    birth_date: date | str = date(1985, 3, 14)  # a str is written as is (a malformed date)
    nir: str | None = None  # 15 characters; written without its key unless `nir_as_is`
    ntt: str | None = None
    usage_name: str | None = None
    nir_as_is: bool = False
    contracts: list[Contract] = field(default_factory=list)


@dataclass
class Establishment:
    nic: str
    individuals: list[Individual] = field(default_factory=list)
    postal_code: str = "75011"
    city: str = "PARIS"


def _date(value: date | str | None) -> str:
    return value.strftime("%d%m%Y") if isinstance(value, date) else (value or "")


class _Lines:
    def __init__(self):
        self.lines: list[str] = []

    def add(self, rubric: str, value: object) -> None:
        if value is not None and value != "":
            self.lines.append(f"{rubric},'{value}'")


def _individual(out: _Lines, person: Individual, month: date) -> None:
    declared = person.nir if person.nir_as_is or not person.nir else person.nir[:13]
    for number, value in (("001", declared), ("002", person.family_name),
                          ("003", person.usage_name), ("004", person.first_names),
                          ("005", person.sex), ("006", _date(person.birth_date)),
                          ("008", "12 RUE DES LILAS"), ("009", "75011"), ("010", "PARIS"),
                          ("020", person.ntt)):  # fmt: skip
        out.add(f"S21.G00.30.{number}", value)
    for contract in person.contracts:
        _contract(out, contract)
    out.add("S21.G00.50.001", _date(month.replace(day=28)))
    out.add("S21.G00.50.002", "1800.00")
    out.add("S21.G00.51.001", _date(month))
    out.add("S21.G00.51.011", "001")
    out.add("S21.G00.51.013", "2300.00")
    out.add("S21.G00.78.001", "03")
    out.add("S21.G00.78.004", "2300.00")
    out.add("S21.G00.81.001", "076")
    out.add("S21.G00.81.004", "79.35")


def _contract(out: _Lines, contract: Contract) -> None:
    for number, value in (("001", _date(contract.start)), ("002", "06"), ("004", contract.pcs),
                          ("006", contract.label), ("007", contract.nature),
                          ("008", contract.scheme), ("009", contract.number),
                          ("010", _date(contract.planned_end)), ("019", contract.work_place),
                          ("021", contract.reason)):  # fmt: skip
        out.add(f"S21.G00.40.{number}", value)
    if contract.end is not None:
        out.add("S21.G00.62.001", _date(contract.end))
        out.add("S21.G00.62.002", contract.end_reason)


def build_dsn(establishments: list[Establishment], *, siren: str = SIREN,
              month: date = date(2027, 1, 1), unknown_block: bool = False,
              extra_lines: list[str] = (), encoding: str = "latin-1") -> bytes:  # fmt: skip
    """The DSN as bytes; `unknown_block` adds an S21.G00.99 block (not in the norm) to the first
    individual, `extra_lines` are written as is before the totals."""
    out = _Lines()
    for rubric, value in (("S10.G00.00.001", "LOGICIEL DE PAIE TEST"), ("S10.G00.00.002", "TESTS"),
                          ("S10.G00.00.003", "1.0"), ("S10.G00.00.005", "01"),
                          ("S10.G00.00.006", "P25V01"), ("S10.G00.00.008", "01"),
                          ("S10.G00.01.001", siren), ("S10.G00.01.002", "00012"),
                          ("S10.G00.01.003", "CABINET DE PAIE FICTIF"),
                          ("S10.G00.02.002", "Gestionnaire Fictive"),
                          ("S20.G00.05.001", "01"), ("S20.G00.05.002", "01"),
                          ("S20.G00.05.003", "11"), ("S20.G00.05.005", _date(month)),
                          ("S21.G00.06.001", siren), ("S21.G00.06.002", "00012"),
                          ("S21.G00.06.003", "8121Z")):  # fmt: skip
        out.add(rubric, value)
    for establishment in establishments:
        out.add("S21.G00.11.001", establishment.nic)
        out.add("S21.G00.11.002", "8121Z")
        out.add("S21.G00.11.004", establishment.postal_code)
        out.add("S21.G00.11.005", establishment.city)
        for person in establishment.individuals:
            _individual(out, person, month)
            if unknown_block:
                out.add("S21.G00.99.001", "VALEUR INCONNUE")
                unknown_block = False
    out.lines.extend(extra_lines)
    out.add("S90.G00.90.001", len(out.lines) + 2)
    out.add("S90.G00.90.002", "1")
    return ("\r\n".join(out.lines) + "\r\n").encode(encoding)


_DEPARTMENTS = [number for number in range(1, 96) if number != 20]  # 20: Corsica is 2A/2B


def many(count: int, per_establishment: int = 5000) -> list[Establishment]:
    """`count` individuals on CDI, spread over establishments of `per_establishment` each."""
    establishments = []
    for index in range(count):
        if index % per_establishment == 0:
            establishments.append(Establishment(nic=f"{len(establishments) + 1:05d}"))
        born = date(1960 + index % 40, index % 12 + 1, index % 28 + 1)
        place = f"{_DEPARTMENTS[index // 1000 % 94]:02d}{index % 1000:03d}"  # unique to 94,000
        nir = make_nir(sex="12"[index % 2], born=born, place=place, order=index)
        establishments[-1].individuals.append(
            Individual(
                f"NOM{index}",
                f"PRENOM{index}",
                sex=f"0{index % 2 + 1}",
                birth_date=born,
                nir=nir,
                contracts=[Contract(start=date(2020, 1, 1))],
            )  # fmt: skip
        )
    return establishments
