"""The workforce list ("salariés", manual chapter 4): a filter per column (part of a word, a date
or a part of it, or a choice for post, category and establishment), sort by any column, pages of
a chosen size, and the same filtered rows streamed for the exports.

Each page costs a fixed number of statements (a count and one joined select of plain columns),
whatever the size of the member.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from app.domain.follow_up import FollowUp
from app.domain.inputs import MAX_ID, date_range, parse_id, parse_int
from app.domain.names import normalise_name
from app.domain.visit_workflow import RequestStatus
from app.models.employee import Employee, EmployeeRisk, WorkPost
from app.models.member import Establishment
from app.models.reference import PcsCode
from app.models.risk import Risk
from app.models.visit import VisitRequest
from app.services.text_search import contains

PAGE_SIZES = (10, 25, 50, 100)
TEXT = {
    "last_name": Employee.last_name,
    "first_name": Employee.first_name,
    "birth_name": Employee.birth_name,
}
DATES = {
    "birth_date": Employee.birth_date,
    "hired_on": Employee.hired_on,
    "post_entry_on": Employee.post_entry_on,
    "last_exam_on": Employee.last_exam_on,
    "next_due_on": Employee.next_due_on,
}
CHOICES = {
    "work_post": Employee.work_post_id,
    "establishment": Employee.establishment_id,
}
# Stored normalised (app.services.employees): a filter compares capitals without accents.
NORMALISED = {"last_name": Employee.last_name, "birth_name": Employee.birth_name}
# No filter nor sort on the NIR: it would travel in URLs and logs (domain-rules.md §3).
SORTS = {
    **TEXT,
    **DATES,
    "work_post": WorkPost.designation,
    "establishment": Establishment.name,
    "category": Employee.category,
}
COLUMNS = (
    "last_name", "first_name", "birth_name", "birth_date", "work_post", "hired_on",
    "post_entry_on", "category", "establishment", "last_exam_on", "next_due_on",
)  # fmt: skip


@dataclass
class ListParams:
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "last_name"
    descending: bool = False
    page: int = 1
    size: int = 25
    exited: bool = False
    changed: bool = False  # only employees whose category changed with the catalogue
    redeclare: bool = False  # only employees holding a withdrawn risk item
    to_declare: bool = False  # only employees imported without their risks (a DSN)
    overdue: bool = False  # only employees overdue for their visit (the home's to-do list)

    @classmethod
    def from_args(cls, args) -> "ListParams":
        """From the query string: f_<column>, sort, desc, page, size, exited (bad ones ignored)."""
        filters = {
            name: args.get(f"f_{name}", "").strip()
            for name in COLUMNS
            if args.get(f"f_{name}", "").strip()
        }
        return cls(
            filters=filters,
            sort=args.get("sort") if args.get("sort") in SORTS else "last_name",
            descending=args.get("desc") == "1",
            page=parse_page(args.get("page")),
            size=parse_size(args.get("size")),
            exited=args.get("exited") == "1",
            changed=args.get("changed") == "1",
            redeclare=args.get("redeclare") == "1",
            to_declare=args.get("to_declare") == "1",
            overdue=args.get("overdue") == "1",
        )


def parse_size(value, default: int = 25) -> int:
    """Rows per page from the query string: one of PAGE_SIZES, else `default`."""
    size = parse_int(value, 1, max(PAGE_SIZES))
    return size if size in PAGE_SIZES else default


def parse_page(value) -> int:
    """A page number from the query string; 1 when missing or not a page (bounded, so that the
    offset fits the database's integers whatever the page size)."""
    return parse_int(value, 1, MAX_ID // max(PAGE_SIZES)) or 1


def holds_withdrawn_risk(today: date):
    """Employees still carrying a risk item that can no longer be declared (to re-declare)."""
    return (
        select(EmployeeRisk.id)
        .join(Risk, Risk.id == EmployeeRisk.risk_id)
        .where(EmployeeRisk.employee_id == Employee.id, Risk.declarable_until < today)
        .exists()
    )


def scheduled(*columns):
    """The employee's requests with an appointment in progress (correlated on the employee)."""
    return select(*columns).where(
        VisitRequest.employee_id == Employee.id,
        VisitRequest.status == RequestStatus.SCHEDULED,
    )


def overdue(today: date):
    """app.domain.due_dates.is_overdue in SQL (lists, reports, dashboards): due before today and
    no appointment in progress to catch up; a correlated EXISTS, no statement of its own."""
    return and_(Employee.next_due_on < today, ~scheduled(VisitRequest.id).exists())


def in_workforce(today: date):
    """Same rule as app.domain.employment.is_in_workforce, in SQL."""
    return or_(Employee.contract_end_on.is_(None), Employee.contract_end_on > today)


def _conditions(params: ListParams, today: date) -> list:
    conditions = [~in_workforce(today) if params.exited else in_workforce(today)]
    flags = (
        (params.changed, lambda: Employee.category_changed_on.is_not(None)),
        (params.redeclare, lambda: holds_withdrawn_risk(today)),
        (params.to_declare, lambda: Employee.risks_to_declare.is_(True)),
        (params.overdue, lambda: overdue(today)),
    )
    conditions += [condition() for wanted, condition in flags if wanted]
    for name, value in params.filters.items():
        if name in NORMALISED:
            conditions.append(_name_contains(NORMALISED[name], value))
        elif name in TEXT:
            conditions.append(contains(TEXT[name], value))
        elif name in DATES:
            bounds = date_range(value)
            conditions.append(DATES[name].between(*bounds) if bounds else False)
        elif name in CHOICES:
            choice = parse_id(value)
            conditions.append(CHOICES[name] == choice if choice else False)
        elif name == "category":
            known = value in FollowUp.__members__
            conditions.append(Employee.category == FollowUp[value] if known else False)
    return conditions


def _name_contains(column, value: str):
    """`column` contains `value` for a name stored normalised (capitals without accents,
    app.domain.names.normalise_name): the typed text normalised the same way, then a plain LIKE
    on the column, which the index on the name already holds (no function per row; on SQLite
    `translate` is a Python function called for each employee, twice per page)."""
    typed = normalise_name(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{typed}%", escape="\\")


def _filtered(member_id: int, params: ListParams, today: date, *columns):
    """A select on the employee table alone: every filter is on its own columns."""
    return select(*columns).where(
        Employee.member_id == member_id, and_(*_conditions(params, today))
    )


ROW_COLUMNS = (
    Employee.id, Employee.last_name, Employee.first_name, Employee.birth_name,
    Employee.birth_date, Employee.nir, Employee.ntt, Employee.sex, Employee.contract,
    WorkPost.designation.label("work_post"), PcsCode.code.label("pcs_code"),
    Employee.hired_on, Employee.post_entry_on, Employee.contract_end_on, Employee.category,
    Employee.previous_category, Employee.category_changed_on,
    Establishment.name.label("establishment"), Establishment.siret.label("establishment_siret"),
    Employee.last_exam_on, Employee.next_due_on, Employee.next_due_reason,
)  # fmt: skip


def _order(params: ListParams) -> list:
    """The sorted column, then the name order and the id (a unique tiebreak). By name it follows
    ix_employee_member_name; by another column of the employee, that column's index (the
    column, then the name order: ix_employee_member_<column>, app/models/employee.py). Empty
    values come where each database's index puts them (first on SQLite, last on PostgreSQL when
    ascending), the same for the pages and the exports."""
    keys = []
    for key in (SORTS[params.sort], Employee.last_name, Employee.first_name, Employee.id):
        if not any(key is seen for seen in keys):
            keys.append(key)
    return [key.desc() if params.descending else key.asc() for key in keys]


def _ordered_ids(member_id: int, params: ListParams, today: date):
    query = _filtered(member_id, params, today, Employee.id)
    if params.sort == "work_post":
        query = query.join(WorkPost, WorkPost.id == Employee.work_post_id)
    elif params.sort == "establishment":
        query = query.join(Establishment, Establishment.id == Employee.establishment_id)
    return query.order_by(*_order(params))


def _with_details(query):
    """The shown columns' joins. Outer joins keep PostgreSQL's planner starting from the
    employees (the joined tables carry the tenancy guard's filter too, which misleads it)."""
    return (
        query.outerjoin(WorkPost, WorkPost.id == Employee.work_post_id)
        .outerjoin(PcsCode, PcsCode.id == WorkPost.pcs_code_id)
        .outerjoin(Establishment, Establishment.id == Employee.establishment_id)
    )


def page(session, member_id: int, params: ListParams, today: date) -> tuple[list, int]:
    """The rows of the requested page and the total count of the filtered list: a count, the
    page's ids from the employee table (an index walk), then their details."""
    total = count(session, member_id, params, today)
    last_page = max((total + params.size - 1) // params.size, 1)
    params.page = min(params.page, last_page)
    ids = session.scalars(
        _ordered_ids(member_id, params, today)
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    ).all()
    position = {employee_id: index for index, employee_id in enumerate(ids)}
    late = case((overdue(today), True), else_=False).label("overdue")
    details = _with_details(select(*ROW_COLUMNS, late)).where(Employee.id.in_(ids))
    rows = session.execute(details).all() if ids else []
    return sorted(rows, key=lambda row: position[row.id]), total


def count(session, member_id: int, params: ListParams, today: date) -> int:
    """How many rows the filtered list (and its exports) holds."""
    return session.scalar(_filtered(member_id, params, today, func.count(Employee.id)))


def all_rows(session, member_id: int, params: ListParams, today: date):
    """Every filtered row in the list's order, streamed in batches (for the exports)."""
    query = _with_details(_filtered(member_id, params, today, *ROW_COLUMNS))
    result = session.execute(query.order_by(*_order(params)).execution_options(yield_per=1000))
    yield from result


def notices(session, member_id: int, today: date) -> dict[str, int]:
    """How many employees of the workforce need a look: category changed by the catalogue
    (e.g. décret 2025-355 on 1 October 2025), a withdrawn risk item to re-declare, or risks to
    declare after an import (issue 14). One statement; each count starts from a small index
    range (ix_employee_member_changed, ix_employee_risk_member, ..._risks_to_declare)."""
    changed = select(func.count(Employee.id)).where(
        Employee.member_id == member_id,
        Employee.category_changed_on.is_not(None),
        in_workforce(today),
    )
    redeclare = (
        select(func.count(func.distinct(EmployeeRisk.employee_id)))
        .join(Risk, Risk.id == EmployeeRisk.risk_id)
        .join(Employee, Employee.id == EmployeeRisk.employee_id)
        .where(
            EmployeeRisk.member_id == member_id,
            Risk.declarable_until < today,
            in_workforce(today),
        )
    )
    to_declare = select(func.count(Employee.id)).where(
        Employee.member_id == member_id, Employee.risks_to_declare.is_(True), in_workforce(today)
    )
    counts = session.execute(
        select(changed.scalar_subquery(), redeclare.scalar_subquery(), to_declare.scalar_subquery())
    ).one()
    return dict(zip(("changed", "redeclare", "to_declare"), counts, strict=True))
