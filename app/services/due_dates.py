"""Keeping each employee's next visit due date (domain.due_dates, domain-rules.md §2) up to date:
after a save of the record, after a visit is recorded (`refresh`, on the ORM objects being saved);
over many employees, `app.services.recompute` does it by batches."""

from sqlalchemy import select

from app.domain.due_dates import FollowUpFacts, VisitDone, VisitKind, next_due
from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.employee import Contract, Employee, EmployeeRisk
from app.models.reference import ExamType
from app.models.risk import Risk
from app.models.visit import Visit, VisitOutcome

NIGHT_WORK = "NUIT"
RADIATION_A = "RI_A"
KINDS = {kind.value for kind in VisitKind}


def facts_of(
    employee: Employee, codes: set[str], visits: list[VisitDone], category: FollowUp | None = None
) -> FollowUpFacts:
    """The facts of an employee (or of a row with the same attributes), under `category` when
    given (a category being recomputed) instead of the stored one."""
    return FollowUpFacts(
        category=category or employee.category,
        post_entry_on=employee.post_entry_on,
        apprentice=employee.contract is Contract.APPRENTICESHIP,
        night_worker=NIGHT_WORK in codes,
        birth_date=employee.birth_date,
        radiation_category_a=RADIATION_A in codes,
        visits=tuple(visits),
    )


def _visits(employee_ids: list[int]) -> dict[int, list[VisitDone]]:
    found: dict[int, list[VisitDone]] = {}
    rows = db.session.execute(
        select(Visit.employee_id, Visit.visit_on, ExamType.code, Visit.next_due_on)
        .join(ExamType, ExamType.id == Visit.exam_type_id)
        .where(Visit.employee_id.in_(employee_ids), Visit.outcome == VisitOutcome.SEEN)
    )
    for employee_id, visit_on, code, due_on in rows:
        if code in KINDS:
            found.setdefault(employee_id, []).append(VisitDone(visit_on, VisitKind(code), due_on))
    return found


def risk_codes(employee_ids: list[int]) -> dict[int, set[str]]:
    """The codes of the risks declared for each of these employees (one query)."""
    found: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(EmployeeRisk.employee_id, Risk.code)
        .join(Risk, Risk.id == EmployeeRisk.risk_id)
        .where(EmployeeRisk.employee_id.in_(employee_ids))
    )
    for employee_id, code in rows:
        found.setdefault(employee_id, set()).add(code)
    return found


def refresh(employees: list[Employee]) -> None:
    """Recompute and store the next due date of these employees (two queries per batch)."""
    ids = [employee.id for employee in employees]
    visits, risks = _visits(ids), risk_codes(ids)
    for employee in employees:
        assign(employee, risks.get(employee.id, set()), visits.get(employee.id, []))
    db.session.flush()


def assign(employee: Employee, codes: set[str], visits: list[VisitDone]) -> None:
    """Set the employee's due date from its risk codes and visits (no query)."""
    due = next_due(facts_of(employee, codes, visits))
    employee.next_due_on, employee.next_due_reason = due.on, due.reason.value


def refresh_all(batch: int = 5000) -> int:
    """Bring every employee's stored due date up to date (app.services.recompute: by batches,
    one commit each, without bumping the employees' version); returns the rows changed."""
    from app.services import recompute

    return recompute.due_dates(batch=batch)
