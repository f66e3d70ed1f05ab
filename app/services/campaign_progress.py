"""The progress of a declaration campaign (issue 11, "Campaign progress"): per active member,
whether its declaration of the year is confirmed (when, by whom, the total declared, the
invoice), still to confirm, or without employees (none in the workforce today and not
confirmed), with the workforce today.

Designed for 20,000 members: the workforce is one grouped subquery joined once, the live
declaration an outer join, so a page costs three statements (the counts by status, the filtered
count and the rows) and the export one, whatever the number of members.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, or_, select

from app.extensions import db
from app.models.billing import Declaration, Invoice
from app.models.employee import Employee
from app.models.member import Member, MemberStatus
from app.models.user import PortalUser
from app.services.employee_list import in_workforce

CONFIRMED, TO_CONFIRM, WITHOUT_EMPLOYEES = "confirmed", "to_confirm", "without_employees"
STATUSES = (CONFIRMED, TO_CONFIRM, WITHOUT_EMPLOYEES)
SORTS = ("number", "name", "status", "confirmed_at", "declared", "headcount")


@dataclass(frozen=True)
class Filters:
    status: str = ""  # one of STATUSES, or "" for any
    query: str = ""  # part of the member number or name
    sort: str = "number"
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> "Filters":
        status, sort = args.get("status", ""), args.get("sort", "number")
        return cls(
            status=status if status in STATUSES else "",
            query=args.get("q", "").strip()[:100],
            sort=sort if sort in SORTS else "number",
            descending=args.get("desc") == "1",
        )


@dataclass(frozen=True)
class Row:
    member_id: int
    number: str
    name: str
    status: str
    declaration_id: int | None
    confirmed_at: datetime | None
    confirmed_by: str | None  # the user's identifier; None with a date: by the service
    declared: int | None  # the total declared
    invoice_number: str | None
    headcount: int

    @property
    def by_service(self) -> bool:
        return self.confirmed_at is not None and self.confirmed_by is None


def _parts(year: int, today: date):
    headcount = (
        select(Employee.member_id, func.count(Employee.id).label("n"))
        .where(in_workforce(today))
        .group_by(Employee.member_id)
        .subquery()
    )
    count = func.coalesce(headcount.c.n, 0)
    status = case(
        (Declaration.id.is_not(None), literal(CONFIRMED)),
        (count == 0, literal(WITHOUT_EMPLOYEES)),
        else_=literal(TO_CONFIRM),
    )
    return headcount, count, status


def _joined(query, year: int, headcount):
    live = and_(
        Declaration.member_id == Member.id,
        Declaration.year == year,
        Declaration.reopened_at.is_(None),
    )
    return (
        query.select_from(Member)
        .outerjoin(headcount, headcount.c.member_id == Member.id)
        .outerjoin(Declaration, live)
        .where(Member.status == MemberStatus.ACTIVE)
    )


def _query(year: int, filters: Filters, today: date):
    headcount, count, status = _parts(year, today)
    declared = Declaration.sir_count + Declaration.sia_count + Declaration.si_count
    query = _joined(
        select(
            Member.id,
            Member.number,
            Member.name,
            status.label("status"),
            Declaration.id,
            Declaration.confirmed_at,
            PortalUser.username,
            declared.label("declared"),
            Invoice.number,
            count.label("headcount"),
        ),  # fmt: skip
        year,
        headcount,
    )
    query = query.outerjoin(PortalUser, PortalUser.id == Declaration.confirmed_by_id)
    query = query.outerjoin(Invoice, Invoice.id == Declaration.invoice_id)
    if filters.status:
        query = query.where(status == filters.status)
    if filters.query:
        pattern = f"%{filters.query.lower()}%"
        query = query.where(or_(Member.number.like(pattern), func.lower(Member.name).like(pattern)))
    keys = {
        "number": Member.number,
        "name": Member.name,
        "status": status,
        "confirmed_at": Declaration.confirmed_at,
        "declared": declared,
        "headcount": count,
    }
    key = keys[filters.sort]
    return query.order_by(key.desc() if filters.descending else key.asc(), Member.number)


def counts(year: int, today: date) -> dict[str, int]:
    """Active members per status (every status present, 0 when none), in one statement."""
    headcount, _, status = _parts(year, today)
    rows = db.session.execute(
        _joined(select(status, func.count(Member.id)), year, headcount).group_by(status)
    )
    found = dict(rows.all())
    return {key: found.get(key, 0) for key in STATUSES}


def page(year: int, filters: Filters, today: date, number: int, size: int) -> tuple[list[Row], int]:
    """One page (`number` from 0) of the filtered members, and their count."""
    query = _query(year, filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.offset(number * size).limit(size))
    return [Row(*values) for values in rows], total


def all_rows(year: int, filters: Filters, today: date) -> Iterator[Row]:
    """Every filtered member in the chosen order (the Excel export), read as they come."""
    for values in db.session.execute(
        _query(year, filters, today).execution_options(yield_per=1000)
    ):
        yield Row(*values)
