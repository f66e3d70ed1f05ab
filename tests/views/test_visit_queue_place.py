"""Feedback and place after the health team's actions (issue 9, "No feedback, lost place"):
"Prendre en compte" says what it did and returns to where the user was, the queue with its filters
(several rows ticked in the list) or the request's page (its own button); recording the outcome,
which takes the request out of the open queue, returns to the queue with its filters; scheduling
returns to the request's page with its message."""

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from app import clock
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.visit import VisitRequest
from tests.conftest import csrf_token
from tests.views.test_employees import alerts, logged_in

QUEUE = "/backofficevisitrequestview/list/"
STAFF = "/backofficevisitrequestview"


def demo_request(app, status: RequestStatus) -> tuple[int, int]:
    """(id, health team id) of a demo request in that status."""
    with app.app_context():
        found = db.session.scalar(
            select(VisitRequest).where(VisitRequest.status == status).order_by(VisitRequest.id)
        )
        return found.id, found.health_team_id


def status_of(app, request_id: int) -> RequestStatus:
    with app.app_context():
        return db.session.get(VisitRequest, request_id).status


def token(client) -> str:
    """A CSRF token from a page that is not the queue (which would move the remembered place)."""
    return csrf_token(client.get("/").text)


def where(response) -> str:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    return location.path + (f"?{location.query}" if location.query else "")


def success_alerts(client, url: str) -> list[str]:
    page = client.get(url).text
    return [text for text in alerts(page) if text] if "alert-success" in page else []


def test_acknowledging_from_the_filtered_queue_returns_to_it_with_a_message(app, staff):
    request_id, team_id = demo_request(app, RequestStatus.SUBMITTED)
    place = f"{QUEUE}?_flt_0_status=SUBMITTED&_flt_0_health_team={team_id}"
    assert staff.get(place).status_code == 200

    response = staff.post(
        f"{STAFF}/action_post",
        data={"action": "acknowledge", "rowid": str(request_id), "csrf_token": token(staff)},
    )

    assert where(response) == place
    assert status_of(app, request_id) is RequestStatus.ACKNOWLEDGED
    assert success_alerts(staff, place)


def test_acknowledging_from_the_request_page_returns_to_it_with_a_message(app, staff):
    request_id, _team = demo_request(app, RequestStatus.SUBMITTED)
    show = f"{STAFF}/show/{request_id}"
    page = staff.get(show).text
    assert f"{STAFF}/action/acknowledge/{request_id}" in page  # the page's own button

    response = staff.post(
        f"{STAFF}/action/acknowledge/{request_id}", data={"csrf_token": csrf_token(page)}
    )

    assert where(response) == show
    assert status_of(app, request_id) is RequestStatus.ACKNOWLEDGED
    assert success_alerts(staff, show)


def test_acknowledging_twice_warns_and_says_nothing_was_done(app, staff):
    request_id, _team = demo_request(app, RequestStatus.SCHEDULED)  # past acknowledging
    staff.get(QUEUE)

    response = staff.post(
        f"{STAFF}/action_post",
        data={"action": "acknowledge", "rowid": str(request_id), "csrf_token": token(staff)},
    )

    assert where(response) == QUEUE
    page = staff.get(QUEUE).text
    assert "alert-warning" in page and "alert-success" not in page
    assert status_of(app, request_id) is RequestStatus.SCHEDULED


def test_without_a_queue_seen_the_action_returns_to_the_queue(app):
    staff = logged_in(app, "gestion")  # never opened the queue in this session
    request_id, _team = demo_request(app, RequestStatus.SUBMITTED)
    response = staff.post(
        f"{STAFF}/action_post",
        data={"action": "acknowledge", "rowid": str(request_id), "csrf_token": token(staff)},
    )
    assert where(response) == QUEUE


@pytest.mark.parametrize(
    "view", ["backofficevisitrequestview", "backofficeunassignedvisitrequestview"]
)
def test_recording_the_outcome_returns_to_the_queue_with_its_filters(app, staff, view):
    request_id, team_id = demo_request(app, RequestStatus.SCHEDULED)
    with app.app_context():
        values = {"scheduled_at": datetime.combine(clock.today() - timedelta(days=1), time(9))}
        if view == "backofficeunassignedvisitrequestview":
            values["health_team_id"] = None
        db.session.execute(
            update(VisitRequest).where(VisitRequest.id == request_id).values(**values)
        )
        db.session.commit()
    place = f"/{view}/list/?_flt_0_status=SCHEDULED"
    assert staff.get(place).status_code == 200
    staff.get(f"{STAFF}/show/{request_id}")  # opened from the list

    form = staff.get(f"{STAFF}/outcome/{request_id}").text
    response = staff.post(
        f"{STAFF}/outcome/{request_id}",
        data={
            "outcome": "absent",
            "conclusion": "",
            "recommendations": "",
            "next_due_on": "",
            "csrf_token": csrf_token(form),
        },
    )

    assert where(response) == place
    assert status_of(app, request_id) is RequestStatus.ABSENT
    assert success_alerts(staff, place)
