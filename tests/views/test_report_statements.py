"""The reports, the member's home and the back-office lists cost the same SQL statements whatever
the member's size (issue 13, "Throughput"): each page is measured on the demo member, then again
after the member got many more employees, appointments and visits; first and deep pages, every
sort of the workforce report. The pages a deep page shows are those of the one-statement order
(the export's), so the index walks of app.services.reports page the same rows."""

import random
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, insert, select

from app import clock
from app.demo import synthetic
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome, VisitRequest
from app.services import reports
from tests.views.test_backoffice_statements import view_of
from tests.views.test_employees import logged_in
from tests.views.test_same_work import statements_of

NUMBER = "10250"
ADDED = 150
DEEP = "page=999"  # beyond the last page: the last one is shown
WORKFORCE_SORTS = ("name", "category", "last_exam_on", "next_due_on", "appointment")


def _member_pages() -> list[str]:
    pages = ["/"]
    for sort in WORKFORCE_SORTS:
        for desc in ("0", "1"):
            url = f"/reports/workforce?sort={sort}&desc={desc}"
            pages += [url, f"{url}&{DEEP}"]
    pages += ["/reports/workforce?overdue=1", f"/reports/workforce?overdue=1&{DEEP}"]
    for view in ("planned", "seen", "absent"):
        pages += [f"/reports/planning?view={view}", f"/reports/planning?view={view}&{DEEP}"]
    pages += ["/reports/planning?view=planned&sort=centre&desc=1&" + DEEP]
    pages += ["/reports/conclusions", f"/reports/conclusions?{DEEP}"]
    pages += ["/reports/conclusions?sort=conclusion&desc=1&" + DEEP]
    return pages


VIEWS = ("BackofficeEmployeeView",) * 2 + ("BackofficeVisitRequestView", "BackofficeVisitView")


def _staff_pages(app) -> list[str]:
    with app.app_context():
        total = db.session.scalar(select(func.count(Employee.id)))
    view = "BackofficeEmployeeView"
    return [
        f"/backofficeemployeeview/list/?psize_{view}=10",
        f"/backofficeemployeeview/list/?psize_{view}=10&page_{view}={total // 10}",
        "/backofficevisitrequestview/list/?psize_BackofficeVisitRequestView=10",
        "/backofficevisitview/list/?psize_BackofficeVisitView=10",
    ]


def grow(app, number: str = NUMBER, added: int = ADDED) -> None:
    """`added` more employees for the member (bench-data's generator), an appointment in
    progress for one in 7, a visit done for one in 5, an absence for one in 11."""
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        employee = db.session.scalars(
            select(Employee).where(Employee.member_id == member.id).limit(1)
        ).one()
        today, now = clock.today(), clock.now().replace(microsecond=0)
        plan = [(member.id, employee.establishment_id, [employee.work_post_id], added)]
        rows = list(synthetic._employee_rows(plan, random.Random(13), today))
        for row in rows:
            row["nir"] = None  # the generator's may meet the demo's (unique per member)
        db.session.execute(insert(Employee), rows)
        exam = db.session.scalar(select(ExamType.id).order_by(ExamType.id))
        new = db.session.scalars(
            select(Employee.id).where(Employee.member_id == member.id).order_by(Employee.id.desc())
        ).all()[:added]
        common = {"member_id": member.id, "exam_type_id": exam}
        requests = [
            {
                **common,
                "employee_id": employee_id,
                "motive": "test",
                "status": RequestStatus.SCHEDULED,
                "requested_at": now - timedelta(days=3),
                "scheduled_at": datetime.combine(today, time(9)) + timedelta(days=index % 40),
            }
            for index, employee_id in enumerate(new)
            if index % 7 == 0
        ]
        visits = [
            {
                **common,
                "employee_id": employee_id,
                "visit_on": today - timedelta(days=1 + index % 300),
                "outcome": VisitOutcome.SEEN if index % 5 == 0 else VisitOutcome.ABSENT,
                "conclusion": Conclusion.FIT if index % 5 == 0 and index % 2 else None,
                "recorded_at": now,
            }
            for index, employee_id in enumerate(new)
            if index % 5 == 0 or index % 11 == 0
        ]
        db.session.execute(insert(VisitRequest), requests)
        db.session.execute(insert(Visit), visits)
        db.session.commit()


def _counts(app, client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        client.get(url)  # warm-up (and the home's once-per-login question)
        answers = []
        executed = statements_of(app, lambda u=url, seen=answers: seen.append(client.get(u)))
        assert answers[0].status_code == 200, url
        counts[url] = len(executed)
    return counts


def test_report_pages_and_the_home_cost_the_same_statements_with_many_more_rows(app):
    client = logged_in(app, f"ets{NUMBER}")
    pages = _member_pages()
    few = _counts(app, client, pages)
    grow(app)
    many = _counts(app, client, pages)
    assert many == few
    assert all(count <= 20 for count in many.values()), many


def test_back_office_lists_cost_the_same_statements_with_many_more_rows(app):
    client = logged_in(app, "gestion")
    pages = _staff_pages(app)
    few = _counts(app, client, pages)
    grow(app)
    many = _counts(app, client, pages)  # the deep page is now further from the end
    for url, view in zip(pages, VIEWS, strict=True):
        # A relation no row of the page holds is not queried: at most one per relation more.
        eager = len(view_of(app, view).datamodel.relations)
        assert few[url] - eager <= many[url] <= few[url] + eager, url


SORTS = [
    (report.name, column.key, descending, flags)
    for report in reports.REPORTS.values()
    for column in report.columns
    for descending in (False, True)
    for flags in ((frozenset(), frozenset({"overdue"})) if report.flags else (frozenset(),))
]


@pytest.mark.parametrize(("name", "sort", "descending", "flags"), SORTS)
def test_the_pages_follow_the_order_of_the_export(app, name, sort, descending, flags):
    """Every page of every sort (the index walks, the split of empty values) shows the rows of
    the one-statement order, each once."""
    grow(app)
    report = reports.REPORTS[name]
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == NUMBER))
        today = clock.today()

        def params(page: int = 1) -> reports.ReportParams:
            return reports.ReportParams(
                sort=sort, descending=descending, page=page, size=7, flags=flags
            )

        expected = [
            row.id for row in reports.all_rows(db.session, member_id, report, params(), today)
        ]
        paged, page = [], 1
        while len(paged) < len(expected):
            rows, total = reports.page(db.session, member_id, report, params(page), today)
            assert total == len(expected)
            paged += [row.id for row in rows]
            page += 1
        assert paged == expected
        assert len(expected) > 7


def test_a_deep_page_of_the_back_office_employees_shows_the_rows_of_the_name_order(app):
    """The page's keys are read first (KeysFirstInterface), then their rows: the same rows, in
    the same order, as FAB's one query (by name, then id)."""
    grow(app)
    client = logged_in(app, "gestion")
    view = "BackofficeEmployeeView"
    with app.app_context():
        ordered = db.session.scalars(
            select(Employee.id).order_by(Employee.last_name, Employee.id)
        ).all()
    for page in (0, len(ordered) // 10 - 1, len(ordered) // 10):
        url = f"/backofficeemployeeview/list/?psize_{view}=10&page_{view}={page}"
        response = client.get(url)
        assert response.status_code == 200
        shown = [int(pk) for pk in re.findall(r"/backofficeemployeeview/show/(\d+)", response.text)]
        assert list(dict.fromkeys(shown)) == ordered[page * 10 : page * 10 + 10], page
