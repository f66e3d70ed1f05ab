"""The service sends a document (issue 10, "The service's side"): to the members whose numbers
staff typed (all known, or nothing is sent), or to every active member, and tells each receiving
member's users who want the notice (issue 12: the administrator and the portal contacts by
default, the collaborators with the documents right who chose it) by e-mail through the outbox.
The mail says a document is available, never what it contains.

Few recipients (up to `DOCUMENT_SEND_INLINE_MAX`) or one employee: the request writes the
documents, their audit entries and the notices in its transaction. More (every active member:
14,000): the request checks and stores the file once and starts a background job (issue 13) that
writes them by batches committed one at a time, skipping the members that already hold a
document of that content (a unique index backs it), so a relaunch or a second worker never gives
a member the same document twice. Both go through `deliver_to` (documents.send_to + notify).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.domain.notifications import Notice
from app.extensions import db
from app.models.document import Document, DocumentDirection
from app.models.member import Member, MemberStatus
from app.models.user import PortalUser
from app.services import ServiceError, documents, jobs, notifications
from app.services.documents import Details, Sending, Upload

_SEPARATORS = re.compile(r"[\s,;]+")
_BATCH = 500  # ids per IN (...): far below every database's limit on bound parameters


def parse_numbers(text: str | None) -> list[str]:
    """Member numbers typed one per line or separated by commas, semicolons or spaces, each
    once, in the order typed."""
    return list(dict.fromkeys(n for n in _SEPARATORS.split(text or "") if n))


def _batches(values: list) -> list[list]:
    return [values[i : i + _BATCH] for i in range(0, len(values), _BATCH)]


def members_for(numbers: list[str]) -> list[Member]:
    """The members of these numbers; refused with the unknown numbers if any is unknown."""
    if not numbers:
        raise ServiceError("document_no_recipient")
    found: dict[str, Member] = {}
    for batch in _batches(numbers):
        found.update(
            (m.number, m)
            for m in db.session.scalars(select(Member).where(Member.number.in_(batch)))
        )
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ServiceError("document_unknown_members", numbers=", ".join(unknown[:50]))
    return [found[n] for n in numbers]


_ACTIVE = Member.status == MemberStatus.ACTIVE


def active_members() -> list[Member]:
    return list(db.session.scalars(select(Member).where(_ACTIVE).order_by(Member.number)))


def recipients(every_active: bool, numbers_text: str | None) -> list[Member]:
    """Every active member, or the members of the numbers typed (all known, else refused)."""
    if every_active:
        return active_members()
    return members_for(parse_numbers(numbers_text))


def _composed() -> notifications.Composed:
    return notifications.compose(
        Notice.DOCUMENT_SENT,
        "document_available",
        lambda: _("A new document is available (member %(number)s)", number=notifications.NUMBER),
        link=notifications.portal_url("/documents/"),
    )


def notify(members: list[Member], composed: notifications.Composed | None = None) -> list[int]:
    """Queue the notice to the users of each receiving member who want it, rendered once and
    written in one batch; the outbox ids (send them with `mail.deliver_later` after the
    commit)."""
    composed = composed or _composed()
    return notifications.notify_members(composed, {m.id: m.number for m in members})


def deliver_to(
    members: list[Member],
    sending: Sending,
    actor,
    employee=None,
    composed: notifications.Composed | None = None,
) -> tuple[list[Document], list[int]]:
    """The documents of `members`, their audit entries and notices (flushed; the caller
    commits, then delivers the outbox ids): the request's and each batch of the job's."""
    sent = documents.send_to(members, sending, actor, employee)
    return sent, notify(members, composed)


@dataclass(frozen=True)
class Outcome:
    members: int  # recipients
    mails: list[int] = field(default_factory=list)  # written by the request (inline)
    job_id: int | None = None  # the job writing them (background)


def send(
    every_active: bool,
    numbers_text: str | None,
    upload: Upload,
    details: Details,
    actor,
    employee=None,
) -> Outcome:
    """The back-office's "Envoyer un document": the recipients and the file checked (refusals
    raise ServiceError, nothing is kept). Up to DOCUMENT_SEND_INLINE_MAX members, or one
    employee, everything is written here (the caller commits, then `mail.deliver_later`).
    Beyond, the file's content is committed here and a job writes the rest: its id."""
    inline_max = current_app.config["DOCUMENT_SEND_INLINE_MAX"]
    if every_active and employee is None:  # counted: the job reads them, not the request
        count = db.session.scalar(select(func.count(Member.id)).where(_ACTIVE))
        if count > inline_max:
            return _start(count, None, documents.prepare_sending(upload, details), actor)
    members = recipients(every_active, numbers_text)
    documents.check_recipients(members, employee)
    sending = documents.prepare_sending(upload, details, employee)
    if employee is not None or len(members) <= inline_max:
        sent, mails = deliver_to(members, sending, actor, employee)
        return Outcome(len(sent), mails)
    member_ids = None if every_active else [m.id for m in members]
    return _start(len(members), member_ids, sending, actor)


def _start(count: int, member_ids: list[int] | None, sending: Sending, actor) -> Outcome:
    """Commit the stored content and start the job (its id now, for the job's page link)."""
    db.session.commit()
    job_id = jobs.start(
        "document_sending",
        requested_by_id=getattr(actor, "id", None),
        sending=sending.as_params(),
        actor_id=getattr(actor, "id", None),
        every_active=member_ids is None,
        member_ids=member_ids,
    )
    return Outcome(count, job_id=job_id)


def _pending(content_id: int, every_active: bool, member_ids: list[int] | None) -> list:
    """(id, number) of the recipients that do not hold a document of this content yet, by
    member number."""
    # NOT IN a hashed list, as campaign_mailings._targets (the anti-join's plan right after a
    # batch wrote many rows)
    held = select(Document.member_id).where(
        Document.content_id == content_id, Document.direction == DocumentDirection.TO_MEMBER
    )
    query = select(Member.id, Member.number).where(Member.id.not_in(held))
    if every_active:
        return db.session.execute(query.where(_ACTIVE).order_by(Member.number)).all()
    rows = []
    for batch in _batches(sorted(member_ids or [])):
        rows += db.session.execute(query.where(Member.id.in_(batch))).all()
    return sorted(rows, key=lambda row: row.number)


def run(
    sending: Sending,
    actor_id: int | None,
    every_active: bool,
    member_ids: list[int] | None,
    batch_size: int = _BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """The job's work: the documents of the recipients still without one, by batches committed
    one at a time and delivered after their commit; (members served by this run, mails). A batch
    that meets a concurrent run's documents (the unique index) is rolled back and the members
    still pending are read again."""
    composed = _composed()

    def queue_batch(batch) -> list[int]:
        ids = [member_id for member_id, _number in batch]
        members = db.session.scalars(
            select(Member).where(Member.id.in_(ids)).order_by(Member.number)
        ).all()
        actor = db.session.get(PortalUser, actor_id) if actor_id else None
        return deliver_to(members, sending, actor, composed=composed)[1]

    def read_pending():
        return _pending(sending.content_id, every_active, member_ids)

    return notifications.send_in_batches(read_pending, queue_batch, batch_size, progress)
