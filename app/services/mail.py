"""E-mail: every message is first written to the outbox (in the caller's transaction), then sent
by SMTP after the response when a server is configured (MAIL_SERVER). Without one, the message
stays in the outbox, which the service's administrators read in the back-office, and the log says
so.

A personal link (password reset, e-mail confirmation) is a secret: the outbox keeps the body with
a placeholder instead, the link lives only in the memory of the request that sends it, and a
sent body is erased (issue 8). A mail that could not be sent keeps its redacted body: the user
asks for a new link.

A notice (issue 12) also has an HTML part, a List-Unsubscribe header, and may carry a PDF (a
visit's convocation) whose content row belongs to the mail and is deleted once it is sent.
"""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import delete, select

from app import clock
from app.extensions import db
from app.models.account import OutboxMail
from app.models.document import DocumentContent

log = logging.getLogger(__name__)
SECRET_PLACEHOLDER = "[lien personnel : envoyé au destinataire seulement, non conservé]"


def queue(recipient: str, subject: str, body: str, secret: str | None = None) -> OutboxMail:
    """Write the mail to the outbox; a `secret` found in the body is kept out of the copy (pass
    it again to `deliver_after_response`)."""
    kept = body.replace(secret, SECRET_PLACEHOLDER) if secret else body
    (mail,) = queue_all([(recipient, subject, kept)])
    return mail


@dataclass(frozen=True)
class Message:
    """A mail to queue. The attachment's content row belongs to the mail: it is deleted once the
    mail is sent (a convocation is generated for its mail)."""

    recipient: str
    subject: str
    body: str
    html: str | None = None
    attachment_name: str | None = None
    attachment_content_id: int | None = None
    unsubscribe_url: str | None = None


def queue_all(messages: list[tuple[str, str, str] | Message]) -> list[OutboxMail]:
    """Write mails, (recipient, subject, body) or `Message`, to the outbox with one flush:
    thousands of them (a document sent to every member) cost one batch of inserts, not a flush
    each."""
    now = clock.now()
    mails = [
        OutboxMail(
            created_at=now,
            recipient=m.recipient,
            subject=m.subject,
            body=m.body,
            html=m.html,
            attachment_name=m.attachment_name,
            attachment_content_id=m.attachment_content_id,
            unsubscribe_url=m.unsubscribe_url,
        )
        for m in (item if isinstance(item, Message) else Message(*item) for item in messages)
    ]
    db.session.add_all(mails)
    db.session.flush()
    return mails


def _send(config, mail: OutboxMail, secret: str | None) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    body = mail.body or ""
    message.set_content(body.replace(SECRET_PLACEHOLDER, secret) if secret else body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    if mail.attachment_content_id:
        data = db.session.get(DocumentContent, mail.attachment_content_id).data
        name = mail.attachment_name or "document.pdf"
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        # as_bytes() leaves a line starting with "From " as it is (send_message would write
        # ">From ", an mbox quoting that has no place over SMTP); CRLF line ends, as SMTP wants.
        data = message.as_bytes(policy=SMTP_POLICY)
        smtp.sendmail(message["From"], [mail.recipient], data)


def deliver(ids: list[int], secrets: dict[int, str] | None = None) -> None:
    """Send the given outbox messages, then erase their bodies (own transaction; call with an
    app context). `secrets` gives, per mail id, the link its placeholder stands for."""
    config = current_app.config
    secrets = secrets or {}
    if not config["MAIL_SERVER"]:
        log.info("mail %s kept in the outbox: no SMTP server configured (MAIL_SERVER)", ids)
        if config["PORTAL_ENV"] == "development":  # so that `make run` can follow the links
            for mail_id, secret in secrets.items():
                log.warning("development only, personal link of mail %s: %s", mail_id, secret)
        return
    for mail in db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids))):
        try:
            _send(config, mail, secrets.get(mail.id))
            mail.sent_at = clock.now()
            mail.body = mail.html = None
            _drop_attachment(mail)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail %s not sent: %s", mail.id, error)
            mail.error = str(error)[:500]
    db.session.commit()


def _drop_attachment(mail: OutboxMail) -> None:
    content_id, mail.attachment_content_id = mail.attachment_content_id, None
    if content_id:
        db.session.flush()
        db.session.execute(delete(DocumentContent).where(DocumentContent.id == content_id))


def run_after_response(work) -> None:
    """Run `work()` in an app context once the response is out (its timing then tells
    nothing about what the work found)."""
    app = current_app._get_current_object()

    @after_this_request
    def _schedule(response):
        done = []

        def _run():  # once, even if the server closes the response twice
            if done:
                return
            done.append(True)
            with app.app_context():
                try:
                    work()
                except Exception:  # the response is gone: log, never lose the worker
                    log.exception("work after the response failed")
                    db.session.rollback()

        response.call_on_close(_run)
        return response


def deliver_after_response(ids: list[int], secrets: dict[int, str] | None = None) -> None:
    """Send once the response is out, so that its timing does not tell whether a mail left."""
    run_after_response(lambda: deliver(ids, secrets))


def deliver_later(ids: list[int]) -> None:
    """For a service that queues mails inside a larger use case: in a request, send them once
    the response is out (a rolled-back transaction leaves no row, so nothing is sent); outside
    one (CLI), the command calls `deliver` after its commit."""
    if ids and has_request_context():
        deliver_after_response(ids)
