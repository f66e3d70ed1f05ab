"""The reports ("rapports", manual chapter 9): the workforce with its next visit due, the planning
(appointments in progress, employees seen, employees absent) and the conclusions of the health
assessments, each filtered by column, sorted by any shown column, paged and exported; and the
figures of the home page's chart.

Same conventions as the workforce list (app.services.employee_list, whose helpers are reused;
values are read by the bounded parsers of app.domain.inputs): `f_<column>` filters (part of a
word, a date or a part of it, a choice), `sort`, `desc`, `page`, `size`. Every query is scoped
on the member explicitly (the tenancy guard filters on top of it).

A page costs three statements whatever the size of the member (issue 13, "Throughput"): the
count, the page's keys, then the shown columns of those rows only. The keys come from the
report's own table alone when neither the filters nor the sort need the joined ones, in the
order of an index (migration "report indexes"), so a deep page walks an index instead of
evaluating every skipped row. A sort on a value that may be empty is two walks, the rows with a
value then those without (empty values last either way), joined in one statement; the
workforce sorted by appointment reads the member's appointments in progress (a few rows), then
walks the name index for the employees without one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import and_, case, cast, false, func, literal, null, select, union_all

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


@dataclass(frozen=True)
class Split:
    """A sort on a value that may be empty, as two walks: `present(query, member_id)` gives the
    query of the rows with a value and that value, `absent(query, member_id)` the rows without."""

    present: Callable
    absent: Callable
    # Sorted on first in the rows without a value too (all empty: the order does not change),
    # so that PostgreSQL follows the index (it does not take `IS NULL` as a constant prefix).
    empty: Any = None


def plain_split(value) -> Split:
    return Split(
        present=lambda query, _member_id: (query.where(value.is_not(None)), value),
        absent=lambda query, _member_id: query.where(value.is_(None)),
        empty=value,
    )


@dataclass(frozen=True, eq=False)
class Column:
    key: str
    kind: Kind
    value: Any  # the SQL expression shown
    filter_on: Any = None  # defaults to `value`
    sort_on: tuple = ()  # defaults to (value,)
    enum: type[Enum] | None = None
    joined: bool = False  # on a table the report joins (not its own)
    split: Split | None = None  # the value may be empty: sorted by two walks

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
    scope: Callable  # (select, member_id, today) -> the select on the report's table, scoped
    joins: Callable = lambda query: query  # the joined tables of the shown columns
    tiebreak: tuple = ()  # sort keys after the chosen column's, before `key`
    extras: Callable = lambda today: ()  # more selected columns, not shown as such
    flags: dict[str, Callable] = field(default_factory=dict)  # name -> (member, today) -> cond

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def source(self, query, member_id: int, today: date):
        return self.joins(self.scope(query, member_id, today))


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


def scheduled_of(member_id: int, *columns):
    """The member's requests with an appointment in progress (not correlated: evaluated once,
    from the member's few rows, where `scheduled` would probe once per employee)."""
    return select(*columns).where(
        VisitRequest.member_id == member_id, VisitRequest.status == RequestStatus.SCHEDULED
    )


def overdue_of(member_id: int, today: date):
    """`employee_list.overdue` for one member's employees, with its appointments read once."""
    with_appointment = scheduled_of(member_id, VisitRequest.employee_id)
    return and_(Employee.next_due_on < today, Employee.id.not_in(with_appointment))


def _appointments(member_id: int):
    """Each employee's first appointment in progress (the member's few scheduled requests)."""
    return (
        scheduled_of(member_id, VisitRequest.employee_id, func.min(VisitRequest.scheduled_at))
        .group_by(VisitRequest.employee_id)
        .subquery()
    )


def _with_appointment(query, member_id: int):
    found = _appointments(member_id)
    first = found.c[1]
    return query.join(found, found.c.employee_id == Employee.id), first


APPOINTMENT_SPLIT = Split(
    present=_with_appointment,
    absent=lambda query, member_id: query.where(
        Employee.id.not_in(scheduled_of(member_id, VisitRequest.employee_id))
    ),
)


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


def _conditions(report: Report, member_id: int, params: ReportParams, today: date) -> list:
    conditions = [_condition(report.column(key), value) for key, value in params.filters.items()]
    conditions += [report.flags[name](member_id, today) for name in sorted(params.flags)]
    return conditions


def _filtered(query, report: Report, member_id: int, params: ReportParams, today: date):
    return report.source(query, member_id, today).where(
        *_conditions(report, member_id, params, today)
    )


def _lean(query, report: Report, member_id: int, params: ReportParams, today: date):
    """The filtered select on the report's table alone when nothing needs the joined ones."""
    used = [report.column(key) for key in (*params.filters, params.sort)]
    scoped = report.scope(query, member_id, today)
    if any(column.joined for column in used):
        scoped = report.joins(scoped)
    return scoped.where(*_conditions(report, member_id, params, today))


def _directed(keys, descending: bool) -> list:
    return [key.desc() if descending else key.asc() for key in keys]


def _order(report: Report, params: ReportParams) -> list:
    """The chosen column (empty values last either way), then the tiebreak and the row's id."""
    first, *rest = _unique((*report.column(params.sort).sort_keys, *report.tiebreak, report.key))
    chosen = first.desc() if params.descending else first.asc()
    return [chosen.nulls_last(), *_directed(rest, params.descending)]


def _rows_select(report: Report, member_id: int, params: ReportParams, today: date):
    columns = [
        report.key.label("id"),
        *report.extras(today),
        *(column.value.label(column.key) for column in report.columns),
    ]
    return _filtered(select(*columns), report, member_id, params, today).order_by(
        *_order(report, params)
    )


# --- a page: its count, its keys, its rows -------------------------------------------------------


def _counts(session, report: Report, member_id: int, params: ReportParams, today: date):
    """(rows, rows with a value in the sorted column): one statement."""
    base = _lean(select(report.key), report, member_id, params, today)
    total = select(func.count()).select_from(base.subquery()).scalar_subquery()
    split = report.column(params.sort).split
    if split is None:
        return session.scalar(select(total)), None
    present = split.present(base, member_id)[0]
    valued = select(func.count()).select_from(present.subquery()).scalar_subquery()
    return tuple(session.execute(select(total, valued)).one())


def _unique(keys) -> tuple:
    found = []
    for key in keys:
        if not any(key is seen for seen in found):
            found.append(key)
    return tuple(found)


def _keys(report: Report, params: ReportParams) -> tuple:
    """The sort keys after the split value (all of them when the sort is not split)."""
    column = report.column(params.sort)
    keys = column.sort_keys[1:] if column.split else column.sort_keys
    return _unique((*keys, *report.tiebreak, report.key))


def _split_keys(session, report, member_id, params, today, valued: int) -> list:
    """The page's keys when the sorted value may be empty: the rows with a value, then those
    without, each from its own ordered walk, in one statement."""
    base = _lean(select(report.key.label("id")), report, member_id, params, today)
    split = report.column(params.sort).split
    present, value = split.present(base, member_id)
    keys = _keys(report, params)
    labels = [key.label(f"k{index}") for index, key in enumerate(keys)]
    start, size = (params.page - 1) * params.size, params.size
    taken = max(min(size, valued - start), 0)
    first = (
        present.add_columns(literal(0).label("part"), value.label("v"), *labels)
        .order_by(*_directed((value, *keys), params.descending))
        .limit(taken)
        .offset(min(start, valued))
    )
    second = (
        split.absent(base, member_id)
        .add_columns(literal(1).label("part"), cast(null(), value.type).label("v"), *labels)
        .order_by(
            *_directed((() if split.empty is None else (split.empty,)) + keys, params.descending)
        )
        .limit(size - taken)
        .offset(max(start - valued, 0))
    )
    both = union_all(select(first.subquery()), select(second.subquery())).subquery()
    shown = (both.c.v, *(both.c[f"k{index}"] for index in range(len(keys))))
    ordered = select(both.c.id).order_by(both.c.part, *_directed(shown, params.descending))
    return session.scalars(ordered).all()


def _page_keys(session, report, member_id, params, today, valued) -> list:
    if valued is not None:
        return _split_keys(session, report, member_id, params, today, valued)
    query = _lean(select(report.key), report, member_id, params, today)
    return session.scalars(
        query.order_by(*_directed(_keys(report, params), params.descending))
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    ).all()


def page(session, member_id: int, report: Report, params: ReportParams, today: date):
    """(rows of the requested page, total count of the filtered report): three statements (the
    count, the page's keys, their rows). A page beyond the last shows the last one."""
    total, valued = _counts(session, report, member_id, params, today)
    last_page = max((total + params.size - 1) // params.size, 1)
    params.page = min(params.page, last_page)
    if not total:
        return [], 0
    keys = _page_keys(session, report, member_id, params, today, valued)
    position = {key: index for index, key in enumerate(keys)}
    columns = [
        report.key.label("id"),
        *report.extras(today),
        *(column.value.label(column.key) for column in report.columns),
    ]
    query = report.source(select(*columns), member_id, today).where(report.key.in_(keys))
    rows = session.execute(query).all()
    return sorted(rows, key=lambda row: position[row.id]), total


def all_rows(session, member_id: int, report: Report, params: ReportParams, today: date):
    """Every filtered row in the report's order, streamed in batches (for the exports)."""
    query = _rows_select(report, member_id, params, today)
    yield from session.execute(query.execution_options(yield_per=1000))


# --- the sections ------------------------------------------------------------------------------


def _workforce_scope(query, member_id: int, today: date):
    return query.select_from(Employee).where(Employee.member_id == member_id, in_workforce(today))


def _requests_scope(query, member_id: int, today: date):
    return query.select_from(VisitRequest).where(
        VisitRequest.member_id == member_id, VisitRequest.status == RequestStatus.SCHEDULED
    )


# The joined rows always exist (non-null foreign keys): outer joins keep the planner starting from
# the report's own rows, which the tenancy guard's filter on the joined employee would otherwise
# invert (all of a big member's employees walked to find a page of ten requests).


def _requests_joins(query):
    return (
        query.outerjoin(Employee, Employee.id == VisitRequest.employee_id)
        .outerjoin(ExamType, ExamType.id == VisitRequest.exam_type_id)
        .outerjoin(Centre, Centre.id == VisitRequest.centre_id)
    )


def _visits_scope(outcome: VisitOutcome):
    def scope(query, member_id: int, today: date):
        return query.select_from(Visit).where(
            Visit.member_id == member_id, Visit.outcome == outcome
        )

    return scope


def _visits_joins(query):
    return query.outerjoin(Employee, Employee.id == Visit.employee_id).outerjoin(
        ExamType, ExamType.id == Visit.exam_type_id
    )


def _name(joined: bool = True) -> Column:
    return Column("name", Kind.TEXT, NAME, sort_on=NAME_ORDER, joined=joined)


def _exam_type() -> Column:
    return Column(
        "exam_type",
        Kind.ID,
        ExamType.label,
        filter_on=ExamType.id,
        sort_on=(ExamType.label,),
        joined=True,
    )


def _nullable(key: str, kind: Kind, value, **more) -> Column:
    return Column(key, kind, value, split=plain_split(value), **more)


WORKFORCE = Report(
    name="workforce",
    columns=(
        _name(joined=False),
        Column("category", Kind.ENUM, Employee.category, enum=FollowUp),
        _nullable("last_exam_on", Kind.DATE, Employee.last_exam_on),
        _nullable("next_due_on", Kind.DATE, Employee.next_due_on),
        Column("appointment", Kind.MOMENT, next_appointment(), split=APPOINTMENT_SPLIT),
    ),
    default_sort="name",
    key=Employee.id,
    scope=_workforce_scope,
    tiebreak=NAME_ORDER,  # the indexes' order after the chosen column (ix_employee_member_*)
    extras=lambda today: (
        Employee.id.label("employee_id"),
        case((overdue(today), True), else_=False).label("overdue"),
        Employee.next_due_reason.label("next_due_reason"),
    ),
    flags={"overdue": overdue_of},
)
PLANNED = Report(
    name="planned",
    columns=(
        _name(),
        _nullable("scheduled_at", Kind.MOMENT, VisitRequest.scheduled_at),
        _nullable("centre", Kind.TEXT, Centre.name, joined=True),
        _exam_type(),
    ),
    default_sort="scheduled_at",
    key=VisitRequest.id,
    scope=_requests_scope,
    joins=_requests_joins,
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
        scope=_visits_scope(outcome),
        joins=_visits_joins,
        extras=lambda today: (Visit.employee_id.label("employee_id"),),
    )


SEEN = _visits_report("seen", VisitOutcome.SEEN)
ABSENT = _visits_report("absent", VisitOutcome.ABSENT)
CONCLUSIONS = _visits_report(
    "conclusions",
    VisitOutcome.SEEN,
    _nullable("conclusion", Kind.ENUM, Visit.conclusion, enum=Conclusion),
    _nullable("recommendations", Kind.TEXT, Visit.recommendations),
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


def _count_where(*conditions):
    return select(func.count(Employee.id)).where(*conditions).scalar_subquery()


def home_figures(session, member_id: int, today: date) -> HomeFigures:
    """The workforce by category and the visits due in the coming months: two statements. The
    current month counts from today on (earlier dates are overdue or have an appointment).

    Each figure is an exact count over a range of an index that holds the workforce condition
    (ix_employee_member_category, ix_employee_member_due): only the entries of the employees
    counted are read, never the employee rows, and the appointments in progress once."""
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
            _count_where(*scope, overdue_of(member_id, today)),
            *(_count_where(*scope, due.between(max(start, today), end)) for start, end in months),
        )
    ).one()
    return HomeFigures(
        categories=[(category, found.get(category, 0)) for category in FollowUp],
        overdue=int(counts[0]),
        months=[
            (start, int(count)) for (start, _end), count in zip(months, counts[1:], strict=True)
        ],
    )
