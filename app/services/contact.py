"""Contactez-nous (manual, "Contactez-nous"; issue 12): a member's user sends a message of a type
(reference data), optionally about one of the member's invoices and with a PDF; the service is
told at the type's address (a link to the back-office, never the text: the message may hold
health information and stays in the portal), answers from the back-office queue, assigns and
closes; the author is told of each answer by e-mail (their notice "An answer to one of my
messages"). The member's user may add to the thread, which puts a closed message back in the
queue. Nothing is lost when mail delivery fails: the message is in the database, the mails in
the outbox.
"""

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.domain.notifications import Notice
from app.extensions import db
from app.models.billing import Invoice
from app.models.contact import (
    ContactKind,
    ContactMessage,
    ContactReply,
    ContactType,
    MessageStatus,
)
from app.models.document import DocumentContent
from app.models.user import PortalUser
from app.security.tenancy import system_scope
from app.services import ServiceError, audit, mail, notifications, pdf_uploads
from app.services.pdf_uploads import display_name

MAX_ATTACHMENT = 5 * 1024 * 1024  # as the visit request's
MAX_SUBJECT = 150
MAX_BODY = 5000


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Draft:
    """What the form gives: the type, the subject, the text, and for a question about an
    invoice the invoice chosen (an id of the member's invoices) or a number typed."""

    type_id: int
    subject: str
    body: str
    invoice_id: int | None = None
    invoice_number: str | None = None


def active_types() -> list[ContactType]:
    return list(
        db.session.scalars(
            select(ContactType)
            .where(ContactType.is_active.is_(True))
            .order_by(ContactType.position, ContactType.label)
        )
    )


def recent_invoices(member_id: int, limit: int) -> list[Invoice]:
    """The member's newest invoices, for the choice of an invoice question."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.member_id == member_id)
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
            .limit(limit)
        )
    )


def routing_address(contact_type: ContactType) -> str:
    """The type's own address (staff set it), else the setting per type, else the service's."""
    config = current_app.config
    configured = config["CONTACT_ADDRESSES"].get(contact_type.code)
    return contact_type.address or configured or config["SERVICE_EMAIL"]


def _text(value: str | None, limit: int, code: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ServiceError(f"{code}_required")
    if len(text) > limit:
        raise ServiceError(f"{code}_too_long")
    return text


def _type(type_id: int) -> ContactType:
    contact_type = db.session.get(ContactType, type_id)
    if contact_type is None or not contact_type.is_active:
        raise ServiceError("contact_type_unknown")
    if contact_type.kind is ContactKind.VISIT:  # the visit request form, not a message
        raise ServiceError("contact_type_visit")
    return contact_type


def _invoice(member, draft: Draft) -> tuple[Invoice | None, str | None]:
    """The member's invoice chosen, or the number typed when it names none of theirs."""
    if draft.invoice_id is not None:
        invoice = db.session.get(Invoice, draft.invoice_id)
        if invoice is None or invoice.member_id != member.id:
            raise ServiceError("contact_invoice_unknown")
        return invoice, None
    typed = (draft.invoice_number or "").strip()[:30] or None
    if typed:
        invoice = db.session.scalar(
            select(Invoice).where(Invoice.member_id == member.id, Invoice.number == typed)
        )
        if invoice is not None:
            return invoice, None
    return None, typed


def submit(member, author, draft: Draft, upload: Upload | None = None) -> ContactMessage:
    """Keep the message (status "new") and queue the notice to the type's address (the caller
    commits, then delivers the outbox ids in `message.mail_ids`)."""
    contact_type = _type(draft.type_id)
    subject = _text(draft.subject, MAX_SUBJECT, "contact_subject")
    body = _text(draft.body, MAX_BODY, "contact_body")
    invoice, typed_number = (None, None)
    if contact_type.kind is ContactKind.INVOICE:
        invoice, typed_number = _invoice(member, draft)
    if typed_number:
        with force_locale("fr"):
            given = _("Invoice number given: %(number)s", number=typed_number)
        body = f"{given}\n\n{body}"
    now = clock.now()
    message = ContactMessage(
        member_id=member.id,
        type=contact_type,
        author_id=author.id,
        subject=subject,
        body=body,
        invoice=invoice,
        status=MessageStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    if upload is not None and upload.data:
        _attach(message, upload)
    db.session.add(message)
    db.session.flush()
    audit.record("contact_message_sent", actor=author, member=member, target=str(message.id))
    message.mail_ids = [_tell_service(message, member).id]
    return message


def _attach(message: ContactMessage, upload: Upload) -> None:
    pdf_uploads.check_pdf(upload.data, MAX_ATTACHMENT)
    message.attachment_content = DocumentContent(data=upload.data)
    message.attachment_name = display_name(upload.filename)
    message.attachment_size = len(upload.data)


def _tell_service(message: ContactMessage, member):
    """The notice to the service's address of the type: who, which type, a link; not the text."""
    link = notifications.portal_url(f"/backoffice/messages/{message.id}")
    with force_locale("fr"):
        subject = _(
            "New message: %(type)s (member %(number)s)",
            type=message.type.label,
            number=member.number,
        )
        body = render_template("mail/contact_new.txt", message=message, member=member, link=link)
    return mail.queue(routing_address(message.type), subject, body)


def add_member_reply(message: ContactMessage, author, body: str) -> list[int]:
    """The member's user adds to the thread; a message already dealt with goes back to "new".
    The staff member it is assigned to (else the type's address) is told, without the text: the
    outbox ids, to deliver after the commit."""
    _reply(message, author, body, from_service=False)
    if message.status is MessageStatus.DONE:
        message.status = MessageStatus.NEW
    address = _assignee_address(message)
    link = notifications.portal_url(f"/backoffice/messages/{message.id}")
    with force_locale("fr"):
        subject = _(
            "Member's reply to message no. %(id)d (member %(number)s)",
            id=message.id,
            number=message.member.number,
        )
        body = render_template("mail/contact_reply.txt", message=message, link=link)
    return [mail.queue(address or routing_address(message.type), subject, body).id]


def _assignee_address(message: ContactMessage) -> str | None:
    """The assigned staff member's address (a staff account is outside the member's scope)."""
    if message.assignee_id is None:
        return None
    with system_scope():
        assignee = db.session.get(PortalUser, message.assignee_id)
    return assignee.email if assignee is not None and assignee.active else None


def answer(message: ContactMessage, staff, body: str, status: MessageStatus) -> list[int]:
    """Staff answer: the reply, the status chosen (an answer leaves a new message "in progress"
    at least), the message assigned to them if nobody had it; the author's notice queued (the
    outbox ids, to deliver after the commit)."""
    _reply(message, staff, body, from_service=True)
    message.status = MessageStatus.IN_PROGRESS if status is MessageStatus.NEW else status
    if message.assignee_id is None:
        message.assignee_id = staff.id
    audit.record(
        "contact_message_answered",
        actor=staff,
        member=message.member,
        target=str(message.id),
        status=message.status.name,
    )
    if message.author is None:
        return []
    composed = notifications.compose(
        Notice.MESSAGE_ANSWERED,
        "message_answered",
        lambda: _("Answer to your message (member %(number)s)", number=notifications.NUMBER),
        message=message,  # its number and date only: never its text nor its subject
        link=notifications.portal_url(f"/messages/{message.id}"),
    )
    return notifications.notify_user(composed, message.author)


def _reply(message: ContactMessage, author, body: str, from_service: bool) -> ContactReply:
    text = _text(body, MAX_BODY, "contact_body")
    now = clock.now()
    reply = ContactReply(
        member_id=message.member_id,
        message=message,
        author_id=author.id,
        from_service=from_service,
        body=text,
        created_at=now,
    )
    message.updated_at = now
    db.session.add(reply)
    db.session.flush()
    return reply


def assign(message: ContactMessage, staff_id: int | None, actor) -> None:
    """Assign to one of the service's active accounts, or to nobody."""
    if staff_id is not None:
        staff = db.session.get(PortalUser, staff_id)
        if staff is None or staff.member_id is not None or not staff.active:
            raise ServiceError("contact_assignee_unknown")
    message.assignee_id = staff_id
    message.updated_at = clock.now()
    audit.record(
        "contact_message_assigned",
        actor=actor,
        member=message.member,
        target=str(message.id),
        assignee=staff_id,
    )


def set_status(message: ContactMessage, status: MessageStatus, actor) -> None:
    message.status = status
    message.updated_at = clock.now()
    audit.record(
        "contact_message_status",
        actor=actor,
        member=message.member,
        target=str(message.id),
        status=status.name,
    )
