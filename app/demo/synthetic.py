"""A large synthetic data set for the benchmarks (`flask bench-data`, bench/employees.py).

Members numbered from 500000 upward (named "BENCH <number>", valid SIRET), one head-office
establishment and one or a few work posts each, and their employees: member 500000 has exactly
`big` employees (the "big" member, of which one in ten is named DEUXMILLE: the filtered export),
member 500001 exactly 20 (the "small" reference), 78 % of the members fewer than 10, and the rest
a long tail, so that the total is `employees`. Rows go in through Core bulk inserts in batches
(never ORM objects one by one), on SQLite and PostgreSQL alike. Deterministic for a given seed.
"""

import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import islice

from sqlalchemy import delete, func, select, text
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from app import clock, planner_statistics
from app.extensions import db
from app.models.employee import Employee, WorkPost
from app.models.member import Establishment, Member
from app.models.reference import PcsCode
from app.models.user import PortalUser

FIRST_NUMBER = 500000
SMALL_SIZE = 20
FEW_SHARE = 0.78  # members with fewer than 10 employees
MARKER_NAME = "DEUXMILLE"  # last name of one in ten employees of the big member
BATCH = 5000
BIG_POSTS = 12
TAIL_CAP = 5000  # no other member comes near the big one

LAST_NAMES = (
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
    "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
    "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRE", "LEFEVRE", "MERCIER", "DUPONT", "LAMBERT",
    "BONNET", "FRANCOIS", "MARTINEZ", "LEGRAND", "GARNIER", "FAURE", "ROUSSEAU", "BLANC",
    "GUERIN", "MULLER", "HENRY", "ROUSSEL", "NICOLAS", "PERRIN", "MORIN", "MATHIEU", "CLEMENT",
    "GAUTHIER", "DUMONT", "LOPEZ", "FONTAINE", "CHEVALIER", "ROBIN", "MASSON", "SANCHEZ",
    "GERARD", "NGUYEN", "BOYER", "DENIS", "LEMAIRE", "DUVAL", "JOLY", "GAUTIER", "ROGER",
    "ROCHE", "ROY", "NOEL", "MEYER", "LUCAS", "MEUNIER", "JEAN", "PEREZ", "MARCHAND", "DUFOUR",
    "BLANCHARD", "MARIE", "BARBIER", "BRUN", "DUMAS", "BRUNET", "SCHMITT", "LEROUX", "COLIN",
    "FERNANDEZ", "PIERRE", "RENARD", "ARNAUD", "ROLLAND", "CARON", "AUBERT", "GIRAUD", "LECLERC",
    "VIDAL", "BOURGEOIS", "RENAUD", "LEMOINE", "PICARD", "GAILLARD", "PHILIPPE", "LECLERCQ",
    "LACROIX", "FABRE", "DUPUIS", "OLIVIER", "RODRIGUEZ", "DA SILVA", "HUBERT", "LOUIS",
)  # fmt: skip
FIRST_NAMES = {
    "M": ("Lucas", "Hugo", "Louis", "Nathan", "Gabriel", "Jules", "Arthur", "Léo", "Raphaël",
          "Théo", "Éric", "Jérôme", "Thomas", "Nicolas", "Julien", "Antoine", "Maxime", "Pierre",
          "Sébastien", "Olivier", "Laurent", "Romain", "Mathieu", "Kévin"),
    "F": ("Emma", "Jade", "Louise", "Alice", "Chloé", "Léa", "Manon", "Inès", "Camille", "Zoé",
          "Hélène", "Céline", "Marie", "Julie", "Sophie", "Aurélie", "Nathalie", "Sandrine",
          "Isabelle", "Laura", "Sarah", "Pauline", "Élodie", "Audrey"),
}  # fmt: skip
POSTS = (
    "Opérateur de production", "Cariste", "Magasinier", "Agent d'entretien", "Secrétaire",
    "Comptable", "Technicien de maintenance", "Chauffeur livreur", "Vendeur", "Soudeur",
    "Électricien", "Maçon", "Cuisinier", "Aide-soignant", "Agent de sécurité", "Commercial",
    "Assistant de direction", "Préparateur de commandes", "Conducteur de ligne", "Infirmier",
)  # fmt: skip
CATEGORIES = ("SI",) * 14 + ("SIA",) * 3 + ("SIR",) * 3


class BenchDataExistsError(RuntimeError):
    """Bench members are already there: drop them first (`flask bench-data --reset`)."""


def is_bench_number(number: str) -> bool:
    return number.isdigit() and int(number) >= FIRST_NUMBER


def bench_member_ids() -> dict[int, str]:
    """id -> number of the members numbered from 500000 upward."""
    rows = db.session.execute(select(Member.id, Member.number)).all()
    return {member_id: number for member_id, number in rows if is_bench_number(number)}


def siret(number: int) -> str:
    """A valid SIRET (Luhn keys of the SIREN and of the whole SIRET) derived from the number."""
    siren = f"9{number:07d}"
    siren += luhn.calc_check_digit(siren)
    head = siren + "0001"
    return head + luhn.calc_check_digit(head)


def sizes(members: int, employees: int, big: int, rng: random.Random) -> list[int]:
    """Employees per member: [big, 20, 78 % of the members below 10, a long tail above]."""
    if members < 2 or big < SMALL_SIZE:
        raise ValueError("at least 2 members, and a big member of 20 employees or more")
    few_count = min(round(members * FEW_SHARE), members - 2)
    tail_count = members - 2 - few_count
    budget = employees - big - SMALL_SIZE
    few = [rng.randint(1, 9) for _ in range(few_count)]
    if budget - sum(few) < 10 * tail_count:
        few = [1] * few_count
    tail_total = budget - sum(few)
    cap = max(min(big - 1, TAIL_CAP), 10)
    if not 10 * tail_count <= tail_total <= cap * tail_count:
        raise ValueError(f"{employees} employees cannot be spread over {members} members")
    return [big, SMALL_SIZE, *few, *_tail(tail_count, tail_total, cap, rng)]


def _tail(count: int, total: int, cap: int, rng: random.Random) -> list[int]:
    """`count` sizes between 10 and `cap` summing to `total`, Pareto-shaped (a few large)."""
    if count == 0:
        return []
    draws = [rng.paretovariate(1.3) - 1 for _ in range(count)]

    def spread(scale: float) -> list[int]:
        return [min(10 + int(draw * scale), cap) for draw in draws]

    low, high = 0.0, float(total)
    for _ in range(60):  # the scale that spends the budget
        middle = (low + high) / 2
        low, high = (middle, high) if sum(spread(middle)) < total else (low, middle)
    result = spread(low)
    missing = total - sum(result)
    index = 0
    while missing:  # rounding: one more (or less) employee here and there
        step = 1 if missing > 0 else -1
        if 10 <= result[index % count] + step <= cap:
            result[index % count] += step
            missing -= step
        index += 1
    rng.shuffle(result)
    return result


def _batched(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert(table, rows: Iterable[dict]) -> int:
    count = 0
    for batch in _batched(rows):
        db.session.execute(table.insert(), batch)
        count += len(batch)
    return count


def _member_rows(members: int, today: date) -> Iterator[dict]:
    for index in range(members):
        number = FIRST_NUMBER + index
        yield {
            "number": str(number),
            "name": f"BENCH {number}",
            "siret": siret(number),
            "naf_code": "2511Z",
            "address": f"{index % 200 + 1} rue des Essais",
            "postal_code": "80000",
            "city": "AMIENS",
            "is_temp_agency": False,
            "joined_on": today - timedelta(days=index % 5000),
            "status": "ACTIVE",
        }


def _post_rows(member_ids: list[int], pcs_ids: list[int], rng: random.Random) -> Iterator[dict]:
    for index, member_id in enumerate(member_ids):
        count = BIG_POSTS if index == 0 else rng.choice((1, 1, 2, 3))
        for designation in rng.sample(POSTS, count):
            yield {
                "member_id": member_id,
                "pcs_code_id": rng.choice(pcs_ids),
                "designation": designation,
                "description": "",
            }


def _nir(sex: str, birth: date, index: int) -> str:
    """A valid NIR, unique within the member by its commune and order number."""
    commune, order = divmod(index, 999)
    body = f"{1 if sex == 'M' else 2}{birth:%y%m}80{commune + 1:03d}{order + 1:03d}"
    return body + stdnum_nir.calc_check_digits(body)


def _employee(rng: random.Random, index: int, today: date, now: datetime) -> dict:
    sex = rng.choice("MF")
    birth = date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28))
    earliest = max(birth + timedelta(days=365 * 18), date(1990, 1, 1))
    hired = min(earliest + timedelta(days=rng.randint(0, 9000)), today - timedelta(days=30))
    exam = hired + timedelta(days=rng.randint(0, 1500))
    return {
        "last_name": rng.choice(LAST_NAMES),
        "first_name": rng.choice(FIRST_NAMES[sex]),
        "nir": None if rng.random() < 0.05 else _nir(sex, birth, index),
        "sex": sex,
        "language": "FR",
        "birth_date": birth,
        "postal_code": "80000",
        "city": "AMIENS",
        "country": "France",
        "hired_on": hired,
        "contract": "CDI",
        "post_entry_on": hired,
        "category": rng.choice(CATEGORIES),
        "category_on": hired,
        "last_exam_on": exam if exam < today else None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _employee_rows(plan: list[tuple[int, int, list[int], int]], rng, today) -> Iterator[dict]:
    """plan: (member id, establishment id, work post ids, size), the big member first."""
    now = clock.now()
    for position, (member_id, establishment_id, post_ids, size) in enumerate(plan):
        marked = size // 10 if position == 0 else 0
        for index in range(size):
            row = _employee(rng, index, today, now)
            if index < marked:
                row["last_name"] = MARKER_NAME
            row["member_id"] = member_id
            row["establishment_id"] = establishment_id
            row["work_post_id"] = post_ids[index % len(post_ids)]
            yield row


def _establishment_rows(ids: dict[int, str]) -> Iterator[dict]:
    for member_id, number in ids.items():
        yield {
            "member_id": member_id,
            "siret": siret(int(number)),
            "name": f"BENCH {number}",
            "postal_code": "80000",
            "city": "AMIENS",
            "is_head_office": True,
        }


def _children(model, ids: dict[int, str]) -> dict[int, list[int]]:
    """member id -> ids of its rows of `model` (establishments, work posts)."""
    found: dict[int, list[int]] = {}
    query = select(model.member_id, model.id).join(Member, Member.id == model.member_id)
    for member_id, row_id in db.session.execute(query.where(Member.name.like("BENCH %"))):
        if member_id in ids:
            found.setdefault(member_id, []).append(row_id)
    return found


def generate(members: int, employees: int, big: int, seed: int = 1) -> dict:
    """Insert the data set (the caller commits, then calls `settle`). Refuses when bench members
    already exist."""
    existing = bench_member_ids()
    if existing:
        raise BenchDataExistsError(
            f"{len(existing)} bench members (numbers >= {FIRST_NUMBER}) exist: drop them with "
            "`flask --app run bench-data --reset` (or synthetic.drop())"
        )
    pcs_ids = list(db.session.scalars(select(PcsCode.id).order_by(PcsCode.id)))
    if not pcs_ids:
        raise RuntimeError("the pcs_code table is empty: run `flask --app run setup` first")
    rng = random.Random(seed)
    today = clock.today()
    plan_sizes = sizes(members, employees, big, rng)
    _insert(Member.__table__, _member_rows(members, today))
    ids = dict(sorted(bench_member_ids().items(), key=lambda item: int(item[1])))
    _insert(Establishment.__table__, _establishment_rows(ids))
    establishments = _children(Establishment, ids)
    posts = _insert(WorkPost.__table__, _post_rows(list(ids), pcs_ids, rng))
    post_ids = _children(WorkPost, ids)
    plan = [
        (member_id, establishments[member_id][0], sorted(post_ids[member_id]), size)
        for member_id, size in zip(ids, plan_sizes, strict=True)
    ]
    inserted = _insert(Employee.__table__, _employee_rows(plan, rng, today))
    numbers = list(ids.values())
    return {
        "members": len(ids),
        "establishments": len(establishments),
        "work_posts": posts,
        "employees": inserted,
        "big": numbers[0],
        "big_employees": big,
        "marked": big // 10,
        "marker": MARKER_NAME,
        "small": numbers[1],
        "small_employees": SMALL_SIZE,
        "below_10": sum(1 for size in plan_sizes if size < 10),
    }


def settle() -> None:
    """After the commit, on PostgreSQL: VACUUM ANALYZE the filled tables, the steady state that
    autovacuum reaches after a bulk load (planner statistics, visibility map for index-only
    scans); benchmarks measured right after the load would see neither. On SQLite: ANALYZE
    (app.planner_statistics; SQLite has no autovacuum to do it later)."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        planner_statistics.refresh()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("member", "establishment", "work_post", "employee"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def drop() -> int:
    """Delete the bench members and every row that belongs to them (the caller commits)."""
    ids = list(bench_member_ids())
    owned = [
        table
        for table in reversed(db.metadata.sorted_tables)
        if "member_id" in table.c
        and any(key.column.table.name == "member" for key in table.c.member_id.foreign_keys)
    ]
    user_role = db.metadata.tables["ab_user_role"]
    for chunk in _chunks(ids):
        users = select(PortalUser.id).where(PortalUser.member_id.in_(chunk))
        db.session.execute(delete(user_role).where(user_role.c.user_id.in_(users)))
        for table in owned:
            db.session.execute(delete(table).where(table.c.member_id.in_(chunk)))
        db.session.execute(delete(Member.__table__).where(Member.__table__.c.id.in_(chunk)))
    return len(ids)


def counts() -> dict[str, int]:
    """Rows in the tables the data set fills (all members, not only the bench ones)."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Member, Establishment, WorkPost, Employee)
    }
