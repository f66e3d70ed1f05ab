"""The attestations de non contre-indication (NCI) that expire soon or have just expired (issue
12, "Notifications"; exam_types.csv: valid 5 years, décret 2025-355): per employee still in the
workforce, the latest NCI visit done (no later one), when its date puts the attestation's end
within NCI_NOTICE_MONTHS of today, before or after (app.domain.notifications.nci_due_for_notice).
A visit done whose conclusion is "unfit" gave no attestation: it is not listed, and as the
latest NCI visit it hides the earlier attestations too.

The rule is turned into an interval of visit dates once, so the portal's page and the reminder
command select in SQL: a page costs two statements (its count and its rows) whatever its rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.domain.notifications import add_months, nci_due_for_notice, nci_expires_on
from app.extensions import db
from app.models.employee import Employee, WorkPost
from app.models.member import Establishment, Member, MemberStatus
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome
from app.services.employee_list import in_workforce

_MARGIN = 7  # days around the month arithmetic's approximation, searched day by day


@dataclass(frozen=True)
class Settings:
    exam_code: str
    validity_months: int
    notice_months: int

    @classmethod
    def from_config(cls) -> "Settings":
        config = current_app.config
        return cls(
            config["NCI_EXAM_CODE"], config["NCI_VALIDITY_MONTHS"], config["NCI_NOTICE_MONTHS"]
        )


@dataclass(frozen=True)
class Expiring:
    visit_id: int
    member_id: int
    employee_id: int
    name: str
    establishment: str
    post: str
    visit_on: date  # the attestation's date
    expires_on: date
    expired: bool


def visit_window(today: date, settings: Settings) -> tuple[date, date] | None:
    """The first and last visit dates whose attestation is due for notice today (the domain's
    rule is monotonic in the visit's date), or None when no date is (notice of 0 months)."""

    def due(day: date) -> bool:
        return nci_due_for_notice(day, today, settings.validity_months, settings.notice_months)

    span = settings.validity_months
    first = add_months(today, -span - settings.notice_months) - timedelta(days=_MARGIN)
    last = add_months(today, settings.notice_months - span) + timedelta(days=_MARGIN)
    while first <= last and not due(first):
        first += timedelta(days=1)
    while last >= first and not due(last):
        last -= timedelta(days=1)
    return (first, last) if first <= last else None


def _query(today: date, settings: Settings, window: tuple[date, date]):
    later = aliased(Visit)
    exam = select(ExamType.id).where(ExamType.code == settings.exam_code).scalar_subquery()
    renewed = exists().where(
        later.employee_id == Visit.employee_id,
        later.exam_type_id == exam,
        later.outcome == VisitOutcome.SEEN,
        or_(
            later.visit_on > Visit.visit_on,
            and_(later.visit_on == Visit.visit_on, later.id > Visit.id),
        ),
    )
    return (
        select(
            Visit.id,
            Visit.member_id,
            Visit.employee_id,
            Employee.last_name,
            Employee.first_name,
            Establishment.name,
            WorkPost.designation,
            Visit.visit_on,
        )
        .join(Employee, Employee.id == Visit.employee_id)
        .join(Establishment, Establishment.id == Employee.establishment_id)
        .join(WorkPost, WorkPost.id == Employee.work_post_id)
        .where(Visit.exam_type_id == exam, Visit.outcome == VisitOutcome.SEEN)
        .where(or_(Visit.conclusion.is_(None), Visit.conclusion != Conclusion.UNFIT))
        .where(Visit.visit_on.between(*window), in_workforce(today), ~renewed)
    )


def _row(values, today: date, settings: Settings) -> Expiring:
    visit_id, member_id, employee_id, last, first, establishment, post, visit_on = values
    expires_on = nci_expires_on(visit_on, settings.validity_months)
    return Expiring(
        visit_id, member_id, employee_id, f"{last} {first}", establishment, post, visit_on,
        expires_on, expires_on < today,
    )  # fmt: skip


def page(
    member_id: int, today: date, settings: Settings, number: int, size: int
) -> tuple[list[Expiring], int]:
    """One page (`number` from 0) of the member's attestations to renew, the earliest end
    first, and their count."""
    window = visit_window(today, settings)
    if window is None:
        return [], 0
    query = _query(today, settings, window).where(Visit.member_id == member_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(Visit.visit_on, Employee.last_name, Employee.first_name, Visit.id)
        .offset(number * size)
        .limit(size)
    )
    return [_row(values, today, settings) for values in rows], total


def of_active_members(today: date, settings: Settings) -> dict[int, list[Expiring]]:
    """Every active member's attestations to renew, by member id (the reminder command)."""
    window = visit_window(today, settings)
    if window is None:
        return {}
    query = (
        _query(today, settings, window)
        .join(Member, Member.id == Visit.member_id)
        .where(Member.status == MemberStatus.ACTIVE)
        .order_by(Visit.member_id, Visit.visit_on, Visit.id)
    )
    found: dict[int, list[Expiring]] = {}
    for values in db.session.execute(query):
        row = _row(values, today, settings)
        found.setdefault(row.member_id, []).append(row)
    return found
