"""A member user's messages to the service ("Mes messages"; issue 12, "Contactez-nous"): the
member's administrator (role MemberAdmin) sees every message of the member, any other user only
the messages they wrote. Newest first by default, sorted by date or by the date of the service's
last answer, in pages. Each page costs a fixed number of statements (a count and one joined
select), whatever the number of messages.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.contact import ContactMessage, ContactReply
from app.services import collaborators
from app.services.list_params import ListParams

SORTABLE = ("created_at", "last_answer_at")


@dataclass(frozen=True)
class Row:
    message: ContactMessage
    last_answer_at: datetime | None


def params_of(args) -> ListParams:
    return ListParams.parse(args, (), SORTABLE, SORTABLE)


def visible_to(user) -> list:
    """The conditions of the messages `user` may read: their member's, and unless they are its
    administrator, their own."""
    conditions = [ContactMessage.member_id == user.member_id]
    if not collaborators.is_admin(user):
        conditions.append(ContactMessage.author_id == user.id)
    return conditions


def visible_message(user, message_id: int) -> ContactMessage | None:
    """The message if `user` may read it, else None (another member's, a colleague's)."""
    if user.member_id is None:
        return None
    return db.session.scalar(
        select(ContactMessage)
        .where(ContactMessage.id == message_id, *visible_to(user))
        .options(selectinload(ContactMessage.replies).joinedload(ContactReply.author))
    )


def _last_answers():
    return (
        select(
            ContactReply.message_id,
            func.max(ContactReply.created_at).label("last_answer_at"),
        )
        .where(ContactReply.from_service.is_(True))
        .group_by(ContactReply.message_id)
        .subquery()
    )


def page(session, user, params: ListParams) -> tuple[list[Row], int]:
    """The page's messages with their type, author and invoice, and the date of the service's
    last answer; the count of every message the user may read."""
    where = visible_to(user)
    total = session.scalar(select(func.count(ContactMessage.id)).where(*where))
    params.page = min(params.page, max((total + params.size - 1) // params.size, 1))
    if not total:
        return [], 0
    answers = _last_answers()
    key = ContactMessage.created_at if params.sort == "created_at" else answers.c.last_answer_at
    # Messages never answered last either way (PostgreSQL puts NULLs first when descending).
    order = [
        (key.desc() if params.descending else key.asc()).nulls_last(),
        ContactMessage.id.desc() if params.descending else ContactMessage.id.asc(),
    ]
    found = session.execute(
        select(ContactMessage, answers.c.last_answer_at)
        .outerjoin(answers, answers.c.message_id == ContactMessage.id)
        .options(joinedload(ContactMessage.author), joinedload(ContactMessage.invoice))
        .where(*where)
        .order_by(*order)
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    ).all()
    return [Row(message, answered) for message, answered in found], total
