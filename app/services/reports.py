"""The reports ("rapports", manual chapter 9): the workforce with its next visit due, the planning
(appointments in progress, employees seen, employees absent) and the conclusions of the health
assessments, each filtered by column, sorted by any shown column, paged and exported; and the
figures of the home page's chart.

Same conventions as the workforce list (app.services.employee_list, whose helpers are reused;
values are read by the bounded parsers of app.domain.inputs): `f_<column>` filters (part of a
word, a date or a part of it, a choice), `sort`, `desc`, `page`, `size`. A page costs a count
and one select, whatever the size of the member. Every query is scoped on the member explicitly
(the tenancy guard filters on top of it).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import and_, case, false, func, select

from app.domain.follow_up import FollowUp
from app.domain.inputs import date_range, parse_id
from app.domain.visit_workflow import RequestStatus
from app.models.centre import Centre
from app.models.employee import Employee
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome, VisitRequest
from app.services.employee_list import (
    in_workforce,
    overdue,
    parse_page,
    parse_size,
    scheduled,
)
from app.services.text_search import contains

DEFAULT_SIZE = 10  # the manual's "Nombre de lignes par page 10"
CHART_MONTHS = 6


class Kind(Enum):
    """How a column is filtered (and shown)."""

    TEXT = "text"  # part of a word, any case
    DATE = "date"  # '2024', '03/2024' or '15/03/2024'
    MOMENT = "moment"  # a date and time, filtered like a date
    ENUM = "enum"  # a choice among the members of `Column.enum`
    ID = "id"  # a choice among reference rows (exam types), by id


@dataclass(frozen=True, eq=False)
class Column:
    key: str
    kind: Kind
    value: Any  # the SQL expression shown
    filter_on: Any = None  # defaults to `value`
    sort_on: tuple = ()  # defaults to (value,)
    enum: type[Enum] | None = None

    @property
    def filtered(self):
        return self.value if self.filter_on is None else self.filter_on

    @property
    def sort_keys(self) -> tuple:
        return self.sort_on or (self.value,)


@dataclass(frozen=True, eq=False)
class Report:
    name: str
    columns: tuple[Column, ...]
    default_sort: str
    key: Any  # the row's id, the last sort key (a stable order between pages)
    source: Callable  # (select, member_id, today) -> the select with its FROM and scope
    extras: Callable = lambda today: ()  # more selected columns, not shown as such
    flags: dict[str, Callable] = field(default_factory=dict)  # name -> today -> condition

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


@dataclass
class ReportParams:
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False
    page: int = 1
    size: int = DEFAULT_SIZE
    flags: frozenset[str] = frozenset()

    @classmethod
    def from_args(cls, report: Report, args) -> "ReportParams":
        """From the query string: f_<column>, sort, desc, page, size and the report's flags
        (`<flag>=1`); unknown or bad values are ignored."""
        filters = {
            column.key: args.get(f"f_{column.key}", "").strip()
            for column in report.columns
            if args.get(f"f_{column.key}", "").strip()
        }
        sorts = {column.key for column in report.columns}
        return cls(
            filters=filters,
            sort=args.get("sort") if args.get("sort") in sorts else report.default_sort,
            descending=args.get("desc") == "1",
            page=parse_page(args.get("page")),
            size=parse_size(args.get("size"), DEFAULT_SIZE),
            flags=frozenset(name for name in report.flags if args.get(name) == "1"),
        )


# --- expressions shared by the sections --------------------------------------------------------

NAME = Employee.last_name + " " + Employee.first_name
NAME_ORDER = (Employee.last_name, Employee.first_name)


def next_appointment():
    return scheduled(func.min(VisitRequest.scheduled_at)).scalar_subquery()


def _condition(column: Column, value: str):
    target = column.filtered
    if column.kind is Kind.TEXT:
        return contains(target, value)
    if column.kind in (Kind.DATE, Kind.MOMENT):
        bounds = date_range(value)
        if bounds is None:
            return false()
        if column.kind is Kind.DATE:
            return target.between(*bounds)
        start, end = (datetime.combine(day, time()) for day in bounds)
        return and_(target >= start, target < end + timedelta(days=1))
    if column.kind is Kind.ENUM:
        members = column.enum.__members__
        return target == members[value] if value in members else false()
    choice = parse_id(value)  # Kind.ID
    return target == choice if choice else false()


def _conditions(report: Report, params: ReportParams, today: date) -> list:
    conditions = [_condition(report.column(key), value) for key, value in params.filters.items()]
    conditions += [report.flags[name](today) for name in sorted(params.flags)]
    return conditions


def _filtered(query, report: Report, member_id: int, params: ReportParams, today: date):
    return report.source(query, member_id, today).where(*_conditions(report, params, today))


def _order(report: Report, params: ReportParams) -> list:
    """The chosen column (empty values last either way), then the row's id as a tiebreak."""
    keys = [*report.column(params.sort).sort_keys, report.key]
    if params.descending:
        return [key.desc().nulls_last() for key in keys]
    return [key.asc().nulls_last() for key in keys]


def _rows_select(report: Report, member_id: int, params: ReportParams, today: date):
    columns = [
        report.key.label("id"),
        *report.extras(today),
        *(column.value.label(column.key) for column in report.columns),
    ]
    return _filtered(select(*columns), report, member_id, params, today).order_by(
        *_order(report, params)
    )


def page(session, member_id: int, report: Report, params: ReportParams, today: date):
    """(rows of the requested page, total count of the filtered report): two statements. A page
    beyond the last shows the last one."""
    counted = _filtered(select(func.count(report.key)), report, member_id, params, today)
    total = session.scalar(counted)
    last_page = max((total + params.size - 1) // params.size, 1)
    params.page = min(params.page, last_page)
    query = (
        _rows_select(report, member_id, params, today)
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    )
    return (session.execute(query).all() if total else []), total


def all_rows(session, member_id: int, report: Report, params: ReportParams, today: date):
    """Every filtered row in the report's order, streamed in batches (for the exports)."""
    query = _rows_select(report, member_id, params, today)
    yield from session.execute(query.execution_options(yield_per=1000))


# --- the sections ------------------------------------------------------------------------------


def _workforce_source(query, member_id: int, today: date):
    return query.select_from(Employee).where(Employee.member_id == member_id, in_workforce(today))


def _requests_source(query, member_id: int, today: date):
    return (
        query.select_from(VisitRequest)
        .join(Employee, Employee.id == VisitRequest.employee_id)
        .join(ExamType, ExamType.id == VisitRequest.exam_type_id)
        .outerjoin(Centre, Centre.id == VisitRequest.centre_id)
        .where(VisitRequest.member_id == member_id, VisitRequest.status == RequestStatus.SCHEDULED)
    )


def _visits_source(outcome: VisitOutcome):
    def source(query, member_id: int, today: date):
        return (
            query.select_from(Visit)
            .join(Employee, Employee.id == Visit.employee_id)
            .join(ExamType, ExamType.id == Visit.exam_type_id)
            .where(Visit.member_id == member_id, Visit.outcome == outcome)
        )

    return source


def _name() -> Column:
    return Column("name", Kind.TEXT, NAME, sort_on=NAME_ORDER)


def _exam_type() -> Column:
    return Column(
        "exam_type", Kind.ID, ExamType.label, filter_on=ExamType.id, sort_on=(ExamType.label,)
    )


WORKFORCE = Report(
    name="workforce",
    columns=(
        _name(),
        Column("category", Kind.ENUM, Employee.category, enum=FollowUp),
        Column("last_exam_on", Kind.DATE, Employee.last_exam_on),
        Column("next_due_on", Kind.DATE, Employee.next_due_on),
        Column("appointment", Kind.MOMENT, next_appointment()),
    ),
    default_sort="name",
    key=Employee.id,
    source=_workforce_source,
    extras=lambda today: (
        Employee.id.label("employee_id"),
        case((overdue(today), True), else_=False).label("overdue"),
        Employee.next_due_reason.label("next_due_reason"),
    ),
    flags={"overdue": overdue},
)
PLANNED = Report(
    name="planned",
    columns=(
        _name(),
        Column("scheduled_at", Kind.MOMENT, VisitRequest.scheduled_at),
        Column("centre", Kind.TEXT, Centre.name),
        _exam_type(),
    ),
    default_sort="scheduled_at",
    key=VisitRequest.id,
    source=_requests_source,
    extras=lambda today: (VisitRequest.employee_id.label("employee_id"),),
)


def _visits_report(name: str, outcome: VisitOutcome, *more: Column) -> Report:
    return Report(
        name=name,
        columns=(
            _name(),
            Column("visit_on", Kind.DATE, Visit.visit_on),
            _exam_type(),
            *more,
        ),
        default_sort="visit_on",
        key=Visit.id,
        source=_visits_source(outcome),
        extras=lambda today: (Visit.employee_id.label("employee_id"),),
    )


SEEN = _visits_report("seen", VisitOutcome.SEEN)
ABSENT = _visits_report("absent", VisitOutcome.ABSENT)
CONCLUSIONS = _visits_report(
    "conclusions",
    VisitOutcome.SEEN,
    Column("conclusion", Kind.ENUM, Visit.conclusion, enum=Conclusion),
    Column("recommendations", Kind.TEXT, Visit.recommendations),
)
PLANNING = {report.name: report for report in (PLANNED, SEEN, ABSENT)}
REPORTS = {report.name: report for report in (WORKFORCE, PLANNED, SEEN, ABSENT, CONCLUSIONS)}


def exam_types(session) -> list:
    """(id, label) of every exam type, for the choice filters."""
    return session.execute(select(ExamType.id, ExamType.label).order_by(ExamType.label)).all()


# --- the home page's figures -------------------------------------------------------------------


@dataclass(frozen=True)
class HomeFigures:
    categories: list[tuple[FollowUp, int]]  # the workforce by category, every category
    overdue: int  # due before today, no appointment in progress
    months: list[tuple[date, int]]  # first day of each month from this one, employees due then


def months_from(today: date, count: int = CHART_MONTHS) -> list[tuple[date, date]]:
    """(first day, last day) of `count` calendar months from today's."""
    bounds, start = [], today.replace(day=1)
    for _index in range(count):
        following = (start + timedelta(days=32)).replace(day=1)
        bounds.append((start, following - timedelta(days=1)))
        start = following
    return bounds


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def home_figures(session, member_id: int, today: date) -> HomeFigures:
    """The workforce by category and the visits due in the coming months: two statements. The
    current month counts from today on (earlier dates are overdue or have an appointment)."""
    scope = (Employee.member_id == member_id, in_workforce(today))
    found = dict(
        session.execute(
            select(Employee.category, func.count(Employee.id))
            .where(*scope)
            .group_by(Employee.category)
        )
        .tuples()
        .all()
    )
    months = months_from(today)
    due = Employee.next_due_on
    counts = session.execute(
        select(
            _count_if(overdue(today)),
            *(_count_if(due.between(max(start, today), end)) for start, end in months),
        ).where(*scope)
    ).one()
    return HomeFigures(
        categories=[(category, found.get(category, 0)) for category in FollowUp],
        overdue=int(counts[0]),
        months=[
            (start, int(count)) for (start, _end), count in zip(months, counts[1:], strict=True)
        ],
    )
