"""The member's notices about its employees' visits (issue 12, "Notifications"): a visit scheduled,
with the convocation PDF attached (a new one when the appointment moves), and a visit done or an
absence recorded. Mailed to the member's users who want them (app.services.notifications). They
say when and where, never why nor what came of it: no exam motive, no conclusion, no aptitude
(the member reads the administrative outcome in the portal)."""

from collections.abc import Callable

from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _

from app.domain.notifications import Notice
from app.extensions import db
from app.models.document import DocumentContent
from app.models.visit import Visit, VisitOutcome, VisitRequest
from app.services import notifications

LINK = "/visit-requests/"


def _employee(request: VisitRequest) -> str:
    employee = request.employee
    return f"{employee.last_name} {employee.first_name}"


def scheduled(
    request: VisitRequest, convocation: Callable[[VisitRequest], bytes], rescheduled: bool
) -> list[int]:
    """Queue the appointment's notice with its convocation (`convocation` renders the PDF of
    the request as scheduled); the outbox ids, to deliver after the commit."""
    db.session.flush()
    db.session.expire(request, ["centre", "professional"])  # the new slot's, not the old one's
    centre = request.centre
    with force_locale("fr"):
        data = convocation(request)
        when = format_datetime(request.scheduled_at, "EEEE d MMMM y 'à' HH:mm", rebase=False)
    number = notifications.NUMBER
    subject = (
        (lambda: _("New date of a medical visit (member %(number)s)", number=number))
        if rescheduled
        else (lambda: _("Convocation to a medical visit (member %(number)s)", number=number))
    )
    composed = notifications.compose(
        Notice.VISIT_SCHEDULED,
        "visit_scheduled",
        subject,
        employee=_employee(request),
        when=when,
        centre=centre.name if centre else "",
        address=" ".join(p for p in (centre.address, centre.postal_code, centre.city) if p)
        if centre
        else "",
        rescheduled=rescheduled,
        link=notifications.portal_url(LINK),
    )
    content = DocumentContent(data=data)
    db.session.add(content)
    db.session.flush()
    return notifications.notify_members(
        composed, {request.member_id: request.member.number}, ("convocation.pdf", content.id)
    )


def outcome(request: VisitRequest, visit: Visit) -> list[int]:
    """Queue the notice that the visit took place or that the absence is recorded: the
    employee, the day, a link; nothing of the conclusion."""
    with force_locale("fr"):
        day = format_date(visit.visit_on, "d MMMM y")
    composed = notifications.compose(
        Notice.VISIT_OUTCOME,
        "visit_outcome",
        lambda: _("Medical visit of an employee (member %(number)s)", number=notifications.NUMBER),
        employee=_employee(request),
        day=day,
        absent=visit.outcome is VisitOutcome.ABSENT,
        link=notifications.portal_url(LINK),
    )
    return notifications.notify_members(composed, {request.member_id: request.member.number})
