"""A campaign's invitation and reminder e-mails (issue 11): one French mail per user who wants
the campaign's notice (issue 12; in the demo, the administrators, who are the portal contacts)
of each member concerned, plain text plus HTML with an unsubscribe link, delivered over a real
SMTP server on loopback, by batches with progress; a second run sends nothing; the reminder
skips the members confirmed or without employees; a member without contact still gets its row
(0 recipients)."""

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.account import OutboxMail
from app.models.billing import CampaignMailing, MailingKind
from app.models.member import Member, MemberStatus
from app.models.user import PortalUser
from app.services import campaign_mailings, declarations
from tests.conftest import make_member
from tests.mail_server import smtp  # noqa: F401 - a real SMTP server, as a fixture


def _campaign():
    return declarations.campaign_of(clock.today().year)


def _contacts(numbers) -> dict[str, set[str]]:
    """The active portal contacts' addresses of these members, by member number."""
    rows = db.session.execute(
        select(Member.number, PortalUser.email)
        .join(PortalUser, PortalUser.member_id == Member.id)
        .where(Member.number.in_(numbers), PortalUser.is_portal_contact.is_(True))
        .where(PortalUser.active.is_(True), PortalUser.email.is_not(None))
    )
    found: dict[str, set[str]] = {}
    for number, email in rows:
        found.setdefault(number, set()).add(email)
    return found


def _active_numbers() -> list[str]:
    return list(
        db.session.scalars(select(Member.number).where(Member.status == MemberStatus.ACTIVE))
    )


def _rows(kind) -> dict[str, int]:
    rows = db.session.execute(
        select(Member.number, CampaignMailing.recipients)
        .join(Member, Member.id == CampaignMailing.member_id)
        .where(CampaignMailing.kind == kind)
    )
    return dict(rows.all())


def test_the_invitation_reaches_every_contact_once_and_a_second_run_sends_nothing(app, smtp):  # noqa: F811
    with app.app_context():
        silent = make_member(name="SANS CONTACT").number
        db.session.commit()
        numbers = _active_numbers()
        contacts = _contacts(numbers)
        expected = sum(len(a) for a in contacts.values())
        assert expected >= 2
        seen = []
        queued = campaign_mailings.send(
            _campaign(),
            MailingKind.INVITATION,
            batch_size=2,
            progress=lambda d, t: seen.append((d, t)),
        )
        assert queued == expected
        assert seen[-1] == (len(numbers), len(numbers)) and len(seen) == (len(numbers) + 1) // 2
        rows = _rows(MailingKind.INVITATION)
        assert set(rows) == set(numbers) and rows[silent] == 0
        assert all(rows[n] == len(a) for n, a in contacts.items())
        received = smtp.wait(expected)
        assert sorted(r for rcpts, _ in received for r in rcpts) == sorted(
            a for addresses in contacts.values() for a in addresses
        )
        unsent = db.session.scalar(
            select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))
        )
        assert unsent == 0
        assert campaign_mailings.send(_campaign(), MailingKind.INVITATION) == 0
        assert len(_rows(MailingKind.INVITATION)) == len(numbers)
    assert len(smtp.received) == expected


def test_the_mail_gives_the_member_number_year_closing_date_and_link(app, smtp):  # noqa: F811
    with app.app_context():
        campaign = _campaign()
        year, closes_on = campaign.year, campaign.closes_on
        address = next(iter(_contacts(["10251"])["10251"]))
        campaign_mailings.send(campaign, MailingKind.INVITATION)
        received = smtp.wait(1)
    (message,) = [m for rcpts, m in received if address in rcpts][:1]
    body = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "10251" in message["Subject"] and str(year) in message["Subject"]
    assert "10251" in body and str(year) in body
    link = app.config["PORTAL_URL"].rstrip("/") + "/declaration/"
    assert link in body and f'href="{link}"' in html
    assert str(closes_on.day) in body and str(closes_on.year) in body
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://portal.test/") and unsubscribe in body


def test_the_reminder_skips_confirmed_members_and_those_without_employees(app, smtp):  # noqa: F811
    with app.app_context():
        empty = make_member(name="SANS SALARIE").number
        db.session.commit()
        contacts = _contacts(["10251", "10252"])
        campaign_mailings.send(_campaign(), MailingKind.REMINDER)
        rows = _rows(MailingKind.REMINDER)
        assert "10250" not in rows  # confirmed in the demo
        assert empty not in rows
        assert {"10251", "10252"} <= set(rows)
        expected = sum(len(contacts.get(n, ())) for n in rows)
        smtp.wait(expected)
        subjects = {m["Subject"] for _, m in smtp.received}
        assert all("10250" not in s for s in subjects)
        assert campaign_mailings.send(_campaign(), MailingKind.REMINDER) == 0
    assert len(smtp.received) == expected


def test_the_progress_counts_the_members_mailed_and_still_concerned(app):
    with app.app_context():
        campaign = _campaign()
        total = len(_active_numbers())
        assert campaign_mailings.state(campaign)[MailingKind.INVITATION].total == total
        campaign_mailings.send(campaign, MailingKind.INVITATION)
        state = campaign_mailings.state(campaign)[MailingKind.INVITATION]
        assert (state.done, state.total) == (total, total)


def test_the_commands_print_their_progress_and_resume_without_duplicates(app):
    def run(*args):
        with app.app_context():
            return app.test_cli_runner().invoke(args=list(args))

    year = clock.today().year
    with app.app_context():
        total = len(_active_numbers())
    first = run("campaign-invite", str(year))
    assert first.exit_code == 0, first.output
    assert f"{total}/{total} adhérents" in first.output
    again = run("campaign-invite", str(year))
    assert again.exit_code == 0 and "adhérents" not in again.output
    remind = run("campaign-remind", str(year))
    assert remind.exit_code == 0 and "adhérents" in remind.output
    with app.app_context():
        assert len(_rows(MailingKind.INVITATION)) == total
        assert "10250" not in _rows(MailingKind.REMINDER)
    unknown = run("campaign-invite", "1999")
    assert unknown.exit_code != 0 and "1999" in unknown.output


def test_a_batch_meeting_another_run_rows_is_taken_again_without_duplicates(app, smtp):  # noqa: F811
    """Another run records a member of the next batch meanwhile: that batch is rolled back
    (none of its mails kept) and the members still pending are mailed once."""
    with app.app_context():
        for n in range(3):
            make_member(name=f"SOCIETE RELANCE {n}")
        db.session.commit()
        campaign = _campaign()
        numbers = sorted(_active_numbers())
        taken = _member_id(numbers[-1])  # in the last batch
        other = []

        def meanwhile(done, total):
            if not other:  # once, after the first batch: a concurrent run's row, committed
                with db.engine.begin() as connection:
                    connection.execute(
                        CampaignMailing.__table__.insert().values(
                            campaign_id=campaign.id,
                            kind=MailingKind.INVITATION,
                            member_id=taken,
                            queued_at=clock.now(),
                            recipients=0,
                        )
                    )
                other.append(taken)

        campaign_mailings.send(campaign, MailingKind.INVITATION, batch_size=2, progress=meanwhile)
        rows = db.session.execute(
            select(CampaignMailing.member_id, func.count()).group_by(CampaignMailing.member_id)
        ).all()
        assert len(rows) == len(numbers) and {n for _, n in rows} == {1}
        assert (
            db.session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None)))
            == 0
        )


def _member_id(number: str) -> int:
    return db.session.scalar(select(Member.id).where(Member.number == number))
