"""Reminders to many members (issue 12): the DUERP yearly reminder and the attestations de non
contre-indication (NCI) ending, sent by `flask send-reminders` over a real SMTP server on
loopback, recorded in `notification_sent` so that a second run, or a run at the same moment,
sends nothing twice; recipients by rights and choices; and the campaign's mails honour the
campaign notice's choice.

Demo: 10250 deposited its DUERP two months ago, 10251 five months ago, 10252 (no portal account)
never; two drivers of 10251 hold an NCI, one ending within 3 months, one ended a month ago."""

import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app import clock
from app.domain.notifications import Notice, add_months, nci_due_for_notice
from app.extensions import db
from app.models.account import OutboxMail
from app.models.billing import MailingKind
from app.models.document import DUERP_CLASS, Document
from app.models.employee import Employee
from app.models.member import Member
from app.models.notification import NotificationSent
from app.models.reference import DocumentClass, ExamType
from app.models.user import PortalUser
from app.models.visit import Conclusion, Visit, VisitOutcome
from app.services import accounts, campaign_mailings, declarations, nci, notifications, reminders
from app.services.employee_list import in_workforce
from tests.mail_server import smtp  # noqa: F401 - a real SMTP server, as a fixture

ADMIN_10250 = "bernard@boulangerie-demo.example"
COLLAB_10250 = "camille@boulangerie-demo.example"
REPORTS_10250 = "rapports@boulangerie-demo.example"
ADMIN_10251 = "thierry@transports-demo.example"


def _member_id(number: str) -> int:
    return db.session.scalar(select(Member.id).where(Member.number == number))


def _user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def _sent(notice: Notice) -> list[tuple[str, str, int]]:
    rows = db.session.execute(
        select(Member.number, NotificationSent.key, NotificationSent.mails)
        .join(Member, Member.id == NotificationSent.member_id)
        .where(NotificationSent.notice == notice)
        .order_by(Member.number, NotificationSent.key)
    )
    return [tuple(row) for row in rows]


def _unsent() -> int:
    return db.session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None)))


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


# --- DUERP ----------------------------------------------------------------------------------------


def _age_duerp(number: str, months: int) -> None:
    """Move the member's DUERP deposits `months` back."""
    when = datetime.combine(add_months(clock.today(), -months), datetime.min.time())
    class_id = db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == DUERP_CLASS))
    db.session.execute(
        update(Document)
        .where(Document.member_id == _member_id(number), Document.class_id == class_id)
        .values(sent_at=when),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def test_the_duerp_reminder_reaches_the_members_due_once_a_year(app, smtp):  # noqa: F811
    with app.app_context():
        _age_duerp("10251", 13)
        today = clock.today()
        unsent = _unsent()  # the demo's mails, kept in the outbox when it was loaded
        seen = []
        outcome = reminders.send_duerp(today, batch_size=1, progress=lambda *p: seen.append(p))
        assert outcome == reminders.Outcome(members=2, mails=1)
        assert seen == [(1, 2), (2, 2)]
        year = str(today.year)
        # 10250: a recent deposit; 10252: due, but nobody to mail (recorded all the same).
        assert _sent(Notice.DUERP_REMINDER) == [("10251", year, 1), ("10252", year, 0)]
        (recipients, message), *_ = smtp.wait(1)
        assert recipients == [ADMIN_10251]
        assert "10251" in message["Subject"] and "DUERP" in message["Subject"]
        body = _plain(message)
        assert "http://portal.test/documents/new?duerp=1" in body
        assert "R4121-2" in body and message["List-Unsubscribe"]
        assert _unsent() == unsent
        assert reminders.send_duerp(today) == reminders.Outcome(0, 0)
        # Next year, the member is reminded again (and 10250, whose deposit is then too old).
        reminders.send_duerp(add_months(today, 12))
        assert ("10251", str(today.year + 1), 1) in _sent(Notice.DUERP_REMINDER)
    smtp.wait(3)
    assert len(smtp.received) == 3


def test_a_user_who_turned_the_duerp_reminder_off_gets_nothing(app, smtp):  # noqa: F811
    with app.app_context():
        _age_duerp("10251", 13)
        notifications.set_choice(_user("ets10251"), Notice.DUERP_REMINDER, False)
        db.session.commit()
        assert reminders.send_duerp(clock.today()) == reminders.Outcome(members=2, mails=0)
        assert _sent(Notice.DUERP_REMINDER)[0][::2] == ("10251", 0)
    assert smtp.received == []


# --- NCI ------------------------------------------------------------------------------------------


def _nci_visit(employee: Employee, months_ago: int, **fields) -> Visit:
    exam_id = db.session.scalar(select(ExamType.id).where(ExamType.code == "NCI"))
    visit = Visit(
        member_id=employee.member_id,
        employee_id=employee.id,
        exam_type_id=exam_id,
        visit_on=add_months(clock.today(), -months_ago),
        outcome=fields.pop("outcome", VisitOutcome.SEEN),
        conclusion=fields.pop("conclusion", Conclusion.NO_CONTRAINDICATION),
        recorded_at=clock.now(),
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def _cases_of_10250() -> dict[str, int]:
    """NCI visits of 10250's employees, one case each: the visit ids that must be announced."""
    staff = db.session.scalars(
        select(Employee)
        .where(Employee.member_id == _member_id("10250"), in_workforce(clock.today()))
        .order_by(Employee.id)
    ).all()
    due, renewed, exited, too_old, too_recent, absent_since, unfit = staff[:7]
    cases = {"due": _nci_visit(due, 59).id}
    _nci_visit(renewed, 59)
    _nci_visit(renewed, 12)  # renewed a year ago
    _nci_visit(exited, 59)
    exited.contract_end_on = clock.today() - timedelta(days=1)
    _nci_visit(too_old, 64)  # ended four months ago: past the notice window
    _nci_visit(too_recent, 50)  # ends in ten months
    cases["absent_since"] = _nci_visit(absent_since, 58).id
    _nci_visit(absent_since, 1, outcome=VisitOutcome.ABSENT, conclusion=None)  # not renewed
    _nci_visit(unfit, 59, conclusion=Conclusion.UNFIT)  # no attestation was given
    db.session.commit()
    return cases


def test_the_nci_list_keeps_the_latest_attestation_of_employees_in_the_workforce(app):
    with app.app_context():
        cases = _cases_of_10250()
        found = nci.of_active_members(clock.today(), nci.Settings.from_config())
        assert sorted(row.visit_id for row in found[_member_id("10250")]) == sorted(cases.values())
        demo = found[_member_id("10251")]
        assert [row.expired for row in demo] == [True, False]  # earliest end first


def test_the_nci_window_matches_the_domain_rule_around_month_ends(app):
    with app.app_context():
        settings = nci.Settings("NCI", 60, 3)
        for today in (clock.today(), *(clock.today().replace(month=m, day=28) for m in (2, 5))):
            first, last = nci.visit_window(today, settings)
            for day, expected in (
                (first, True), (last, True), (first - timedelta(days=1), False),
                (last + timedelta(days=1), False),
            ):  # fmt: skip
                assert nci_due_for_notice(day, today, 60, 3) is expected, (today, day)
        assert nci.visit_window(clock.today(), nci.Settings("NCI", 60, 0)) is None


def test_the_nci_reminder_goes_once_to_the_users_with_the_reports_right(app, smtp):  # noqa: F811
    with app.app_context():
        cases = _cases_of_10250()
        member_id = _member_id("10250")
        documents_only = accounts.create_user(
            username="docs10250",
            password="Docs-demo-2026-x",
            roles=["Member", "right.documents"],
            member_id=member_id,
            email="docs@boulangerie-demo.example",
            first_name="Denis",
            last_name="DOCUMENTS",
        )
        reports = accounts.create_user(
            username="rep10250",
            password="Reports-demo-2026-x",
            roles=["Member", "right.reports"],
            member_id=member_id,
            email=REPORTS_10250,
            first_name="Rita",
            last_name="RAPPORTS",
        )
        # A choice without the right counts for nothing (the documents' collaborator, and
        # ets10250.2 whose employees' and visits' rights do not open the reports where the
        # mail leads); the collaborator with the reports right opts in.
        notifications.set_choice(documents_only, Notice.NCI_EXPIRING, True)
        notifications.set_choice(_user("ets10250.2"), Notice.NCI_EXPIRING, True)
        notifications.set_choice(reports, Notice.NCI_EXPIRING, True)
        db.session.commit()
        outcome = reminders.send_nci(clock.today())
        assert outcome == reminders.Outcome(members=2, mails=3)
        received = smtp.wait(3)
        assert sorted(r for rcpts, _ in received for r in rcpts) == sorted(
            [ADMIN_10250, REPORTS_10250, ADMIN_10251]
        )
        keys = {key for number, key, _ in _sent(Notice.NCI_EXPIRING) if number == "10250"}
        assert keys == {f"visit:{visit_id}" for visit_id in cases.values()}
        assert reminders.send_nci(clock.today()) == reminders.Outcome(0, 0)
        # A new attestation ending: the next run announces it alone.
        newcomer = db.session.scalar(
            select(Employee)
            .where(Employee.member_id == member_id, in_workforce(clock.today()))
            .order_by(Employee.id.desc())
        )
        _nci_visit(newcomer, 58)
        db.session.commit()
        assert reminders.send_nci(clock.today()) == reminders.Outcome(members=1, mails=2)
    smtp.wait(5)
    assert len(smtp.received) == 5


def test_the_nci_mail_counts_the_attestations_and_names_nobody(app, smtp):  # noqa: F811
    with app.app_context():
        names = [
            row.name
            for row in nci.of_active_members(clock.today(), nci.Settings.from_config())[
                _member_id("10251")
            ]
        ]
        reminders.send_nci(clock.today())
        ((recipients, message),) = smtp.wait(1)
    assert recipients == [ADMIN_10251]
    body, html = _plain(message), message.get_body(("html",)).get_content()
    assert "10251" in message["Subject"]
    assert "2 salariés" in body
    assert (
        "http://portal.test/reports/nci" in body and 'href="http://portal.test/reports/nci"' in html
    )
    for name in names:
        for part in name.split():
            assert part not in body and part not in html
    for word in ("inapte", "unfit", "apte", "contre-indication médicale"):
        assert word not in body.lower()


def test_two_runs_at_once_send_each_reminder_once(app, smtp):  # noqa: F811
    with app.app_context():
        _cases_of_10250()
        _age_duerp("10251", 13)
        unsent = _unsent()
    barrier = threading.Barrier(2)
    errors, outcomes = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                today = clock.today()
                outcomes.append(reminders.send_nci(today, batch_size=1))
                outcomes.append(reminders.send_duerp(today, batch_size=1))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(o.mails for o in outcomes) == 3  # NCI: both admins; DUERP: 10251's admin
    smtp.wait(3)
    assert len(smtp.received) == 3
    with app.app_context():
        assert len(_sent(Notice.DUERP_REMINDER)) == 2
        assert _unsent() == unsent


# --- the campaign's mails and the command ---------------------------------------------------------


def test_the_campaign_mails_honour_the_campaign_choice(app, smtp):  # noqa: F811
    with app.app_context():
        notifications.set_choice(_user("ets10251"), Notice.CAMPAIGN, False)
        db.session.commit()
        campaign = declarations.campaign_of(clock.today().year)
        campaign_mailings.send(campaign, MailingKind.INVITATION)
        received = smtp.wait(1)
        addresses = [r for rcpts, _ in received for r in rcpts]
        assert ADMIN_10250 in addresses and ADMIN_10251 not in addresses
        rows = campaign_mailings.state(campaign)[MailingKind.INVITATION]
        assert rows.done == rows.total  # 10251 is done all the same (0 recipients)


def test_the_command_prints_its_progress_and_a_second_run_sends_nothing(app, smtp):  # noqa: F811
    def run(*args):
        with app.app_context():
            return app.test_cli_runner().invoke(args=["send-reminders", *args])

    with app.app_context():
        _age_duerp("10251", 13)
    first = run()
    assert first.exit_code == 0, first.output
    assert "duerp: 2/2 adhérents" in first.output and "nci: 1/1 adhérents" in first.output
    assert "duerp: 2 adhérent(s) traité(s), 1 e-mail(s) en file d'envoi" in first.output
    assert "nci: 1 adhérent(s) traité(s), 1 e-mail(s) en file d'envoi" in first.output
    again = run("--duerp", "--nci", "--batch", "10")
    assert again.exit_code == 0 and "adhérents" not in again.output
    assert "duerp: 0 adhérent(s)" in again.output and "nci: 0 adhérent(s)" in again.output
    only = run("--nci")
    assert "nci:" in only.output and "duerp" not in only.output
    assert run("--batch", "0").exit_code != 0
    smtp.wait(2)
    assert len(smtp.received) == 2
