"""E-mail: every message is first written to the outbox (in the caller's transaction), then sent
by SMTP by the outbox job (issue 13) once that transaction commits, when a server is configured
(MAIL_SERVER). Without one, the message stays in the outbox, which the service's administrators
read in the back-office, and the log says so. A mail the server refused, or that found no
server, is retried with a growing delay (BACKOFF), then given up with its error, which staff see
in the outbox and can send again.

A personal link (password reset, e-mail confirmation) is a secret: the outbox keeps the body with
a placeholder instead, the link lives only in the memory of the request that sends it (never in
the job queue), and a sent body is erased (issue 8). Such a mail is sent once by that request;
one that could not be sent keeps its redacted body and is not retried: the user asks for a new
link.

A notice (issue 12) also has an HTML part, a List-Unsubscribe header, and may carry a PDF (a
visit's convocation) whose content row belongs to the mail and is deleted once it is sent.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from flask import after_this_request, current_app
from sqlalchemy import and_, delete, func, select, update

from app import clock
from app.extensions import db
from app.models.account import OutboxMail
from app.models.document import DocumentContent

log = logging.getLogger(__name__)
SECRET_PLACEHOLDER = "[lien personnel : envoyé au destinataire seulement, non conservé]"
# The delay before each new attempt of a failed mail; given up after the last one.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
# A batch claimed by a sender is its own for this long (another worker skips it meanwhile).
LEASE = timedelta(minutes=10)


def queue(recipient: str, subject: str, body: str, secret: str | None = None) -> OutboxMail:
    """Write the mail to the outbox; a `secret` found in the body is kept out of the copy (pass
    it again to `deliver_after_response`)."""
    kept = body.replace(secret, SECRET_PLACEHOLDER) if secret else body
    (mail,) = queue_all([(recipient, subject, kept)])
    if secret:
        mail.next_attempt_at = None  # sent by the request that holds the link, never retried
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
            next_attempt_at=now,
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
    """Send the given outbox messages. Mails with a personal link (`secrets`: per mail id, the
    link its placeholder stands for) go at once from this process, in its own transaction; the
    others go through the outbox job (`kick`)."""
    if not secrets:
        if ids:
            kick()
        return
    config = current_app.config
    if not config["MAIL_SERVER"]:
        log.info("mail %s kept in the outbox: no SMTP server configured (MAIL_SERVER)", ids)
        if config["PORTAL_ENV"] == "development":  # so that `make run` can follow the links
            for mail_id, secret in secrets.items():
                log.warning("development only, personal link of mail %s: %s", mail_id, secret)
        return
    for mail in db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids))):
        try:
            _send(config, mail, secrets.get(mail.id))
            _sent(mail)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail %s not sent: %s", mail.id, error)
            mail.error, mail.attempts = str(error)[:500], mail.attempts + 1
    db.session.commit()


def kick() -> None:
    """Have the outbox job send what is due, once the caller's transaction commits."""
    from app.services import jobs

    jobs.start("outbox")


def _sent(mail: OutboxMail) -> None:
    mail.sent_at, mail.next_attempt_at, mail.error = clock.now(), None, None
    mail.body = mail.html = None
    _drop_attachment(mail)


def _claim(batch: int) -> list[int]:
    """Take up to `batch` due mails for this sender (one statement: two senders never take the
    same mail; PostgreSQL skips the rows another sender is claiming)."""
    now = clock.now()
    due = (
        select(OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.scalars(
        update(OutboxMail)
        .where(
            OutboxMail.id.in_(due.scalar_subquery()),
            OutboxMail.sent_at.is_(None),
            OutboxMail.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .returning(OutboxMail.id)
    ).all()
    db.session.commit()
    return sorted(claimed)


@dataclass
class Sending:
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    retry_at: object = None  # the earliest retry planned, if any

    def __str__(self) -> str:
        text = f"{self.sent} e-mail(s) envoyé(s), {self.failed} échec(s)"
        if self.given_up:
            text += f", dont {self.given_up} abandonné(s) après {len(BACKOFF) + 1} essais"
        return text


def send_due(batch: int = 50, progress=None) -> Sending:
    """Send the outbox's due mails (the outbox job, `flask send-outbox`): by claimed batches,
    each mail committed as it goes, so that a stop resends at most the mail in flight."""
    config = current_app.config
    outcome = Sending()
    if not config["MAIL_SERVER"]:
        log.info("outbox: no SMTP server configured (MAIL_SERVER), mails kept")
        return outcome
    while ids := _claim(batch):
        for mail_id in ids:
            mail = db.session.get(OutboxMail, mail_id)
            try:
                _send(config, mail, None)
                _sent(mail)
                outcome.sent += 1
            except (OSError, smtplib.SMTPException) as error:
                log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts + 1, error)
                _failed(mail, str(error), outcome)
            db.session.commit()
        if progress:
            progress(outcome.sent + outcome.failed)
    outcome.retry_at = db.session.scalar(
        select(func.min(OutboxMail.next_attempt_at)).where(OutboxMail.sent_at.is_(None))
    )
    db.session.commit()
    return outcome


def _failed(mail: OutboxMail, error: str, outcome: Sending) -> None:
    mail.error, mail.attempts = error[:500], mail.attempts + 1
    outcome.failed += 1
    if mail.attempts > len(BACKOFF):
        mail.next_attempt_at = None
        outcome.given_up += 1
    else:
        mail.next_attempt_at = clock.now() + BACKOFF[mail.attempts - 1]


def given_up():
    """The SQL condition of the mails given up after their last retry (not the personal links,
    which are never retried: their link cannot be rebuilt)."""
    return and_(
        OutboxMail.sent_at.is_(None),
        OutboxMail.next_attempt_at.is_(None),
        OutboxMail.body.not_like(f"%{SECRET_PLACEHOLDER}%"),
    )


def send_again(mail_ids: list[int]) -> int:
    """Staff: queue again mails given up."""
    count = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(mail_ids), given_up())
        .values(next_attempt_at=clock.now(), attempts=0)
    ).rowcount
    if count:
        kick()
    return count


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
    if secrets:
        run_after_response(lambda: deliver(ids, secrets))
    elif ids:
        kick()


def deliver_later(ids: list[int]) -> None:
    """For a service that queues mails inside a larger use case: the outbox job sends them once
    the caller's transaction commits (a rolled-back transaction leaves no row: nothing is
    sent)."""
    if ids:
        kick()
