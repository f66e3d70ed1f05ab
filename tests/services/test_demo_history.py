"""The demo's visit history reads in order (issue 9, README for a newcomer): every request was asked
before its appointment, and its events follow each other."""

from sqlalchemy import select

from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.visit import VisitRequest


def test_demo_requests_are_asked_before_their_appointment_and_events_are_in_order(app):
    with app.app_context():
        requests = db.session.scalars(select(VisitRequest)).all()
        past = [r for r in requests if r.status in (RequestStatus.DONE, RequestStatus.ABSENT)]
        assert past, "the demo has past appointments"
        assert [r.id for r in requests if r.scheduled_at and r.requested_at > r.scheduled_at] == []
        for request in requests:
            moments = [event.at for event in request.events]
            assert moments == sorted(moments), request.id
            assert moments[0] >= request.requested_at  # nothing happens before the request
