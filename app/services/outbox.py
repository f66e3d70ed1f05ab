"""Where each outbox mail stands, as the service's administrators read it (issue 13, "a mail that
failed is retried, not lost, and staff see the failures"): sent, waiting for its first sending,
a retry planned, given up after the last retry (app.services.mail.BACKOFF), or a personal link
that was not sent (never retried: the user asks for a new link). `mail.given_up` is the SQL
condition that `mail.send_again` requeues."""

import enum

from sqlalchemy import func, select

from app.extensions import db
from app.models.account import OutboxMail
from app.services.mail import SECRET_PLACEHOLDER, given_up


class Delivery(enum.Enum):
    SENT = "sent"
    WAITING = "waiting"
    RETRY = "retry"
    GIVEN_UP = "given_up"
    PERSONAL = "personal"


def delivery_of(mail: OutboxMail) -> Delivery:
    if mail.sent_at is not None:
        return Delivery.SENT
    if mail.next_attempt_at is not None:
        return Delivery.RETRY if mail.attempts else Delivery.WAITING
    if mail.body and SECRET_PLACEHOLDER in mail.body:
        return Delivery.PERSONAL
    return Delivery.GIVEN_UP


def given_up_count():
    """The mails given up (a scalar subquery, for the staff home's one statement of figures)."""
    return select(func.count(OutboxMail.id)).where(given_up()).scalar_subquery()


def given_up_total() -> int:
    return db.session.scalar(select(func.count(OutboxMail.id)).where(given_up()))
