"""Composing documents for download: the letterhead from the settings, the attachment response."""

from flask import Response, current_app
from flask_babel import format_datetime

from app import clock
from app.exports import pdf
from app.models.member import Member


def portal_link(endpoint: str, **values) -> str:
    """An absolute link into the portal, from the configured address (never from the request's
    Host header: link poisoning), with or without a request context."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["PORTAL_URL"].rstrip("/") + path


def letterhead() -> pdf.Letterhead:
    config = current_app.config
    return pdf.Letterhead(
        name=config["SERVICE_NAME"],
        address=config["SERVICE_ADDRESS"],
        phone=config["SERVICE_PHONE"],
        email=config["SERVICE_EMAIL"],
        portal_url=config["PORTAL_URL"],
    )


def provisioning_letter_for(member: Member, password: str) -> bytes:
    to = pdf.Addressee(
        name=member.name,
        address=member.address or "",
        postal_code=member.postal_code or "",
        city=member.city or "",
    )
    return pdf.provisioning_letter(letterhead(), to, member.number, password, clock.today())


def convocation_for(visit_request, issued_on) -> bytes:
    centre = visit_request.centre
    employee = visit_request.employee
    appointment = pdf.Appointment(
        member=f"{visit_request.member.name} ({visit_request.member.number})",
        employee=f"{employee.last_name} {employee.first_name}",
        exam=visit_request.exam_type.label,
        when=format_datetime(visit_request.scheduled_at, "EEEE d MMMM y 'à' HH:mm", rebase=False),
        centre=centre.name if centre else "",
        centre_address=" ".join(
            part for part in (centre.address, centre.postal_code, centre.city) if part
        )
        if centre
        else "",
        professional=str(visit_request.professional or ""),
    )
    return pdf.convocation(letterhead(), appointment, issued_on)


def attachment(data: bytes, filename: str, mimetype: str = "application/pdf") -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
