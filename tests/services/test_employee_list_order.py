"""The workforce list's pages follow the exports' order for every sort (issue 13, "Throughput"):
each page's ids are read from the sort's index walk (the column, then the name order and the id),
then their rows; read page after page (the first, the deep ones, the last), they give the rows of
the one-statement order of the exports, each once. The name filter compares the stored capitals
without accents with the typed text normalised the same way. On SQLite, a sort on a column of
the employee follows its index (no temporary b-tree for the ORDER BY)."""

import pytest
from sqlalchemy import select, text

from app import clock
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.services import employee_list
from tests.views.test_report_statements import NUMBER, grow

SIZE = 7
VARIANTS = [
    (descending, filters, exited)
    for descending in (False, True)
    for filters, exited in (({}, False), ({"last_name": "é"}, False), ({}, True))
]


def _ids(app, sort: str, descending: bool, filters: dict, exited: bool):
    """(the export's ids in order, the pages' ids read one page after the other, the totals)."""
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
        today = clock.today()

        def params(page: int = 1) -> employee_list.ListParams:
            return employee_list.ListParams(
                filters=dict(filters),
                sort=sort,
                descending=descending,
                page=page,
                size=SIZE,
                exited=exited,
            )

        expected = [
            row.id for row in employee_list.all_rows(db.session, member_id, params(), today)
        ]
        paged, totals, page = [], set(), 1
        while len(paged) < len(expected):
            rows, total = employee_list.page(db.session, member_id, params(page), today)
            totals.add(total)
            paged += [row.id for row in rows]
            page += 1
        beyond, _total = employee_list.page(db.session, member_id, params(page + 5), today)
        last = expected[(len(expected) - 1) // SIZE * SIZE :]
        return expected, paged, totals, [row.id for row in beyond], last


@pytest.mark.parametrize("sort", employee_list.SORTS)
def test_every_page_of_every_sort_shows_the_rows_of_the_export_order(app, sort):
    """Both directions, the workforce, the name filter and the exited employees."""
    grow(app)
    with app.app_context():  # a few exited employees, so that the exited list has pages too
        member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
        ended = db.session.scalars(
            select(Employee).where(Employee.member_id == member_id).order_by(Employee.id)
        ).all()[::9]
        for employee in ended:
            employee.contract_end_on = clock.today().replace(year=2020)
        db.session.commit()
    for descending, filters, exited in VARIANTS:
        variant = (descending, filters, exited)
        expected, paged, totals, beyond, last = _ids(app, sort, descending, filters, exited)
        assert len(expected) > 2 * SIZE, variant
        assert paged == expected, variant
        assert totals == {len(expected)}, variant
        assert beyond == last, variant  # a page past the end shows the last one


def test_the_export_order_is_the_column_then_the_name_then_the_id(app):
    grow(app)
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
        params = employee_list.ListParams(sort="hired_on", descending=True)
        rows = list(employee_list.all_rows(db.session, member_id, params, clock.today()))
    keys = [(row.hired_on, row.last_name, row.first_name, row.id) for row in rows]
    assert keys == sorted(keys, reverse=True)
    assert len({row.hired_on for row in rows}) < len(rows)  # ties: the name order decides


@pytest.mark.parametrize(
    ("typed", "part"), [("mar", "MAR"), ("Mär", "MAR"), ("  mar  ", "MAR"), ("é", "E")]
)
def test_the_name_filter_finds_the_stored_capitals_whatever_the_case_and_accents(app, typed, part):
    grow(app)
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
        today = clock.today()
        params = employee_list.ListParams(filters={"last_name": typed}, size=100)
        rows, total = employee_list.page(db.session, member_id, params, today)
        names = db.session.scalars(
            select(Employee.last_name).where(
                Employee.member_id == member_id, employee_list.in_workforce(today)
            )
        ).all()
    assert total == sum(part in name for name in names) > 0
    assert all(part in row.last_name for row in rows)


def test_wildcards_typed_in_the_name_filter_are_taken_literally(app):
    grow(app)
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
        for typed in ("%", "_", "M_R"):
            params = employee_list.ListParams(filters={"last_name": typed})
            assert employee_list.page(db.session, member_id, params, clock.today())[1] == 0


INDEXED = [sort for sort, key in employee_list.SORTS.items() if key.table.name == "employee"]


def _plan(sort: str, descending: bool) -> str:
    """The query plan of a page's ids: SQLite's after ANALYZE; PostgreSQL's with sorts made
    as dear as it allows (on a small table it would rather sort than walk an index: with
    `enable_sort` off it still sorts when no index gives the order)."""
    member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
    params = employee_list.ListParams(sort=sort, descending=descending)
    query = employee_list._ordered_ids(member_id, params, clock.today()).limit(25).offset(50)
    compiled = query.compile()  # the default dialect: named parameters, as text() takes them
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        found = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"), compiled.params)
        return " ".join(row[-1] for row in found)
    db.session.execute(text("SET LOCAL enable_sort = off"))
    found = db.session.execute(text(f"EXPLAIN {compiled}"), compiled.params)
    return "\n".join(row[0] for row in found)


def test_a_sort_on_an_employee_column_walks_an_index(app):
    """No sort of the member's rows: the page's ids come from an index walk (the column's own
    index, or the name's), in both directions."""
    grow(app)
    with app.app_context():
        for sort in INDEXED:
            for descending in (False, True):
                plan = _plan(sort, descending)
                db.session.rollback()
                assert "TEMP B-TREE" not in plan, (sort, plan)  # SQLite's sort
                assert "Sort" not in plan, (sort, plan)  # PostgreSQL's
                assert "ix_employee_member_" in plan, (sort, plan)
