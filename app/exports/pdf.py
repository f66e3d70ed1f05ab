"""PDF documents (reportlab): the first-connection letter sent by post to a member's head office."""

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: str
    phone: str
    email: str
    portal_url: str


@dataclass(frozen=True)
class Addressee:
    name: str
    address: str
    postal_code: str
    city: str


def _paragraph(text: str, style) -> Paragraph:
    return Paragraph(escape(text), style)


def provisioning_letter(
    head: Letterhead, to: Addressee, identifier: str, password: str, issued_on: date
) -> bytes:
    """The letter carrying the provisional identifier and password (printed once, never stored)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    strong = ParagraphStyle("strong", parent=body, fontName="Helvetica-Bold", fontSize=12)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=_("Your member portal access"))
    credentials = Table(
        [[_("Provisional identifier"), identifier], [_("Provisional password"), password]],
        colWidths=[6 * cm, 8 * cm],
    )
    credentials.setStyle(
        TableStyle(
            [
                ("FONT", (1, 0), (1, -1), "Courier-Bold", 13),
                ("BOX", (0, 0), (-1, -1), 0.8, "black"),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, "grey"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story = [
        _paragraph(head.name, styles["Title"]),
        _paragraph(f"{head.address} - {head.phone} - {head.email}", body),
        Spacer(1, 1.2 * cm),
        *(_paragraph(line, body) for line in (to.name, to.address, f"{to.postal_code} {to.city}")),
        Spacer(1, 1 * cm),
        _paragraph(_("Amiens, %(date)s", date=format_date(issued_on, "long")), body),
        Spacer(1, 0.6 * cm),
        _paragraph(_("Subject: your access to the member portal"), strong),
        Spacer(1, 0.4 * cm),
        _paragraph(
            _(
                "To activate your member portal, go to %(url)s, click on «Première connexion ? "
                "Créer mon compte» and enter the provisional identifier and password below.",
                url=head.portal_url,
            ),
            body,
        ),
        Spacer(1, 0.4 * cm),
        credentials,
        Spacer(1, 0.4 * cm),
        _paragraph(
            _(
                "You will then enter the details of your portal administrator and choose a "
                "personal identifier, different from your member number, and a password. These "
                "provisional credentials work only once and replace any previous letter."
            ),
            body,
        ),
        _paragraph(
            _(
                "For any question, contact us at %(phone)s or %(email)s.",
                phone=head.phone,
                email=head.email,
            ),
            body,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


@dataclass(frozen=True)
class Appointment:
    member: str
    employee: str
    exam: str
    when: str  # already formatted (date and time)
    centre: str
    centre_address: str
    professional: str


def convocation(head: Letterhead, appointment: Appointment, issued_on: date) -> bytes:
    """The convocation of an employee to a visit, for the employer to hand over."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    strong = ParagraphStyle("strong", parent=body, fontName="Helvetica-Bold", fontSize=12)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=_("Convocation"))
    details = Table(
        [
            [_("Employee"), appointment.employee],
            [_("Examination"), appointment.exam],
            [_("Date and time"), appointment.when],
            [_("Centre"), f"{appointment.centre} - {appointment.centre_address}"],
            [_("Health professional"), appointment.professional],
        ],
        colWidths=[5 * cm, 11 * cm],
    )
    details.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, "black"),
                                 ("INNERGRID", (0, 0), (-1, -1), 0.4, "grey")]))  # fmt: skip
    story = [
        _paragraph(head.name, styles["Title"]),
        _paragraph(f"{head.address} - {head.phone} - {head.email}", body),
        Spacer(1, 1 * cm),
        _paragraph(appointment.member, body),
        _paragraph(_("Amiens, %(date)s", date=format_date(issued_on, "long")), body),
        Spacer(1, 0.6 * cm),
        _paragraph(_("Convocation to an occupational health visit"), strong),
        Spacer(1, 0.4 * cm),
        details,
        Spacer(1, 0.4 * cm),
        _paragraph(
            _(
                "Please give this convocation to your employee. An appointment that is not "
                "honoured without notice may be charged. To move it, call us at %(phone)s.",
                phone=head.phone,
            ),
            body,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
