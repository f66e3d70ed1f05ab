"""A campaign's invitation and reminder e-mails (issue 11, "Opening can send the invitation
e-mail to every member's portal contacts ... never inside one web request"): one French e-mail
per user of each member concerned who wants the campaign's notice (issue 12: the administrator
and the portal contacts by default, each user's choice in the profile; app.domain.notifications),
plain text plus HTML with an unsubscribe link, through the outbox, by batches committed one at
a time and delivered after their commit, with progress.

Invitation: every active member. Reminder: the active members with employees in the workforce
today and no confirmed declaration of the year. A `CampaignMailing` row per member (unique per
campaign, kind and member) marks it done, so a second run, or a run resumed after a stop, queues
nothing twice; a member without a recipient gets its row too (recipients 0). The mails never say
anything medical: the member number, the year, the closing date and the portal's link. Each kind
is rendered once per run (app.services.notifications.compose), then completed per recipient.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from app import clock
from app.domain.notifications import Notice
from app.extensions import db
from app.models.billing import Campaign, CampaignMailing, Declaration, MailingKind
from app.models.employee import Employee
from app.models.member import Member, MemberStatus
from app.services import mail, notifications
from app.services.employee_list import in_workforce

TEMPLATES = {
    MailingKind.INVITATION: "campaign_invitation",
    MailingKind.REMINDER: "campaign_reminder",
}


@dataclass(frozen=True)
class Progress:
    done: int  # members whose mail is queued
    total: int  # done and still to do


def _targets(campaign: Campaign, kind: MailingKind):
    """The members concerned and not yet mailed (ids and numbers), by member number."""
    # NOT IN (a hashed list) rather than NOT EXISTS: right after a run filled campaign_mailing,
    # before autovacuum analyses it, PostgreSQL planned the anti-join as a scan per member (4 s
    # for 14,000 members; 0.01 s either way once analysed; bench/campaign_mailings.py).
    done = select(CampaignMailing.member_id).where(
        CampaignMailing.campaign_id == campaign.id, CampaignMailing.kind == kind
    )
    query = select(Member.id, Member.number).where(
        Member.status == MemberStatus.ACTIVE, Member.id.not_in(done)
    )
    if kind is MailingKind.REMINDER:
        query = query.where(*_to_remind(campaign))
    return query.order_by(Member.number)


def _to_remind(campaign: Campaign) -> list:
    today = clock.today()
    confirmed = exists().where(
        Declaration.member_id == Member.id,
        Declaration.year == campaign.year,
        Declaration.reopened_at.is_(None),
    )
    employed = exists().where(Employee.member_id == Member.id, in_workforce(today))
    return [~confirmed, employed]


def _compose(campaign: Campaign, kind: MailingKind) -> notifications.Composed:
    """The kind's mail rendered once, the member number and unsubscribe link left to complete."""
    year = campaign.year
    with force_locale("fr"):
        closes_on = format_date(campaign.closes_on, "long")
    if kind is MailingKind.INVITATION:

        def subject():
            return _(
                "Workforce declaration %(year)d: confirm it online (member %(number)s)",
                year=year,
                number=notifications.NUMBER,
            )
    else:

        def subject():
            return _(
                "Reminder: workforce declaration %(year)d to confirm (member %(number)s)",
                year=year,
                number=notifications.NUMBER,
            )

    return notifications.compose(
        Notice.CAMPAIGN,
        TEMPLATES[kind],
        subject,
        year=year,
        closes_on=closes_on,
        link=notifications.portal_url("/declaration/"),
    )


def _queue_batch(campaign, kind, batch, composed) -> list[int]:
    """The batch's mails and rows, flushed (the caller commits): the outbox ids."""
    numbers = dict(batch)
    targets = notifications.recipients(list(numbers), Notice.CAMPAIGN)
    messages = [
        message
        for member_id in numbers
        for message in notifications.messages_for(composed, targets.get(member_id, []), numbers)
    ]
    mails = mail.queue_all(messages)
    now = clock.now()
    db.session.add_all(
        CampaignMailing(
            campaign_id=campaign.id,
            kind=kind,
            member_id=member_id,
            queued_at=now,
            recipients=len(targets.get(member_id, [])),
        )
        for member_id in numbers
    )
    db.session.flush()
    return [m.id for m in mails]


def send(
    campaign: Campaign,
    kind: MailingKind,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Queue and deliver the campaign's mails of this kind to the members not yet mailed,
    committing per batch; the number of mails queued. A batch that meets a concurrent run's
    rows is rolled back (nothing of it is kept) and the members still pending are taken again."""
    campaign_id = campaign.id
    composed = _compose(campaign, kind)

    def read_pending():  # after a rollback, the campaign is read again
        return db.session.execute(_targets(db.session.get(Campaign, campaign_id), kind)).all()

    def queue_batch(batch):
        return _queue_batch(db.session.get(Campaign, campaign_id), kind, batch, composed)

    return notifications.send_in_batches(read_pending, queue_batch, batch_size, progress)[1]


def state(campaign: Campaign) -> dict[MailingKind, Progress]:
    """Per kind, the members mailed and the total (mailed and still concerned), for the page."""
    rows = db.session.execute(
        select(CampaignMailing.kind, func.count(CampaignMailing.id))
        .where(CampaignMailing.campaign_id == campaign.id)
        .group_by(CampaignMailing.kind)
    )
    done = dict(rows.all())
    result = {}
    for kind in MailingKind:
        pending = db.session.scalar(
            select(func.count()).select_from(_targets(campaign, kind).order_by(None).subquery())
        )
        result[kind] = Progress(done.get(kind, 0), done.get(kind, 0) + pending)
    return result
