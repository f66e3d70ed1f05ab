"""E-mail: every message is first written to the outbox (in the caller's transaction), then sent
by SMTP after the response when a server is configured (MAIL_SERVER). Without one, the message
stays in the outbox, which staff read in the back-office, and the log says so."""

import logging
import smtplib
from email.message import EmailMessage

from flask import after_this_request, current_app
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.account import OutboxMail

log = logging.getLogger(__name__)


def queue(recipient: str, subject: str, body: str) -> OutboxMail:
    mail = OutboxMail(created_at=clock.now(), recipient=recipient, subject=subject, body=body)
    db.session.add(mail)
    db.session.flush()
    return mail


def _send(config, mail: OutboxMail) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def deliver(ids: list[int]) -> None:
    """Send the given outbox messages (own transaction; call with an app context)."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        log.info("mail %s kept in the outbox: no SMTP server configured (MAIL_SERVER)", ids)
        return
    for mail in db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids))):
        try:
            _send(config, mail)
            mail.sent_at = clock.now()
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail %s not sent: %s", mail.id, error)
            mail.error = str(error)[:500]
    db.session.commit()


def deliver_after_response(ids: list[int]) -> None:
    """Send once the response is out, so that its timing does not tell whether a mail left."""
    app = current_app._get_current_object()

    @after_this_request
    def _schedule(response):
        def _run():
            with app.app_context():
                deliver(ids)

        response.call_on_close(_run)
        return response
