"""Composing documents for download: the letterhead from the settings, the attachment response."""

from flask import Response, current_app

from app import clock
from app.exports import pdf
from app.models.member import Member


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


def attachment(data: bytes, filename: str, mimetype: str = "application/pdf") -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
