"""Medical visit requests and their outcome (issue 5; manual, "Demande de visite médicale").

The member submits a request for an employee of its workforce (temporary-work agencies must name
the user company in the description); the health team is told by e-mail, acknowledges, schedules
(the convocation), then records the visit as done (administrative outcome only) or the employee
as absent. Every state change is kept with who and when.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import clock
from app.domain.employment import is_in_workforce
from app.domain.professions import allowed_roles, may_perform
from app.domain.visit_workflow import (
    OPEN,
    RequestStatus,
    can_move,
    closed_by_exit,
    may_convene,
    member_may_cancel,
)
from app.extensions import db
from app.models.centre import Centre, HealthProfessional
from app.models.document import DocumentContent
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import ExamType
from app.models.visit import (
    ONE_OPEN_PER_EXAM,
    Conclusion,
    Visit,
    VisitEvent,
    VisitOutcome,
    VisitRequest,
)
from app.services import ServiceError, audit, due_dates, mail, pdf_uploads, violates
from app.services.pdf_uploads import display_name

MAX_ATTACHMENT = 5 * 1024 * 1024
USER_COMPANY_MIN_LENGTH = 3


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


def check_pdf(attachment: Attachment) -> None:
    pdf_uploads.check_pdf(attachment.data, MAX_ATTACHMENT)


def served_name(request: VisitRequest) -> str:
    """The name a stored attachment is downloaded under: generated, whatever was uploaded."""
    return f"demande-{request.id}.pdf"


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
    existing = open_request_id(employee.id, exam_type_id)
    if existing is not None:
        raise ServiceError("visit_duplicate", request_id=existing)
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
    try:
        db.session.flush()
    except IntegrityError as error:
        if not violates(error, ONE_OPEN_PER_EXAM, "visit_request", ("employee_id", "exam_type_id")):
            raise
        # The same form posted twice at once: both passed the check above, the partial unique
        # index kept one. The caller rolls back, then finds the first with `open_request_id`.
        raise ServiceError("visit_duplicate") from error
    return request


def open_request_id(employee_id: int, exam_type_id: int) -> int | None:
    """The employee's request for this exam type still in progress, if any (at most one)."""
    return db.session.scalar(
        select(VisitRequest.id)
        .where(
            VisitRequest.employee_id == employee_id,
            VisitRequest.exam_type_id == exam_type_id,
            VisitRequest.status.in_(OPEN),
        )
        .order_by(VisitRequest.id)
        .limit(1)
    )


def _store(request: VisitRequest, attachment: Attachment) -> None:
    """Keep the checked file in the database, in the request's transaction: a refusal or a
    rollback leaves nothing behind, and every application server reads the same bytes."""
    check_pdf(attachment)
    request.attachment_content = DocumentContent(data=attachment.data)
    request.attachment_name = display_name(attachment.filename)
    request.attachment_size = len(attachment.data)
    request.attachment_sha256 = hashlib.sha256(attachment.data).hexdigest()


def cancel_request(request: VisitRequest, actor) -> None:
    if not member_may_cancel(request.status):
        raise ServiceError("visit_cannot_cancel")
    _move(request, RequestStatus.CANCELLED, actor)


def acknowledge(request: VisitRequest, actor) -> None:
    _move(request, RequestStatus.ACKNOWLEDGED, actor)


def schedule(
    request: VisitRequest,
    when: datetime,
    centre_id: int,
    professional_id: int,
    actor,
    *,
    after_exit: bool = False,
) -> None:
    """The convocation: date, time, centre and professional (a new slot replaces the old). The
    professional's profession must be one that may perform the exam, and the employee must be in
    the workforce on that day unless staff explicitly confirm (`after_exit`, audited)."""
    if when <= clock.now():
        raise ServiceError("visit_schedule_in_past")
    if db.session.get(Centre, centre_id) is None:
        raise ServiceError("visit_unknown_centre")
    professional = db.session.get(HealthProfessional, professional_id)
    if professional is None:
        raise ServiceError("visit_unknown_professional")
    if not may_perform(professional.role, request.exam_type.performed_by):
        raise ServiceError("visit_professional_not_allowed")
    end_on = request.employee.contract_end_on
    note = when.isoformat(sep=" ", timespec="minutes")
    if not may_convene(end_on, when.date()):
        if not after_exit:
            raise ServiceError("visit_employee_left", end_on=end_on)
        note = f"{note} - {_exit_note(end_on)} : convocation maintenue"
        audit.record(
            "visit_scheduled_after_exit",
            actor=actor,
            member=request.member,
            target=f"visit_request:{request.id}",
            scheduled_at=when.isoformat(sep=" ", timespec="minutes"),
            contract_end_on=end_on.isoformat(),
        )
    _move(request, RequestStatus.SCHEDULED, actor, note=note)
    request.scheduled_at = when
    request.centre_id = centre_id
    request.professional_id = professional_id


def professionals_for(request: VisitRequest) -> list[HealthProfessional]:
    """Who may perform the request's exam: its team's professionals first, then the others,
    each group by name."""
    allowed = allowed_roles(request.exam_type.performed_by)
    found = db.session.scalars(
        select(HealthProfessional)
        .options(joinedload(HealthProfessional.team))  # shown beside each name
        .where(HealthProfessional.role.in_(allowed))
        .order_by(HealthProfessional.last_name, HealthProfessional.first_name)
    ).all()
    return sorted(found, key=lambda p: p.team_id != request.health_team_id)


def _exit_note(end_on: date) -> str:
    """Kept in the request's history (stored text, in the service's language)."""
    return f"Salarié sorti des effectifs le {format_date(end_on, 'dd/MM/yyyy', locale='fr')}"


def close_for_exit(employee: Employee, actor) -> list[int]:
    """Cancel the employee's open requests that the exit closes (`closed_by_exit`), the reason
    in their history, and write to each team (or the service without a team) in the outbox;
    the ids of the mails, to send once the caller has committed."""
    end_on = employee.contract_end_on
    if end_on is None:
        return []
    today = clock.today()
    closed = [
        request
        for request in requests_of(employee.id)
        if closed_by_exit(
            request.status,
            request.scheduled_at.date() if request.scheduled_at else None,
            end_on,
            today,
        )
    ]
    for request in closed:
        _move(request, RequestStatus.CANCELLED, actor, note=_exit_note(end_on))
    db.session.flush()
    by_recipient: dict[str, list[VisitRequest]] = {}
    for request in closed:
        by_recipient.setdefault(team_address(request), []).append(request)
    return [_mail_exit(address, rows, end_on).id for address, rows in by_recipient.items()]


def close_all_exited() -> list[int]:
    """`close_for_exit` for every employee who has left and still has an open request."""
    employees = db.session.scalars(
        select(Employee)
        .where(
            Employee.contract_end_on <= clock.today(),
            Employee.id.in_(select(VisitRequest.employee_id).where(VisitRequest.status.in_(OPEN))),
        )
        .order_by(Employee.id)
    ).all()
    return [mail_id for employee in employees for mail_id in close_for_exit(employee, None)]


def team_address(request: VisitRequest) -> str:
    """Where news of a request goes: its health team, or the service's general address when the
    member has no team (or the team no address)."""
    team = request.health_team
    return team.email if team is not None and team.email else current_app.config["SERVICE_EMAIL"]


def _mail_exit(address: str, rows: list[VisitRequest], end_on: date):
    with force_locale("fr"):
        body = render_template("mail/visit_requests_closed_by_exit.txt", rows=rows, end_on=end_on)
        subject = _(
            "Visit requests cancelled: employee left the workforce (member %(number)s)",
            number=rows[0].member.number,
        )
    return mail.queue(address, subject, body)


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


def visits_by_outcome(employee_id: int) -> dict[VisitOutcome, list[Visit]]:
    """The employee's visits done and absences, newest first, in one select."""
    found = {outcome: [] for outcome in VisitOutcome}
    for visit in db.session.scalars(
        select(Visit).where(Visit.employee_id == employee_id).order_by(Visit.visit_on.desc())
    ):
        found[visit.outcome].append(visit)
    return found
