"""Demo documents (issue 10): 10250 BOULANGERIE DEMO has a DUERP history (two versions, the latest
deposited two months ago, so that its users are not asked at login), the answers given at login,
a Kbis the service acknowledged, a company record sheet sent by the service and not yet opened
("nouveau"), and documents about two employees. 10251 TRANSPORTS DEMO deposited its DUERP five
months ago; 10252 INTERIM DEMO has none, so the administrator created at its first connection
meets the DUERP question. Loaded once (skipped when 10250 has documents)."""

import io
from datetime import timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.document import Document, DuerpAnswer
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import DocumentClass, DocumentSubclass
from app.models.user import PortalUser
from app.services import documents

NUMBER = "10250"


def pdf(title: str, *lines: str) -> bytes:
    """A small real PDF with a title and a few lines of text."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 770, title)
    page.setFont("Helvetica", 11)
    for index, line in enumerate(lines):
        page.drawString(72, 740 - 16 * index, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _details(code: str, description: str, subclass: str | None = None, number=None):
    document_class = db.session.scalar(select(DocumentClass).where(DocumentClass.code == code))
    subclass_id = None
    if subclass:
        subclass_id = db.session.scalar(
            select(DocumentSubclass.id).where(
                DocumentSubclass.class_id == document_class.id, DocumentSubclass.label == subclass
            )
        )
    return documents.Details(document_class.id, description, subclass_id, number)


def _dated(document: Document, days_ago: int) -> Document:
    document.sent_at = clock.now() - timedelta(days=days_ago)
    return document


def _acknowledged(document: Document, staff) -> None:
    document.acknowledged_at = document.sent_at + timedelta(days=2)
    document.acknowledged_by_id = staff.id


def load() -> None:
    member = db.session.scalar(select(Member).where(Member.number == NUMBER))
    if member is None or db.session.scalar(
        select(func.count(Document.id)).where(Document.member_id == member.id)
    ):
        return
    admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
    staff = db.session.scalar(select(PortalUser).where(PortalUser.username == "gestion"))
    _duerp(member, admin, staff)
    _company(member, admin, staff)
    _employees(member, admin, staff)
    _transports_duerp(staff)
    db.session.flush()


def _transports_duerp(staff) -> None:
    member = db.session.scalar(select(Member).where(Member.number == "10251"))
    admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10251"))
    upload = documents.Upload("DUERP-transports.pdf", pdf("Document unique", member.name))
    details = _details("AMT", "DUERP mis à jour", "DUERP")
    _acknowledged(_dated(documents.deposit(member, upload, details, admin), 150), staff)


def _duerp(member, admin, staff) -> None:
    today = clock.today()
    for days_ago, version in ((420, 1), (60, 2)):
        upload = documents.Upload(
            f"DUERP-boulangerie-v{version}.pdf",
            pdf("Document unique d'évaluation des risques", f"Version {version}", member.name),
        )
        details = _details("AMT", f"DUERP version {version}", "DUERP", f"DU-{version}")
        document = _dated(documents.deposit(member, upload, details, admin), days_ago)
        _acknowledged(document, staff)
        db.session.add(
            DuerpAnswer(
                member_id=member.id,
                answered_at=document.sent_at - timedelta(minutes=5),
                user_id=admin.id,
                has_duerp=True,
                updated_on=today - timedelta(days=days_ago + 10),
                has_action_plan=version == 2,
            )
        )


def _company(member, admin, staff) -> None:
    kbis = documents.deposit(
        member,
        documents.Upload("kbis.pdf", pdf("Extrait Kbis", member.name, f"Adhérent {member.number}")),
        _details("ADM", "Extrait Kbis de moins de 3 mois", "Statuts / Kbis"),
        admin,
    )
    _acknowledged(_dated(kbis, 30), staff)
    sheet = documents.send(
        [member],
        documents.Upload("fiche-entreprise.pdf", pdf("Fiche d'entreprise", member.name)),
        _details("FE", "Fiche d'entreprise établie par votre équipe santé travail"),
        staff,
    )[0]
    _dated(sheet, 5)


def _employees(member, admin, staff) -> None:
    first, second = db.session.scalars(
        select(Employee)
        .where(Employee.member_id == member.id, Employee.contract_end_on.is_(None))
        .order_by(Employee.id)
        .limit(2)
    ).all()
    stop = documents.deposit(
        member,
        documents.Upload("arret.pdf", pdf("Arrêt de travail", first.last_name)),
        _details("SAL", "Arrêt de travail transmis pour la reprise", "Arrêt de travail"),
        admin,
        employee=first,
    )
    _dated(stop, 12)
    attestation = documents.send(
        [member],
        documents.Upload("attestation.pdf", pdf("Attestation de suivi", second.last_name)),
        _details("ATT", "Attestation de suivi individuel de l'état de santé"),
        staff,
        employee=second,
    )[0]
    _dated(attestation, 20)
