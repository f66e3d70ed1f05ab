"""The member's list of visit requests gets counts and pages like the other lists (issue 9): a
summary "1 - 10 de N", pages of a chosen size, the status filter kept, a cancellation that returns
to the page the user was on, and a cost in SQL statements that does not grow with the rows."""

from datetime import timedelta

from lxml import html as lxml_html
from sqlalchemy import func, select

from app import clock
from app.domain.visit_workflow import CANCELLABLE, RequestStatus
from app.extensions import db
from app.models.centre import Centre
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import VisitRequest
from tests.conftest import csrf_token
from tests.views.test_employees import logged_in
from tests.views.test_same_work import statements_of

LIST = "/visit-requests/"


def _add_requests(app, number: str, count: int) -> None:
    """`count` requests done (no open one: the unique index allows any number), each with its
    employee, exam type and centre, spread over the member's employees and the centres (so that
    loading them row by row would show in the statements)."""
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        employees = db.session.scalars(
            select(Employee).where(Employee.member_id == member.id).order_by(Employee.id)
        ).all()
        exam = db.session.scalar(select(ExamType).order_by(ExamType.id))
        centres = db.session.scalars(select(Centre).order_by(Centre.id)).all()
        start = clock.now() - timedelta(days=count + 30)
        for index in range(count):
            db.session.add(
                VisitRequest(
                    member_id=member.id,
                    employee_id=employees[index % len(employees)].id,
                    exam_type_id=exam.id,
                    motive="Demande de visite médicale",
                    status=RequestStatus.DONE,
                    requested_at=start + timedelta(days=index),
                    scheduled_at=start + timedelta(days=index + 3),
                    centre_id=centres[index % len(centres)].id,
                    health_team_id=member.health_team_id,
                )
            )
        db.session.commit()


def _count(app, number: str, *where) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(VisitRequest.id))
            .join(Member, Member.id == VisitRequest.member_id)
            .where(Member.number == number, *where)
        )


def _rows(page: str) -> list[int]:
    return [int(value) for value in lxml_html.fromstring(page).xpath("//tr/@data-request")]


def _summary(page: str) -> str:
    summary = lxml_html.fromstring(page).find_class("pagination-summary")
    return " ".join(summary[0].text_content().split()) if summary else ""


def test_requests_are_counted_and_paged_newest_first(app):
    _add_requests(app, "10250", 30)
    total = _count(app, "10250")
    client = logged_in(app, "ets10250")

    first = client.get(LIST, query_string={"size": 10})
    second = client.get(LIST, query_string={"size": 10, "page": 2})
    beyond = client.get(LIST, query_string={"size": 10, "page": 999})
    everything = client.get(LIST, query_string={"size": 100})

    assert first.status_code == second.status_code == beyond.status_code == 200
    assert len(_rows(first.text)) == len(_rows(second.text)) == 10
    assert not set(_rows(first.text)) & set(_rows(second.text))
    last_page = (total + 9) // 10
    assert _rows(beyond.text) == _rows(
        client.get(LIST, query_string={"size": 10, "page": last_page}).text
    )
    assert len(_rows(everything.text)) == total
    assert _rows(everything.text)[:20] == _rows(first.text) + _rows(second.text)
    assert _summary(first.text) == f"1 - 10 de {total}"
    assert _summary(second.text) == f"11 - 20 de {total}"
    assert 'href="/visit-requests/?size=10&amp;page=2"' in first.text


def test_the_status_filter_is_counted_and_kept_by_the_pages(app):
    _add_requests(app, "10250", 30)
    done = _count(app, "10250", VisitRequest.status == RequestStatus.DONE)
    client = logged_in(app, "ets10250")

    page = client.get(LIST, query_string={"status": "DONE", "size": 10}).text

    assert _summary(page) == f"1 - 10 de {done}"
    links = lxml_html.fromstring(page).xpath("//ul[contains(@class, 'pagination')]//a/@href")
    assert links and all("status=DONE" in link for link in links)
    # A wrong status or page is ignored, not an error.
    assert client.get(
        LIST, query_string={"status": "X", "page": "-3", "size": "7"}
    ).status_code == (200)


def test_a_page_of_requests_costs_the_same_statements_whatever_its_rows(app):
    _add_requests(app, "10250", 120)
    client = logged_in(app, "ets10250")
    client.get(LIST)  # warm-up: caches filled on a first request

    counts = {
        size: len(statements_of(app, lambda s=size: client.get(LIST, query_string={"size": s})))
        for size in (10, 25, 100)
    }
    one_row = len(
        statements_of(app, lambda: client.get(LIST, query_string={"status": "CANCELLED"}))
    )

    assert counts[10] == counts[25] == counts[100], counts
    assert one_row <= counts[10]
    assert len(_rows(client.get(LIST, query_string={"size": 100}).text)) == 100


def test_cancelling_returns_to_the_page_and_the_row(app):
    _add_requests(app, "10250", 30)
    client = logged_in(app, "ets10250")
    with app.app_context():
        request_id = db.session.scalar(
            select(VisitRequest.id)
            .join(Member, Member.id == VisitRequest.member_id)
            .where(Member.number == "10250", VisitRequest.status.in_(CANCELLABLE))
        )
    assert request_id is not None
    page = client.get(LIST, query_string={"size": 10}).text

    response = client.post(
        f"/visit-requests/{request_id}/cancel",
        data={"csrf_token": csrf_token(page), "page": "1", "size": "10", "status": "SUBMITTED"},
    )

    assert response.status_code == 302
    location = response.headers["Location"]
    assert "size=10" in location and "page=1" in location and "status=SUBMITTED" in location
    assert location.endswith(f"#request-{request_id}")
    with app.app_context():
        assert db.session.get(VisitRequest, request_id).status is RequestStatus.CANCELLED
