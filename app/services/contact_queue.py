"""The service's side of "Contactez-nous" (manual, "Contactez-nous"; issue 12: "Each type routes
to an address and to a back-office queue", "staff answer from the back-office"): the queue of the
members' messages, filtered (status, by default those to handle; type; assignee; member
number), sorted (received or last activity) and paged, with the count per status; a message's
page with its thread; the staff members a message can be assigned to.

A page costs two statements whatever its rows: the counts per status (the filters but the
status applied), then the rows with their member, type, author and assignee joined.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.domain.inputs import parse_id, parse_int
from app.extensions import db
from app.models.contact import ContactMessage, ContactReply, ContactType, MessageStatus
from app.models.member import Member
from app.models.user import PortalUser

PAGE_SIZE = 50
SORTS = ("created_at", "updated_at")
TO_HANDLE = "todo"  # the default: new and in progress
ALL = "all"
STATUS_CHOICES = (TO_HANDLE, ALL, *(status.value for status in MessageStatus))
OPEN = (MessageStatus.NEW, MessageStatus.IN_PROGRESS)
ME, NOBODY = "me", "nobody"


@dataclass
class Filters:
    status: str = TO_HANDLE
    type_id: int | None = None
    assignee: str = ""  # "" anyone, "me", "nobody" or a staff member's id
    member: str = ""  # a member number
    sort: str = "created_at"
    descending: bool = True
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        """From the query string; values that mean nothing are ignored, never an error."""
        assignee = args.get("assignee", "")
        if assignee not in (ME, NOBODY) and parse_id(assignee) is None:
            assignee = ""
        sort = args.get("sort") if args.get("sort") in SORTS else "created_at"
        return cls(
            status=args.get("status") if args.get("status") in STATUS_CHOICES else TO_HANDLE,
            type_id=parse_id(args.get("type", "")),
            assignee=assignee,
            member=args.get("member", "").strip()[:10],
            sort=sort,
            descending=args.get("desc", "1") == "1",
            page=parse_int(args.get("page", ""), 1, 100_000) or 1,
        )

    def statuses(self) -> tuple[MessageStatus, ...]:
        if self.status == TO_HANDLE:
            return OPEN
        if self.status == ALL:
            return tuple(MessageStatus)
        return (MessageStatus(self.status),)


@dataclass(frozen=True)
class Queue:
    rows: list[ContactMessage]
    counts: dict[MessageStatus, int]  # per status, under the filters but the status
    total: int  # the rows matching every filter
    pages: int

    @property
    def to_handle(self) -> int:
        return sum(self.counts[status] for status in OPEN)


def _conditions(filters: Filters, user_id: int) -> list:
    conditions = []
    if filters.type_id:
        conditions.append(ContactMessage.type_id == filters.type_id)
    if filters.assignee == ME:
        conditions.append(ContactMessage.assignee_id == user_id)
    elif filters.assignee == NOBODY:
        conditions.append(ContactMessage.assignee_id.is_(None))
    elif filters.assignee:
        conditions.append(ContactMessage.assignee_id == int(filters.assignee))
    if filters.member:
        conditions.append(
            ContactMessage.member_id.in_(select(Member.id).where(Member.number == filters.member))
        )
    return conditions


def _counts(conditions: list) -> dict[MessageStatus, int]:
    found = dict(
        db.session.execute(
            select(ContactMessage.status, func.count(ContactMessage.id))
            .where(*conditions)
            .group_by(ContactMessage.status)
        ).all()
    )
    return {status: int(found.get(status, 0)) for status in MessageStatus}


def page(filters: Filters, user_id: int, size: int = PAGE_SIZE) -> Queue:
    conditions = _conditions(filters, user_id)
    counts = _counts(conditions)
    statuses = filters.statuses()
    total = sum(counts[status] for status in statuses)
    pages = max((total + size - 1) // size, 1)
    filters.page = min(filters.page, pages)
    if not total:
        return Queue([], counts, 0, pages)
    column = getattr(ContactMessage, filters.sort)
    keys = [column, ContactMessage.id]
    rows = db.session.scalars(
        select(ContactMessage)
        .options(
            joinedload(ContactMessage.member),
            joinedload(ContactMessage.author),
            joinedload(ContactMessage.assignee),
        )
        .where(ContactMessage.status.in_(statuses), *conditions)
        .order_by(*(key.desc() if filters.descending else key.asc() for key in keys))
        .limit(size)
        .offset((filters.page - 1) * size)
    ).all()
    return Queue(list(rows), counts, total, pages)


def message(message_id: int) -> ContactMessage | None:
    """A message with what its page shows: member, author, assignee, invoice, the thread."""
    return db.session.scalar(
        select(ContactMessage)
        .options(
            joinedload(ContactMessage.member),
            joinedload(ContactMessage.author),
            joinedload(ContactMessage.assignee),
            joinedload(ContactMessage.invoice),
            selectinload(ContactMessage.replies).joinedload(ContactReply.author),
        )
        .where(ContactMessage.id == message_id)
    )


def staff_members() -> list[PortalUser]:
    """Who a message may be assigned to: the service's active accounts."""
    return list(
        db.session.scalars(
            select(PortalUser)
            .where(PortalUser.member_id.is_(None), PortalUser.active.is_(True))
            .order_by(PortalUser.last_name, PortalUser.first_name, PortalUser.id)
        )
    )


def types() -> list[ContactType]:
    """Every type, inactive ones too (old messages keep theirs), for the queue's filter."""
    return list(db.session.scalars(select(ContactType).order_by(ContactType.position)))
