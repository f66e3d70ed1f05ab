"""E-mail notifications to a member's users (issue 12, "Notifications"): who gets which notice
(app.domain.notifications: rights, defaults, and each user's choices kept in
`notification_preference`), the mails themselves (French, plain text plus HTML, the member
number, a link built from PORTAL_URL, an unsubscribe link per notice that works without logging
in), and the record of reminders sent to many members (`notification_sent`).

A notice is rendered once per call with placeholders, then completed per recipient: thousands of
mails cost one rendering, as the campaign's and the document sending's mails do.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import current_app, render_template
from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.domain.notifications import Notice, eligible, wants
from app.extensions import db
from app.models.document import DocumentContent
from app.models.notification import NotificationPreference, NotificationSent
from app.models.user import PortalUser
from app.services import mail

# What the profile and the mails call each notice.
LABELS = {
    Notice.VISIT_SCHEDULED: _l("A visit is scheduled (with the convocation)"),
    Notice.VISIT_OUTCOME: _l("A visit took place or an absence was recorded"),
    Notice.DOCUMENT_SENT: _l("The service sent a document"),
    Notice.MESSAGE_ANSWERED: _l("An answer to one of my messages"),
    Notice.CAMPAIGN: _l("The workforce declaration campaign: opening and reminder"),
    Notice.DUERP_REMINDER: _l("The yearly reminder to update the DUERP"),
    Notice.INVOICE_ISSUED: _l("An invoice is issued"),
    Notice.NCI_EXPIRING: _l("An employee's attestation de non contre-indication expires soon"),
}
# Placeholders completed per recipient (the second one is a link for the HTML part's sake).
NUMBER = "⟦member-number⟧"
UNSUBSCRIBE = "https://unsubscribe.invalid/⟦link⟧"
_SALT = "notification-unsubscribe"
_BATCH = 500  # ids per IN (...)
_LINK = re.compile(r"(https?://\S+)")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    member_id: int
    email: str


@dataclass(frozen=True)
class Composed:
    """A notice rendered once, with NUMBER and UNSUBSCRIBE left to complete."""

    notice: Notice
    subject: str
    text: str
    html: str


def _roles(user_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    rows = db.session.execute(
        select(assoc_user_role.c.user_id, Role.name)
        .join(Role, Role.id == assoc_user_role.c.role_id)
        .where(assoc_user_role.c.user_id.in_(user_ids))
    )
    for user_id, name in rows:
        found[user_id].add(name)
    return found


def _choices(user_ids: list[int], notice: Notice | None = None) -> dict[tuple[int, Notice], bool]:
    query = select(
        NotificationPreference.user_id,
        NotificationPreference.notice,
        NotificationPreference.enabled,
    ).where(NotificationPreference.user_id.in_(user_ids))
    if notice is not None:
        query = query.where(NotificationPreference.notice == notice)
    return {(user_id, kind): enabled for user_id, kind, enabled in db.session.execute(query)}


def recipients(member_ids: list[int], notice: Notice) -> dict[int, list[Recipient]]:
    """Per member, its active users with an e-mail address who want this notice (each address
    once per member), by batches of members."""
    found: dict[int, list[Recipient]] = {}
    for start in range(0, len(member_ids), _BATCH):
        users = db.session.execute(
            select(PortalUser.id, PortalUser.member_id, PortalUser.email)
            .add_columns(PortalUser.is_portal_contact)
            .where(PortalUser.member_id.in_(member_ids[start : start + _BATCH]))
            .where(PortalUser.active.is_(True), PortalUser.email.is_not(None))
            .order_by(PortalUser.id)
        ).all()
        ids = [row.id for row in users]
        roles, choices = _roles(ids), _choices(ids, notice)
        for row in users:
            chosen = choices.get((row.id, notice))
            if row.email and wants(notice, roles[row.id], row.is_portal_contact, chosen):
                listed = found.setdefault(row.member_id, [])
                if row.email not in {r.email for r in listed}:
                    listed.append(Recipient(row.id, row.member_id, row.email))
    return found


def recipient(user: PortalUser, notice: Notice) -> Recipient | None:
    """The user alone (the author of a message answered), if they want the notice."""
    if user is None or user.member_id is None or not user.active or not user.email:
        return None
    roles = _roles([user.id])[user.id]
    chosen = _choices([user.id], notice).get((user.id, notice))
    if not wants(notice, roles, user.is_portal_contact, chosen):
        return None
    return Recipient(user.id, user.member_id, user.email)


# The profile's choices


def choices_of(user: PortalUser) -> dict[Notice, bool]:
    """Every notice the user may receive, with whether they get it now (their choice or the
    default)."""
    roles = _roles([user.id])[user.id]
    chosen = _choices([user.id])
    return {
        notice: wants(notice, roles, user.is_portal_contact, chosen.get((user.id, notice)))
        for notice in Notice
        if eligible(notice, roles, user.is_portal_contact)
    }


def _choice_row(user_id: int, notice: Notice) -> NotificationPreference | None:
    return db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.notice == notice
        )
    )


def set_choice(user: PortalUser, notice: Notice, enabled: bool) -> None:
    """Keep the user's choice (one row per user and notice: two requests at once, such as a
    double click on an unsubscribe link, end with one row, not an error)."""
    row = _choice_row(user.id, notice)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    NotificationPreference(
                        user_id=user.id, member_id=user.member_id, notice=notice, enabled=enabled
                    )
                )
            return
        except IntegrityError:  # a concurrent request saved the user's choice first
            row = _choice_row(user.id, notice)
    row.enabled = enabled
    db.session.flush()


def set_choices(user: PortalUser, wanted: dict[Notice, bool]) -> None:
    """Keep the user's choice for each notice they may receive (others are ignored)."""
    for notice in choices_of(user):
        if notice in wanted:
            set_choice(user, notice, wanted[notice])


# Unsubscribing without logging in: a signed token names one user and one notice


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, notice: Notice) -> str:
    return _serializer().dumps([user_id, notice.value])


def read_unsubscribe_token(token: str) -> tuple[PortalUser, Notice] | None:
    """The user and notice a token names, or None (forged, altered, or the user is gone)."""
    try:
        user_id, value = _serializer().loads(token)
        notice = Notice(value)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(PortalUser, user_id) if isinstance(user_id, int) else None
    return (user, notice) if user is not None and user.member_id is not None else None


def unsubscribe_link(user_id: int, notice: Notice) -> str:
    path = current_app.url_map.bind("").build(
        "UnsubscribeView.confirm", {"token": unsubscribe_token(user_id, notice)}
    )
    return current_app.config["PORTAL_URL"].rstrip("/") + path


def portal_url(path: str) -> str:
    """An absolute link to a portal page, from PORTAL_URL (never from a request's Host)."""
    return current_app.config["PORTAL_URL"].rstrip("/") + path


# The mails


def compose(notice: Notice, template: str, subject: str, **context) -> Composed:
    """Render `mail/<template>.txt` once in French (the subject is a lazy string or a
    callable giving one, formatted in French too); `number` in the context is the placeholder
    the member number replaces."""
    with force_locale("fr"):
        text = render_template(f"mail/{template}.txt", number=NUMBER, **context).strip()
        label = str(LABELS[notice])
        footer = render_template(
            "mail/notice_footer.txt",
            number=NUMBER,
            label=label,
            unsubscribe=UNSUBSCRIBE,
            profile=portal_url("/profile/"),
        ).strip()
        html = render_template(
            "mail/notice.html",
            paragraphs=[_linked(p) for p in text.split("\n\n")],
            footer=[_linked(p) for p in footer.split("\n\n")],
        )
        title = str(subject() if callable(subject) else subject)
    return Composed(notice, title, f"{text}\n\n-- \n{footer}\n", html)


def _linked(paragraph: str) -> list[tuple[str, bool]]:
    """A paragraph cut into (text, is_link) pieces, for the HTML part to make links of."""
    return [(piece, bool(_LINK.fullmatch(piece))) for piece in _LINK.split(paragraph) if piece]


def messages_for(
    composed: Composed, targets: list[Recipient], numbers: dict[int, str]
) -> list[mail.Message]:
    """One mail per recipient, the placeholders completed (numbers: member id -> number)."""
    result = []
    for target in targets:
        link = unsubscribe_link(target.user_id, composed.notice)

        def complete(text: str, link=link, number=numbers[target.member_id]) -> str:
            return text.replace(NUMBER, number).replace(UNSUBSCRIBE, link)

        result.append(
            mail.Message(
                recipient=target.email,
                subject=complete(composed.subject),
                body=complete(composed.text),
                html=complete(composed.html),
                unsubscribe_url=link,
            )
        )
    return result


def notify_members(
    composed: Composed, numbers: dict[int, str], attachment: tuple[str, int] | None = None
) -> list[int]:
    """Queue the notice to every user of these members who wants it; the outbox ids (the
    caller commits, then delivers: `mail.deliver_later`). An attachment goes to one member's
    recipients only (its content row belongs to one mail: see mail.Message)."""
    targets = recipients(list(numbers), composed.notice)
    messages = [
        message
        for member_id in numbers
        for message in messages_for(composed, targets.get(member_id, []), numbers)
    ]
    if attachment is not None:
        messages = _with_attachment(messages, attachment)
    return [m.id for m in mail.queue_all(messages)]


def _with_attachment(messages: list[mail.Message], attachment: tuple[str, int]):
    """Each mail gets its own copy of the content (a sent mail deletes its copy)."""
    name, content_id = attachment
    content = db.session.get(DocumentContent, content_id)
    if not messages:  # nobody wants it: the content made for the mail is not kept
        db.session.delete(content)
        return []
    copies = [content] + [DocumentContent(data=content.data) for _ in messages[1:]]
    db.session.add_all(copies)
    db.session.flush()
    return [
        replace(message, attachment_name=name, attachment_content_id=copy.id)
        for message, copy in zip(messages, copies, strict=False)
    ]


def notify_user(composed: Composed, user: PortalUser) -> list[int]:
    """Queue the notice to one user (the author of a message), if they want it."""
    target = recipient(user, composed.notice)
    if target is None:
        return []
    messages = messages_for(composed, [target], {user.member_id: user.member.number})
    return [m.id for m in mail.queue_all(messages)]


# Mails to many members: batches, and what was sent


def send_in_batches(
    read_pending: Callable[[], list],
    queue_batch: Callable[[list], list[int]],
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Queue (`queue_batch` flushes the batch's mails and records, returning the outbox ids),
    commit and deliver batch after batch: (items done, mails queued). A batch that meets a
    concurrent run's records (a unique constraint) is rolled back, nothing of it kept, and what
    is still pending is read again."""
    pending = read_pending()
    total, done, queued = len(pending), 0, 0
    while pending:
        batch = pending[:batch_size]
        try:
            ids = queue_batch(batch)
            db.session.commit()
        except IntegrityError:  # another run mailed some of them meanwhile
            db.session.rollback()
            pending = read_pending()
            total = done + len(pending)
            continue
        mail.deliver(ids)
        pending = pending[batch_size:]
        done, queued = done + len(batch), queued + len(ids)
        if progress is not None:
            progress(done, total)
    return done, queued


def sent_keys(notice: Notice, keys: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (member id, key) pairs were already reminded of this notice."""
    member_ids = sorted({member_id for member_id, _ in keys})
    found = set()
    for start in range(0, len(member_ids), _BATCH):
        found.update(
            db.session.execute(
                select(NotificationSent.member_id, NotificationSent.key)
                .where(NotificationSent.notice == notice)
                .where(NotificationSent.member_id.in_(member_ids[start : start + _BATCH]))
            ).tuples()
        )
    return found & set(keys)


def record_sent(notice: Notice, member_id: int, key: str, mails: int) -> None:
    """Record a reminder (the unique constraint refuses a second one: a concurrent run)."""
    db.session.add(
        NotificationSent(
            notice=notice, member_id=member_id, key=key, sent_at=clock.now(), mails=mails
        )
    )
