"""Recomputing stored follow-up categories and next due dates over many employees (issue 13,
"Set-based recompute"): after a change of the risk catalogue (the employees holding the edited
risks), on a change of the law (every employee), after an import.

Rules: shared/spec/domain-rules.md §1 (category: the most demanding over the declared risks in
force on the day, SI without any) and §2 (next due date). The pure functions of
`app.domain.follow_up` and `app.domain.due_dates` stay the reference; tests/services/
test_recompute.py checks that this module agrees with them.

How, and why so:
- Categories are computed in SQL, set-based: one grouped query over the employees concerned
  (the holders of the edited risks, or all) returns those whose stored category is not the
  maximum rank of their risks' categories in force on the day, with the category they should
  have. Nothing to change costs that one query.
- The rows to change are then written by batches of ids, each in its own short transaction (a
  commit per batch): locks are held for one batch only, and a job stopped halfway has kept
  what it did. Each batch is one UPDATE (over unnest() of arrays on PostgreSQL, an executemany
  on SQLite) that writes the category and the due date together, each row once.
- Rows are written with Core `update()` statements on the employee table, never through ORM
  objects, so the optimistic-lock `version` is not bumped: a recomputed category or due date is
  not a user's edit, and the employee forms open meanwhile stay valid. The write is guarded by
  the version read instead: a row a user saved in between (the save computed its own category
  and due date) is left alone. Only rows whose value differs are written.
- Due dates are computed in Python, by `domain.due_dates.next_due` itself, over plain tuples read
  per batch (three queries, no ORM objects). The rule has many branches (first visit, SI/SIA/SIR
  periods, the intermediate visit, radiation A, the professional's date) and calendar-month
  arithmetic that rolls back to the month's end: a copy of it in SQL, in two dialects, would be
  a second implementation to keep in step with the law, where this one cannot drift from the
  reference. It meets the targets (bench/recompute.py).
- Batches select their rows by id range when they cover every employee, else by one array (or
  JSON list on SQLite) parameter: an expanding IN of 5,000 values costs more to build than to
  run.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Date, Integer, String, any_, bindparam, case, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from app.domain.due_dates import VisitDone, VisitKind, next_due
from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.employee import Employee, EmployeeRisk
from app.models.reference import ExamType
from app.models.risk import Risk, RiskCategory
from app.models.visit import Visit, VisitOutcome
from app.services import due_dates as due_service

Progress = Callable[[int, int], None] | None

EMPLOYEE = Employee.__table__
EMPLOYEE_RISK = EmployeeRisk.__table__
RISK = Risk.__table__
RISK_CATEGORY = RiskCategory.__table__
VISIT = Visit.__table__
EXAM_TYPE = ExamType.__table__
FLAG_CODES = (due_service.NIGHT_WORK, due_service.RADIATION_A)


def categories(
    day, risk_ids: list[int] | None = None, *, batch: int = 5000, progress: Progress = None
) -> int:
    """Bring the stored category of the employees holding one of `risk_ids` (every employee
    when None) up to `day`, with the due dates of those that change. An employee whose
    category changes keeps the previous one and the day (the notice of the list and home).

    One query finds the employees whose category differs and the one they should have; they
    are then written by batches, each committed. Returns the number of employees changed."""
    db.session.flush()

    def write(chunk) -> int:
        moved = dict(chunk)
        return _write(_Batch(list(moved)), day, moved)

    return _by_batches(_differing(day, risk_ids), batch, write, progress)


def due_dates(
    employee_ids: list[int] | None = None, *, batch: int = 5000, progress: Progress = None
) -> int:
    """Recompute the next due date of these employees (every employee when None), writing only
    the rows that differ. Commits once per batch; returns the number of rows changed."""
    db.session.flush()
    ids = sorted(set(employee_ids)) if employee_ids is not None else _all_ids()
    whole = employee_ids is None
    return _by_batches(ids, batch, lambda chunk: _write(_Batch(chunk, whole=whole)), progress)


def _by_batches(items: list, batch: int, write, progress: Progress) -> int:
    """`write` each chunk of `items` and commit it, reporting progress; the rows changed."""
    changed = 0
    for done, chunk in _chunks(items, batch):
        changed += write(chunk)
        db.session.commit()
        if progress:
            progress(done, len(items))
    if not items and progress:
        progress(0, 0)
    return changed


def _all_ids() -> list[int]:
    return list(db.session.scalars(select(EMPLOYEE.c.id).order_by(EMPLOYEE.c.id)))


def _differing(day, risk_ids: list[int] | None) -> list[tuple[int, str]]:
    """(id, category name on `day`) of the employees (holding one of `risk_ids`, or all) whose
    stored category is another, in id order."""
    held = EMPLOYEE.alias("held")
    category = _category_of_risks()
    query = (
        select(held.c.id, category)
        .select_from(_risks_in_force(held, day))
        .group_by(held.c.id, held.c.category)
        .having(held.c.category != category)
        .order_by(held.c.id)
    )
    if risk_ids is not None:
        declared = EMPLOYEE_RISK.alias("declared")
        holders = select(declared.c.employee_id).where(declared.c.risk_id.in_(list(risk_ids)))
        query = query.where(held.c.id.in_(holders))
    return [(employee_id, name) for employee_id, name in db.session.execute(query)]


def _risks_in_force(held, day):
    """`held` (employees) with their declared risks and each one's category periods covering
    `day` (outer joins: an employee without any risk still has a row)."""
    in_force = (
        (RISK_CATEGORY.c.risk_id == EMPLOYEE_RISK.c.risk_id)
        & (RISK_CATEGORY.c.valid_from.is_(None) | (RISK_CATEGORY.c.valid_from <= day))
        & (RISK_CATEGORY.c.valid_until.is_(None) | (RISK_CATEGORY.c.valid_until >= day))
    )
    return held.outerjoin(EMPLOYEE_RISK, EMPLOYEE_RISK.c.employee_id == held.c.id).outerjoin(
        RISK_CATEGORY, in_force
    )


def _category_of_risks():
    """The aggregate: the most demanding category over the rows of `_risks_in_force`, SI
    when none (domain.follow_up.category_of)."""
    best = func.max(
        case(
            *((RISK_CATEGORY.c.category == c, c.rank) for c in FollowUp if c.rank),
            else_=FollowUp.SI.rank,
        )
    )
    return case(*((best == c.rank, c.name) for c in FollowUp if c.rank), else_=FollowUp.SI.name)


@dataclass(frozen=True)
class _Batch:
    """Sorted employee ids; `whole`: every employee between the first and the last one."""

    ids: list[int]
    whole: bool = False

    def holds(self, column):
        """The SQL condition `column in ids`: the range when the batch is the whole of it, else
        the ids (not both: the planner would multiply their selectivities)."""
        if self.whole:
            return column.between(self.ids[0], self.ids[-1])
        return _among(column, self.ids)


def _chunks(items: list, size: int) -> Iterator[tuple[int, list]]:
    """(count done after this chunk, chunk)."""
    size = max(int(size), 1)
    for start in range(0, len(items), size):
        yield min(start + size, len(items)), items[start : start + size]


def _write(batch: _Batch, day=None, moved: dict[int, str] | None = None) -> int:
    """Compute the due dates of the batch (with the category of `moved` when given) and write
    the rows that change in one statement; returns the number of rows written."""
    changes = _changes(batch, moved)
    if not changes:
        return 0
    return _update(changes, day if moved else None)


def _changes(batch: _Batch, moved: dict[int, str] | None) -> list[dict]:
    rows = db.session.execute(
        select(
            EMPLOYEE.c.id,
            EMPLOYEE.c.version,
            EMPLOYEE.c.category,
            EMPLOYEE.c.post_entry_on,
            EMPLOYEE.c.contract,
            EMPLOYEE.c.birth_date,
            EMPLOYEE.c.next_due_on,
            EMPLOYEE.c.next_due_reason,
        ).where(batch.holds(EMPLOYEE.c.id))
    ).all()
    flags, visits = _flags(batch), _visits(batch)
    changes = []
    for row in rows:
        category = FollowUp[moved[row.id]] if moved else None
        facts = due_service.facts_of(
            row, flags.get(row.id, set()), visits.get(row.id, []), category
        )
        due = next_due(facts)
        if moved or (due.on, due.reason.value) != (row.next_due_on, row.next_due_reason):
            changes.append(
                {
                    "id": row.id,
                    "version": row.version,
                    "category": facts.category.name,
                    "due_on": due.on,
                    "reason": due.reason.value,
                }
            )
    return changes


CHANGE_TYPES = {"id": Integer, "version": Integer, "category": String, "due_on": Date,
                "reason": String}  # fmt: skip


def _update(changes: list[dict], day=None) -> int:
    """UPDATE the due dates (and with `day`, the categories) of `changes`, each row only if its
    version is still the one read (a user's save meanwhile computed its own) and, for a
    category, if it still differs: on PostgreSQL one statement over unnest() of arrays, on
    SQLite an executemany."""
    if db.session.get_bind().dialect.name == "postgresql":
        source = (
            func.unnest(
                *(
                    bindparam(None, [c[key] for c in changes], type_=ARRAY(kind))
                    for key, kind in CHANGE_TYPES.items()
                )
            )
            .table_valued(*CHANGE_TYPES)
            .render_derived(name="change")
        )
        value, params = source.c, None
    else:
        value = {key: bindparam(f"v_{key}") for key in CHANGE_TYPES}
        params = [{f"v_{key}": item for key, item in c.items()} for c in changes]
    values = {"next_due_on": value["due_on"], "next_due_reason": value["reason"]}
    statement = update(EMPLOYEE).where(
        EMPLOYEE.c.id == value["id"], EMPLOYEE.c.version == value["version"]
    )
    if day is not None:
        statement = statement.where(EMPLOYEE.c.category != value["category"])
        values |= {
            "previous_category": EMPLOYEE.c.category,
            "category": value["category"],
            "category_changed_on": day,
            "category_on": day,
        }
    return db.session.execute(statement.values(values), params).rowcount


def _flags(batch: _Batch) -> dict[int, set[str]]:
    """The codes among night work and radiation category A declared for each employee."""
    found: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(EMPLOYEE_RISK.c.employee_id, RISK.c.code)
        .join(RISK, RISK.c.id == EMPLOYEE_RISK.c.risk_id)
        .where(batch.holds(EMPLOYEE_RISK.c.employee_id), RISK.c.code.in_(FLAG_CODES))
    )
    for employee_id, code in rows:
        found.setdefault(employee_id, set()).add(code)
    return found


def _visits(batch: _Batch) -> dict[int, list[VisitDone]]:
    """The visits done (seen) of each employee, of the kinds the follow-up counts."""
    found: dict[int, list[VisitDone]] = {}
    rows = db.session.execute(
        select(VISIT.c.employee_id, VISIT.c.visit_on, EXAM_TYPE.c.code, VISIT.c.next_due_on)
        .join(EXAM_TYPE, EXAM_TYPE.c.id == VISIT.c.exam_type_id)
        .where(
            batch.holds(VISIT.c.employee_id),
            VISIT.c.outcome == VisitOutcome.SEEN,
            EXAM_TYPE.c.code.in_(due_service.KINDS),
        )
    )
    for employee_id, visit_on, code, due_on in rows:
        found.setdefault(employee_id, []).append(VisitDone(visit_on, VisitKind(code), due_on))
    return found


def _among(column, ids: list[int]):
    """`column IN ids` with one parameter whatever the count (an array on PostgreSQL, a JSON
    list on SQLite): an expanding IN of 5,000 values costs more to build than to run."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    values = func.json_each(json.dumps(ids)).table_valued("value")
    return column.in_(select(values.c.value))
