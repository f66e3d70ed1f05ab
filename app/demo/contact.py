"""Demo messages of "Contactez-nous" (issue 12, "demo data with messages in every status"), sent
and handled through the services over the last weeks: for 10250 BOULANGERIE DEMO a new message
without answer, one in progress assigned to `gestion` with an answer, one done whose author added
to the thread before the final answer, one with a PDF from the collaborator, and a question about
one of its invoices; for 10251 TRANSPORTS DEMO a new portal question and an answered one. The
notices the services queue are taken out of the outbox: the demo sends no mail (as the rest of
the demo, which queues none), and a later delivery run must not send weeks-old notices. Loaded
once (skipped when a demo member has messages)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app import clock
from app.demo.documents import pdf
from app.extensions import db
from app.models.account import OutboxMail
from app.models.billing import Invoice
from app.models.contact import ContactMessage, ContactType, MessageStatus
from app.models.member import Member
from app.models.user import PortalUser
from app.services import contact

NUMBERS = ("10250", "10251")


@dataclass(frozen=True)
class Step:
    """One event of a message's life, `days` (and hours) before now: "answer" (staff, with the
    status it leaves), "reply" (the author), "assign" (to staff) or "status"."""

    kind: str
    days: float
    text: str = ""
    status: MessageStatus | None = None


# (member, author, type code, subject, text, days ago, with a PDF, about an invoice, steps)
MESSAGES = [
    (
        "10250", "ets10250", "administratif", "Attestation d'adhésion pour un appel d'offres",
        "Bonjour,\nNous répondons à un appel d'offres de la mairie et devons fournir une "
        "attestation d'adhésion à jour. Pouvez-vous nous l'envoyer ?\nMerci.",
        2, False, False, [],
    ),
    (
        "10250", "ets10250", "prevention", "Mise à jour du DUERP après l'ouverture du fournil",
        "Nous avons ouvert un second fournil en septembre. Un préventeur peut-il nous aider à "
        "compléter le document unique (chaleur, farines) ?",
        12, False, False,
        [
            Step("assign", 11),
            Step(
                "answer", 10,
                "Bonjour, notre préventrice vous appellera cette semaine pour convenir d'une "
                "visite du fournil.",
                MessageStatus.IN_PROGRESS,
            ),
        ],
    ),
    (
        "10250", "ets10250", "support", "Invitation d'un collaborateur non reçue",
        "J'ai créé le profil de notre vendeuse mais elle n'a pas reçu le courriel d'invitation.",
        26, False, False,
        [
            Step(
                "answer", 25,
                "Bonjour, l'invitation est partie le jour même : pouvez-vous vérifier ses "
                "courriels indésirables ?",
                MessageStatus.IN_PROGRESS,
            ),
            Step("reply", 24, "Elle l'a retrouvée dans ses indésirables, merci. C'est réglé."),
            Step("answer", 23.9, "Parfait, nous clôturons votre demande.", MessageStatus.DONE),
        ],
    ),
    (
        "10250", "ets10250.2", "autre", "Fiche d'aptitude de notre apprenti",
        "Bonjour, vous trouverez ci-joint le courrier de l'école de notre apprenti qui demande "
        "une copie de sa fiche.",
        5, True, False, [],
    ),
    (
        "10250", "ets10250", "facture", "Facture de cotisation : changement d'adresse",
        "Notre adresse de facturation a changé : merci de corriger la facture ou de nous dire "
        "s'il faut la conserver telle quelle.",
        16, False, True,
        [
            Step("assign", 15),
            Step("status", 15, status=MessageStatus.IN_PROGRESS),
        ],
    ),
    (
        "10251", "ets10251", "support", "Fichier Excel des salariés",
        "Le fichier Excel de la liste des salariés ne contient pas les dates de visite. Est-ce "
        "normal ?",
        1, False, False, [],
    ),
    (
        "10251", "ets10251", "administratif", "Changement de gérant",
        "Notre gérant change au 1er du mois prochain. Quelles démarches faire auprès du "
        "service ?",
        33, False, False,
        [
            Step(
                "answer", 31,
                "Bonjour, il suffit de mettre à jour la fiche entreprise dans le portail et de "
                "nous transmettre le Kbis à jour dans Documents.",
                MessageStatus.DONE,
            ),
        ],
    ),
]  # fmt: skip


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _at(days: float) -> datetime:
    return (clock.now() - timedelta(days=days)).replace(microsecond=0)


def _draft(member, code: str, subject: str, body: str, about_invoice: bool) -> contact.Draft:
    type_id = db.session.scalar(select(ContactType.id).where(ContactType.code == code))
    invoice_id = None
    if about_invoice:
        invoice_id = db.session.scalar(
            select(Invoice.id).where(Invoice.member_id == member.id).order_by(Invoice.id).limit(1)
        )
    return contact.Draft(type_id, subject, body, invoice_id=invoice_id)


def _step(message: ContactMessage, step: Step, author, staff) -> list[int]:
    """The step done at its date; the outbox ids of the notices it queued."""
    mail_ids = []
    if step.kind == "answer":
        mail_ids = contact.answer(message, staff, step.text, step.status)
        message.replies[-1].created_at = _at(step.days)
    elif step.kind == "reply":
        mail_ids = contact.add_member_reply(message, author, step.text)
        message.replies[-1].created_at = _at(step.days)
    elif step.kind == "assign":
        contact.assign(message, staff.id, staff)
    else:
        contact.set_status(message, step.status, staff)
    message.updated_at = _at(step.days)
    return mail_ids


def _message(spec, staff) -> list[int]:
    number, username, code, subject, body, days, with_pdf, about_invoice, steps = spec
    member = db.session.scalar(select(Member).where(Member.number == number))
    author = _user(username)
    upload = None
    if with_pdf:
        data = pdf("Courrier de l'école", "Demande de copie de la fiche de l'apprenti.")
        upload = contact.Upload("courrier-ecole.pdf", data)
    draft = _draft(member, code, subject, body, about_invoice)
    message = contact.submit(member, author, draft, upload)
    message.created_at = message.updated_at = _at(days)
    mail_ids = list(message.mail_ids)
    for step in steps:
        mail_ids += _step(message, step, author, staff)
    return mail_ids


def load() -> None:
    members = select(Member.id).where(Member.number.in_(NUMBERS))
    if db.session.scalar(
        select(func.count(ContactMessage.id)).where(ContactMessage.member_id.in_(members))
    ):
        return
    staff = _user("gestion")
    mail_ids = [mail_id for spec in MESSAGES for mail_id in _message(spec, staff)]
    db.session.execute(delete(OutboxMail).where(OutboxMail.id.in_(mail_ids)))
    db.session.flush()
