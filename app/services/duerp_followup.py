"""The service's DUERP follow-up (issue 10, "The service's side"; domain-rules.md §4): per active
member, its workforce today, its latest answer to the DUERP question at login (who, when, what),
its latest DUERP deposit, and whether it must be reminded (app.domain.duerp.is_overdue: 11
employees or more and no deposit within DUERP_RECENT_MONTHS).

Designed for 20,000 members: each figure is an aggregate subquery joined once, so a page costs
two statements (its count and its rows) and the export one, whatever the number of members.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from app.domain import duerp
from app.domain.due_dates import add_months
from app.extensions import db
from app.models.document import DUERP_CLASS, Document, DocumentDirection, DuerpAnswer
from app.models.employee import Employee
from app.models.member import Member, MemberStatus
from app.models.reference import DocumentClass
from app.models.user import PortalUser
from app.services.employee_list import in_workforce

ANSWERS = ("yes", "no", "later", "never")  # the answer filter's values


@dataclass(frozen=True)
class Filters:
    overdue: bool = False
    answer: str = ""  # one of ANSWERS, or "" for any
    query: str = ""  # part of the member number or name

    @classmethod
    def from_args(cls, args) -> "Filters":
        answer = args.get("answer", "")
        return cls(
            overdue=args.get("overdue") == "1",
            answer=answer if answer in ANSWERS else "",
            query=args.get("q", "").strip()[:100],
        )


@dataclass(frozen=True)
class Row:
    member_id: int
    number: str
    name: str
    headcount: int
    answered_at: datetime | None  # None: never answered
    has_duerp: bool | None  # None with an answer: "Plus tard"
    answered_by: str | None
    updated_on: date | None
    has_action_plan: bool | None
    last_deposit_at: datetime | None
    overdue: bool


def _recent_since(today: date, months: int) -> datetime:
    """A deposit counts as recent from this moment on (the domain's `_within`, in SQL)."""
    return datetime.combine(add_months(today, -months) + timedelta(days=1), time())


def _query(filters: Filters, today: date, months: int):
    headcount = (
        select(Employee.member_id, func.count(Employee.id).label("n"))
        .where(in_workforce(today))
        .group_by(Employee.member_id)
        .subquery()
    )
    deposit = (
        select(Document.member_id, func.max(Document.sent_at).label("at"))
        .join(DocumentClass, DocumentClass.id == Document.class_id)
        .where(
            Document.direction == DocumentDirection.TO_SERVICE, DocumentClass.code == DUERP_CLASS
        )
        .group_by(Document.member_id)
        .subquery()
    )
    # The latest answer: answers are only ever added, so the highest id is the latest one.
    latest = select(func.max(DuerpAnswer.id).label("id")).group_by(DuerpAnswer.member_id).subquery()
    answer = select(DuerpAnswer).join(latest, latest.c.id == DuerpAnswer.id).subquery("last_answer")
    count = func.coalesce(headcount.c.n, 0)
    query = (
        select(
            Member.id,
            Member.number,
            Member.name,
            count.label("headcount"),
            answer.c.answered_at,
            answer.c.has_duerp,
            PortalUser.username,
            answer.c.updated_on,
            answer.c.has_action_plan,
            deposit.c.at,
        )  # fmt: skip
        .outerjoin(headcount, headcount.c.member_id == Member.id)
        .outerjoin(deposit, deposit.c.member_id == Member.id)
        .outerjoin(answer, answer.c.member_id == Member.id)
        .outerjoin(PortalUser, PortalUser.id == answer.c.user_id)
        .where(Member.status == MemberStatus.ACTIVE)
    )
    return _filtered(query, filters, count, answer, deposit, _recent_since(today, months))


def _filtered(query, filters: Filters, count, answer, deposit, since: datetime):
    if filters.overdue:
        stale = or_(deposit.c.at.is_(None), deposit.c.at < since)
        query = query.where(and_(count >= duerp.YEARLY_FROM, stale))
    if filters.answer == "never":
        query = query.where(answer.c.id.is_(None))
    elif filters.answer == "later":
        query = query.where(answer.c.id.is_not(None), answer.c.has_duerp.is_(None))
    elif filters.answer:
        query = query.where(answer.c.has_duerp.is_(filters.answer == "yes"))
    if filters.query:
        pattern = f"%{filters.query.lower()}%"
        query = query.where(or_(Member.number.like(pattern), func.lower(Member.name).like(pattern)))
    return query


def _row(values, today: date, months: int) -> Row:
    (member_id, number, name, headcount, answered_at, has_duerp, username, updated_on, plan,
     deposit_at) = values  # fmt: skip
    facts = duerp.DuerpFacts(
        last_deposit_on=deposit_at.date() if deposit_at else None,
        last_no_on=None,
        headcount=headcount,
    )
    return Row(
        member_id, number, name, headcount, answered_at, has_duerp, username, updated_on, plan,
        deposit_at, duerp.is_overdue(facts, today, months),
    )  # fmt: skip


def page(
    filters: Filters, today: date, months: int, number: int, size: int
) -> tuple[list[Row], int]:
    """One page (`number` from 0) of the filtered members by member number, and their count."""
    query = _query(filters, today, months)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Member.number).offset(number * size).limit(size))
    return [_row(values, today, months) for values in rows], total


def all_rows(filters: Filters, today: date, months: int) -> Iterator[Row]:
    """Every filtered member by member number (the Excel export), read as they come."""
    query = _query(filters, today, months).order_by(Member.number)
    for values in db.session.execute(query.execution_options(yield_per=1000)):
        yield _row(values, today, months)
