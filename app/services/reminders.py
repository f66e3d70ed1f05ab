"""Reminders to many members (issue 12, "Reminders that concern many members ... are sent by a
command or a scheduled background job, never inside a web request, with a record of what was
sent so that a second run sends nothing twice"): `flask send-reminders`.

- DUERP yearly reminder (Notice.DUERP_REMINDER): the members the back-office's follow-up flags
  (app.services.duerp_followup, rule app.domain.duerp.is_overdue: 11 employees or more and no
  DUERP deposit within DUERP_RECENT_MONTHS; domain-rules.md, the DUERP is updated at least
  yearly from 11 employees, R4121-2), once per member and calendar year (key: the year).
- NCI expiring (Notice.NCI_EXPIRING): one mail per member and run for its employees' attestations
  not yet announced (app.services.nci), each visit recorded (key "visit:<id>"); the mail gives
  how many and the earliest end, and links to the portal's list (no name, nothing medical).

Each batch of members is one transaction (mails in the outbox and `notification_sent` rows),
committed, then delivered. A member nobody wants to mail is recorded too (mails 0), as the
campaign's mailings are. Two runs at once: the unique constraint of `notification_sent` refuses
the second run's rows; its batch is rolled back and what is still pending is read again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.domain.notifications import Notice
from app.extensions import db
from app.models.member import Member
from app.services import duerp, duerp_followup, mail, nci, notifications

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Pending:
    """A member to remind: its number, the keys to record, and what its mail says."""

    member_id: int
    number: str
    keys: tuple[str, ...]
    expiring: tuple[nci.Expiring, ...] = ()


@dataclass(frozen=True)
class Outcome:
    members: int  # members reminded (with or without a recipient)
    mails: int  # mails queued and delivered


# DUERP


def _duerp_pending(today: date) -> list[Pending]:
    key = str(today.year)
    filters = duerp_followup.Filters(overdue=True)
    due = [
        (row.member_id, row.number)
        for row in duerp_followup.all_rows(filters, today, duerp.recent_months())
    ]
    done = notifications.sent_keys(Notice.DUERP_REMINDER, [(m, key) for m, _ in due])
    return [Pending(m, number, (key,)) for m, number in due if (m, key) not in done]


def _duerp_composed() -> notifications.Composed:
    return notifications.compose(
        Notice.DUERP_REMINDER,
        "duerp_reminder",
        lambda: _("Reminder: update your DUERP (member %(number)s)", number=notifications.NUMBER),
        months=duerp.recent_months(),
        link=notifications.portal_url("/documents/new?duerp=1"),
    )


def send_duerp(today: date, batch_size: int = 500, progress: Progress | None = None) -> Outcome:
    composed = _duerp_composed()
    return _send(
        Notice.DUERP_REMINDER, lambda: _duerp_pending(today), lambda pending: composed, batch_size,
        progress,
    )  # fmt: skip


# NCI


def _nci_pending(today: date) -> list[Pending]:
    expiring = nci.of_active_members(today, nci.Settings.from_config())
    keys = [(m, f"visit:{row.visit_id}") for m, rows in expiring.items() for row in rows]
    done = notifications.sent_keys(Notice.NCI_EXPIRING, keys)
    numbers = _numbers(list(expiring))
    pending = []
    for member_id, rows in expiring.items():
        fresh = tuple(row for row in rows if (member_id, f"visit:{row.visit_id}") not in done)
        if fresh:
            keys = tuple(f"visit:{row.visit_id}" for row in fresh)
            pending.append(Pending(member_id, numbers[member_id], keys, fresh))
    return sorted(pending, key=lambda p: p.number)


def _numbers(member_ids: list[int]) -> dict[int, str]:
    found = {}
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        rows = db.session.execute(select(Member.id, Member.number).where(Member.id.in_(chunk)))
        found.update(rows.tuples().all())
    return found


def _nci_composed(pending: Pending) -> notifications.Composed:
    """A member's mail: how many attestations end soon or have ended, and the earliest end."""
    count = len(pending.expiring)
    with force_locale("fr"):
        earliest = format_date(min(row.expires_on for row in pending.expiring), "long")
    return notifications.compose(
        Notice.NCI_EXPIRING,
        "nci_expiring",
        lambda: _(
            "Attestations de non contre-indication to renew (member %(number)s)",
            number=notifications.NUMBER,
        ),
        count=count,
        earliest=earliest,
        months=nci.Settings.from_config().notice_months,
        link=notifications.portal_url("/reports/nci"),
    )


def send_nci(today: date, batch_size: int = 500, progress: Progress | None = None) -> Outcome:
    return _send(
        Notice.NCI_EXPIRING, lambda: _nci_pending(today), _nci_composed, batch_size, progress
    )


# The batches


def _queue_batch(notice: Notice, batch: list[Pending], composed_for) -> list[int]:
    """The batch's mails and records, flushed (the caller commits): the outbox ids."""
    numbers = {p.member_id: p.number for p in batch}
    targets = notifications.recipients(list(numbers), notice)
    messages = []
    for pending in batch:
        wanted = targets.get(pending.member_id, [])
        if wanted:
            messages += notifications.messages_for(composed_for(pending), wanted, numbers)
        for key in pending.keys:
            notifications.record_sent(notice, pending.member_id, key, len(wanted))
    db.session.flush()  # the records first: a concurrent run's meet the unique constraint
    return [m.id for m in mail.queue_all(messages)]


def _send(notice, read_pending, composed_for, batch_size, progress) -> Outcome:
    done, mails = notifications.send_in_batches(
        read_pending, lambda batch: _queue_batch(notice, batch, composed_for), batch_size, progress
    )
    return Outcome(done, mails)
