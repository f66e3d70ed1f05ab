"""Demo visits: past visits with conclusions, absences, requests in every state, and employees
left without a visit so that some are overdue (every report has rows). Deterministic."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app import clock
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitOutcome, VisitRequest
from app.services import due_dates, visits

CONCLUSIONS = {
    "VIP_EMB": Conclusion.ATTESTATION,
    "VIP_PER": Conclusion.ATTESTATION,
    "EMA_EMB": Conclusion.FIT,
    "EMA_PER": Conclusion.FIT,
}
RECOMMENDATIONS = (
    None,
    None,
    "Port de protections auditives.",
    "Éviter le port de charges > 15 kg.",
)
# One request in each state: (status reached, appointment in days from today)
OPEN_REQUESTS = (
    (RequestStatus.SUBMITTED, None),
    (RequestStatus.ACKNOWLEDGED, None),
    (RequestStatus.SCHEDULED, 12),
    (RequestStatus.CANCELLED, None),
    (RequestStatus.DONE, -10),
    (RequestStatus.ABSENT, -20),
)


def _exam_ids() -> dict[str, int]:
    return dict(db.session.execute(select(ExamType.code, ExamType.id)).tuples().all())


def _first_kind(employee: Employee) -> str:
    return "EMA_EMB" if employee.category.value == "SIR" else "VIP_EMB"


def _past_visit(employee, exams, rng, outcome=VisitOutcome.SEEN) -> None:
    kind = _first_kind(employee) if rng.random() < 0.5 else _first_kind(employee)[:3] + "_PER"
    visit_on = max(employee.post_entry_on, clock.today() - timedelta(days=rng.randint(60, 1500)))
    db.session.add(
        Visit(
            member_id=employee.member_id,
            employee_id=employee.id,
            exam_type_id=exams[kind],
            visit_on=visit_on,
            outcome=outcome,
            conclusion=CONCLUSIONS[kind] if outcome is VisitOutcome.SEEN else None,
            recommendations=rng.choice(RECOMMENDATIONS) if outcome is VisitOutcome.SEEN else None,
            recorded_at=clock.now(),
        )
    )
    if outcome is VisitOutcome.SEEN:
        employee.last_exam_on = max(employee.last_exam_on or visit_on, visit_on)


def _requests(member, employees, exams, centre_id, professional_id) -> None:
    for (status, days), employee in zip(OPEN_REQUESTS, employees, strict=False):
        request = visits.submit_request(
            member, employee, exams["DEMANDE"], "Demande de démonstration", None
        )
        if status is RequestStatus.ACKNOWLEDGED:
            visits.acknowledge(request, None)
        elif status is RequestStatus.SCHEDULED:
            when = datetime.combine(clock.today() + timedelta(days=days), time(9, 30))
            visits.schedule(request, when, centre_id, professional_id, None)
        elif status is RequestStatus.CANCELLED:
            visits.cancel_request(request, None)
        elif status in (RequestStatus.DONE, RequestStatus.ABSENT):  # scheduled, then recorded
            when = datetime.combine(clock.today() + timedelta(days=1), time(14, 0))
            visits.schedule(request, when, centre_id, professional_id, None)
            request.scheduled_at = when + timedelta(days=days - 1)
            seen = status is RequestStatus.DONE
            visit = visits.record_outcome(
                request, None, seen=seen, conclusion=Conclusion.ATTESTATION if seen else None
            )
            _backdate(request, visit)


def _backdate(request: VisitRequest, visit: Visit) -> None:
    """A past appointment's history in order: asked two weeks before, scheduled the next day,
    recorded two hours after the appointment (not all "now", after the appointment)."""
    asked = request.scheduled_at - timedelta(days=14)
    request.requested_at = asked
    first, *middle, last = request.events
    first.at = asked
    for event in middle:
        event.at = asked + timedelta(days=1)
    last.at = visit.recorded_at = request.scheduled_at + timedelta(hours=2)


def load() -> None:
    """Visits for the demo members that have none yet."""
    exams = _exam_ids()
    for number in ("10250", "10251", "10252"):
        member = db.session.scalar(select(Member).where(Member.number == number))
        if db.session.scalar(select(Visit.id).where(Visit.member_id == member.id).limit(1)):
            continue
        if db.session.scalar(
            select(VisitRequest.id).where(VisitRequest.member_id == member.id).limit(1)
        ):
            continue
        rng = random.Random(int(number) + 7)
        staff = db.session.scalars(
            select(Employee).where(Employee.member_id == member.id).order_by(Employee.id)
        ).all()
        # Two thirds seen in the past, a few absences, the rest never seen (some overdue).
        for index, employee in enumerate(staff):
            if index % 3 != 2:
                _past_visit(employee, exams, rng)
            if index % 7 == 0:
                _past_visit(employee, exams, rng, VisitOutcome.ABSENT)
        team = member.health_team
        professional = team.professionals[0].id if team and team.professionals else None
        if professional is not None:
            _requests(member, staff[2::3], exams, team.centre_id, professional)
        db.session.flush()
        due_dates.refresh(list(staff))
