"""Medical visit requests and their outcome (issue 5; manual, "Demande de visite médicale").

The member submits a request for an employee of its workforce (temporary-work agencies must name
the user company in the description); the health team is told by e-mail, acknowledges, schedules
(the convocation), then records the visit as done (administrative outcome only) or the employee
as absent. Every state change is kept with who and when.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app import clock
from app.domain.employment import is_in_workforce
from app.domain.visit_workflow import RequestStatus, can_move, member_may_cancel
from app.extensions import db
from app.models.centre import Centre, HealthProfessional
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import Conclusion, Visit, VisitEvent, VisitOutcome, VisitRequest
from app.services import ServiceError, due_dates

MAX_ATTACHMENT = 5 * 1024 * 1024
USER_COMPANY_MIN_LENGTH = 3


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


def upload_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_pdf(attachment: Attachment) -> None:
    """PDF only, by content: the magic bytes, an end-of-file marker, and a size limit."""
    data = attachment.data
    if len(data) > MAX_ATTACHMENT:
        raise ServiceError("attachment_too_large")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise ServiceError("attachment_not_pdf")


def _move(request: VisitRequest, target: RequestStatus, actor, note: str | None = None):
    if request.status is not None and not can_move(request.status, target):
        raise ServiceError("visit_bad_transition")
    request.events.append(
        VisitEvent(
            member_id=request.member_id,
            at=clock.now(),
            actor_id=getattr(actor, "id", None),
            from_status=request.status,
            to_status=target,
            note=note,
        )
    )
    request.status = target


def submit_request(
    member: Member,
    employee: Employee,
    exam_type_id: int,
    description: str | None,
    actor,
    attachment: Attachment | None = None,
) -> VisitRequest:
    if employee.member_id != member.id:
        raise ServiceError("visit_foreign_employee")
    if not is_in_workforce(employee.contract_end_on, clock.today()):
        raise ServiceError("visit_employee_exited")
    if db.session.get(ExamType, exam_type_id) is None:
        raise ServiceError("visit_unknown_exam_type")
    description = (description or "").strip() or None
    if member.is_temp_agency and len(description or "") < USER_COMPANY_MIN_LENGTH:
        raise ServiceError("visit_user_company_required")
    request = VisitRequest(
        member_id=member.id,
        employee_id=employee.id,
        exam_type_id=exam_type_id,
        motive="Demande de visite médicale",
        description=description,
        requested_at=clock.now(),
        requested_by_id=getattr(actor, "id", None),
        health_team_id=member.health_team_id,
    )
    if attachment is not None:
        _store(request, attachment)
    _move(request, RequestStatus.SUBMITTED, actor)
    db.session.add(request)
    db.session.flush()
    return request


def _store(request: VisitRequest, attachment: Attachment) -> None:
    """Write the checked file outside the web root under a generated name; the caller removes
    it if the transaction fails (`discard_attachment`)."""
    check_pdf(attachment)
    key = uuid.uuid4().hex
    (upload_dir() / key).write_bytes(attachment.data)
    request.attachment_key = key
    request.attachment_name = Path(attachment.filename or "document.pdf").name[:200]
    request.attachment_size = len(attachment.data)
    request.attachment_sha256 = hashlib.sha256(attachment.data).hexdigest()


def discard_attachment(request: VisitRequest | None) -> None:
    if request is not None and request.attachment_key:
        (upload_dir() / request.attachment_key).unlink(missing_ok=True)


def attachment_path(request: VisitRequest) -> Path | None:
    return upload_dir() / request.attachment_key if request.attachment_key else None


def cancel_request(request: VisitRequest, actor) -> None:
    if not member_may_cancel(request.status):
        raise ServiceError("visit_cannot_cancel")
    _move(request, RequestStatus.CANCELLED, actor)


def acknowledge(request: VisitRequest, actor) -> None:
    _move(request, RequestStatus.ACKNOWLEDGED, actor)


def schedule(
    request: VisitRequest, when: datetime, centre_id: int, professional_id: int, actor
) -> None:
    """The convocation: date, time, centre and professional (a new slot replaces the old)."""
    if when <= clock.now():
        raise ServiceError("visit_schedule_in_past")
    if db.session.get(Centre, centre_id) is None:
        raise ServiceError("visit_unknown_centre")
    if db.session.get(HealthProfessional, professional_id) is None:
        raise ServiceError("visit_unknown_professional")
    _move(request, RequestStatus.SCHEDULED, actor, note=when.isoformat(sep=" ", timespec="minutes"))
    request.scheduled_at = when
    request.centre_id = centre_id
    request.professional_id = professional_id


def record_outcome(
    request: VisitRequest,
    actor,
    *,
    seen: bool,
    conclusion: Conclusion | None = None,
    recommendations: str | None = None,
    next_due_on: date | None = None,
) -> Visit:
    """The visit took place (with its administrative conclusion) or the employee was absent."""
    if request.status is not RequestStatus.SCHEDULED:
        raise ServiceError("visit_bad_transition")
    if seen and conclusion is None:
        raise ServiceError("visit_conclusion_required")
    visit_on = request.scheduled_at.date()
    if visit_on > clock.today():
        raise ServiceError("visit_outcome_in_future")
    _move(request, RequestStatus.DONE if seen else RequestStatus.ABSENT, actor)
    visit = Visit(
        member_id=request.member_id,
        employee_id=request.employee_id,
        request_id=request.id,
        exam_type_id=request.exam_type_id,
        visit_on=visit_on,
        outcome=VisitOutcome.SEEN if seen else VisitOutcome.ABSENT,
        conclusion=conclusion if seen else None,
        recommendations=(recommendations or "").strip() or None if seen else None,
        next_due_on=next_due_on if seen else None,
        professional_id=request.professional_id,
        recorded_at=clock.now(),
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(visit)
    if seen:
        employee = request.employee
        employee.last_exam_on = max(employee.last_exam_on or visit_on, visit_on)
    db.session.flush()
    due_dates.refresh([request.employee])
    return visit


def requests_of(employee_id: int) -> list[VisitRequest]:
    return list(
        db.session.scalars(
            select(VisitRequest)
            .where(VisitRequest.employee_id == employee_id)
            .order_by(VisitRequest.requested_at.desc())
        )
    )


def visits_of(employee_id: int, outcome: VisitOutcome) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.employee_id == employee_id, Visit.outcome == outcome)
            .order_by(Visit.visit_on.desc())
        )
    )
