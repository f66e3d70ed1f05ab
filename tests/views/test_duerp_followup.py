"""The service's DUERP follow-up (issue 10): one row per active member with its workforce, its
latest answer, its latest deposit and whether to remind it (11 employees or more, no deposit in
DUERP_RECENT_MONTHS); filters, a fixed number of statements per page, the Excel export."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import delete, select

from app import clock
from app.demo.documents import pdf
from app.extensions import db
from app.models.document import DUERP_CLASS, Document
from app.models.member import Member
from app.models.reference import DocumentClass
from app.models.user import PortalUser
from app.services import documents, duerp, duerp_followup
from tests.conftest import make_member
from tests.views.test_same_work import statements_of

URL = "/backoffice/duerp/"


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _without_duerp(app, number: str = "10250") -> None:
    """The member's DUERP versions removed (the demo deposits some for 10250)."""
    with app.app_context():
        amt = select(DocumentClass.id).where(DocumentClass.code == DUERP_CLASS)
        db.session.execute(
            delete(Document).where(
                Document.member_id == _member(number).id, Document.class_id.in_(amt)
            )
        )
        db.session.commit()


def _deposit_duerp(app, number: str = "10250", days_ago: int = 0) -> None:
    with app.app_context():
        amt = db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == DUERP_CLASS))
        document = documents.deposit(
            _member(number),
            documents.Upload("duerp.pdf", pdf("DUERP")),
            documents.Details(amt, "DUERP"),
            None,
        )
        document.sent_at = clock.now() - timedelta(days=days_ago)
        db.session.commit()


def _row(app, number: str) -> duerp_followup.Row:
    with app.app_context():
        rows, total = duerp_followup.page(
            duerp_followup.Filters(query=number), clock.today(), duerp.recent_months(), 0, 50
        )
    assert total == 1
    return rows[0]


def test_a_member_of_30_employees_without_a_deposit_is_to_remind(app, staff):
    _without_duerp(app)
    row = _row(app, "10250")
    assert row.headcount == 30
    assert row.last_deposit_at is None and row.overdue
    page = staff.get(f"{URL}?overdue=1").text
    assert 'data-number="10250"' in page


def test_a_recent_deposit_ends_the_reminder_and_an_old_one_does_not(app, staff):
    _without_duerp(app)
    _deposit_duerp(app, days_ago=400)
    assert _row(app, "10250").overdue
    _deposit_duerp(app, days_ago=3)
    row = _row(app, "10250")
    assert not row.overdue and row.last_deposit_at.date() == clock.today() - timedelta(days=3)
    assert 'data-number="10250"' not in staff.get(f"{URL}?overdue=1").text
    assert 'data-number="10250"' in staff.get(URL).text


def test_a_member_under_11_employees_is_never_to_remind(app):
    with app.app_context():
        number = make_member(name="TPE SANS DUERP").number
        db.session.commit()
    row = _row(app, number)
    assert row.headcount == 0 and row.last_deposit_at is None and not row.overdue


def test_the_latest_answer_is_shown_with_who_and_the_filters_follow_it(app, staff):
    with app.app_context():
        member = _member("10251")
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10251"))
        duerp.record_answer(member, user, True, date(2026, 1, 15), True)
        duerp.record_answer(member, user, False)
        db.session.commit()
    row = _row(app, "10251")
    assert row.has_duerp is False and row.answered_by == "ets10251"
    assert row.updated_on is None
    assert 'data-number="10251"' in staff.get(f"{URL}?answer=no").text
    assert 'data-number="10251"' not in staff.get(f"{URL}?answer=yes").text
    assert 'data-number="10251"' not in staff.get(f"{URL}?answer=never").text


def test_a_member_user_cannot_open_the_follow_up(member):
    assert member.get(URL).status_code == 403
    assert member.get(f"{URL}export.xlsx").status_code == 403


def test_the_export_holds_the_filtered_rows_with_their_values(app, staff):
    _without_duerp(app)
    with app.app_context():
        admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
        duerp.record_answer(_member("10250"), admin, True, date(2026, 3, 2), False)
        db.session.commit()
    response = staff.get(f"{URL}export.xlsx?q=10250")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header, then 10250 only
    number, name, headcount, answer, answered_at, by, updated, plan, deposit, remind = rows[1]
    assert (number, headcount, by) == ("10250", 30, "ets10250")
    assert name
    assert answer in ("Oui", "Yes") and plan in ("Non", "No") and remind in ("Oui", "Yes")
    assert updated.date() == date(2026, 3, 2)
    assert answered_at.date() == clock.today()
    assert deposit is None


def test_a_page_costs_the_same_statements_for_one_member_and_many(app, staff):
    with app.app_context():
        for n in range(8):
            make_member(name=f"SOCIETE SUIVI {n}")
        db.session.commit()
    one = statements_of(app, lambda: staff.get(f"{URL}?q=10250"))
    many = statements_of(app, lambda: staff.get(URL))
    assert len(one) == len(many)
    exports = [
        statements_of(app, lambda q=q: staff.get(f"{URL}export.xlsx{q}").get_data())
        for q in ("?q=10250", "")
    ]
    assert len(exports[0]) == len(exports[1])
