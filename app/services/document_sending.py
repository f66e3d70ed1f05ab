"""The service sends a document (issue 10, "The service's side"): to the members whose numbers
staff typed (all known, or nothing is sent), or to every active member, and tells each receiving
member's users who want the notice (issue 12: the administrator and the portal contacts by
default, the collaborators with the documents right who chose it) by e-mail through the outbox.
The mail says a document is available, never what it contains."""

import re

from flask_babel import gettext as _
from sqlalchemy import select

from app.domain.notifications import Notice
from app.extensions import db
from app.models.member import Member, MemberStatus
from app.services import ServiceError, notifications

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


def active_members() -> list[Member]:
    return list(
        db.session.scalars(
            select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.number)
        )
    )


def recipients(every_active: bool, numbers_text: str | None) -> list[Member]:
    """Every active member, or the members of the numbers typed (all known, else refused)."""
    if every_active:
        return active_members()
    return members_for(parse_numbers(numbers_text))


def notify(members: list[Member]) -> list[int]:
    """Queue the notice to the users of each receiving member who want it, rendered once and
    written in one batch; the outbox ids (send them with `mail.deliver_later` after the
    commit)."""
    composed = notifications.compose(
        Notice.DOCUMENT_SENT,
        "document_available",
        lambda: _("A new document is available (member %(number)s)", number=notifications.NUMBER),
        link=notifications.portal_url("/documents/"),
    )
    return notifications.notify_members(composed, {m.id: m.number for m in members})
