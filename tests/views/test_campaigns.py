"""The service's declaration campaigns (issue 11): the tariff's 80 %-120 % bounds (refused with
the reason, nothing saved), one campaign a year, the tariff fixed once a declaration is
confirmed; the progress page's figures against the database, its filters, sort, export and
statements; the reopening (a credit note, then a second confirmation and invoice with gapless
numbers); the e-mails sent after the response; staff only."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.billing import Campaign, CampaignMailing, Declaration, Invoice, InvoiceKind
from app.models.member import Member
from app.models.user import PortalUser
from app.services import campaign_progress, declarations
from tests.conftest import make_member, post_form
from tests.views.test_same_work import statements_of

URL = "/backoffice/campaigns/"
YEAR = clock.today().year
NEXT = YEAR + 1


def _tariff(**changes) -> dict:
    fields = {
        "year": str(NEXT),
        "opens_on": f"05/01/{NEXT}",
        "closes_on": f"28/02/{NEXT}",
        "national_average_cost": "115,50",
        "base_fee": "112,00",
        "entry_fee": "50",
        "no_show_fee": "60,00",
    }
    fields.update(changes)
    return fields


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _progress(app, **filters) -> dict[str, campaign_progress.Row]:
    with app.app_context():
        rows = campaign_progress.all_rows(YEAR, campaign_progress.Filters(**filters), clock.today())
        return {row.number: row for row in rows}


def test_a_base_fee_outside_the_bounds_is_refused_with_the_reason(app, staff):
    response = post_form(staff, f"{URL}new", _tariff(base_fee="140,00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "92,40\u00a0€" in page and "138,60\u00a0€" in page and "115,50\u00a0€" in page
    with app.app_context():
        assert _count(Campaign, Campaign.year == NEXT) == 0
        assert _count(AuditEntry, AuditEntry.action == "campaign.created") == 0


@pytest.mark.parametrize("fee", ["92,39", "138,61", "abc", "12,345", "-100"])
def test_bad_base_fees_save_nothing(app, staff, fee):
    response = post_form(staff, f"{URL}new", _tariff(base_fee=fee))
    assert response.status_code == 200
    assert "has-error" in response.text or "alert-danger" in response.text
    with app.app_context():
        assert _count(Campaign, Campaign.year == NEXT) == 0


def test_a_campaign_within_the_bounds_is_saved_and_audited(app, staff):
    response = post_form(staff, f"{URL}new", _tariff(base_fee="92,40", entry_fee=""))
    assert response.status_code == 302 and response.location.endswith(f"{URL}{NEXT}/")
    with app.app_context():
        campaign = declarations.campaign_of(NEXT)
        assert (campaign.base_fee, campaign.entry_fee) == (Decimal("92.40"), None)
        assert campaign.no_show_fee == Decimal("60.00")
        assert (campaign.opens_on, campaign.closes_on) == (date(NEXT, 1, 5), date(NEXT, 2, 28))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.created"))
        assert entry.target == str(NEXT) and entry.details["base_fee"] == "92.40"
    listed = staff.get(URL).text
    assert f'data-year="{NEXT}"' in listed and "92,40\u00a0€" in listed


def test_a_second_campaign_for_a_year_and_reversed_dates_are_refused(app, staff):
    again = post_form(staff, f"{URL}new", _tariff(year=str(YEAR)))
    assert again.status_code == 200 and "alert-danger" in again.text
    reversed_dates = post_form(staff, f"{URL}new", _tariff(closes_on=f"04/01/{NEXT}"))
    assert reversed_dates.status_code == 200 and "alert-danger" in reversed_dates.text
    with app.app_context():
        assert _count(Campaign, Campaign.year == YEAR) == 1
        assert _count(Campaign, Campaign.year == NEXT) == 0


def test_the_new_form_is_prefilled_with_the_year_national_average_cost(app, staff):
    app.config["NATIONAL_AVERAGE_COSTS"] = {**app.config["NATIONAL_AVERAGE_COSTS"], NEXT: "118.20"}
    page = staff.get(f"{URL}new").text  # this year has its campaign: the next one is proposed
    assert f'value="{NEXT}"' in page and 'value="118,20"' in page


def test_after_a_confirmation_only_the_closing_date_changes(app, staff):
    with app.app_context():
        campaign = declarations.campaign_of(YEAR)
        before = (campaign.base_fee, campaign.opens_on, campaign.closes_on)
    edit = f"{URL}{YEAR}/edit"
    assert 'id="tariff-locked"' in staff.get(edit).text
    fields = {
        "opens_on": before[1].strftime("%d/%m/%Y"),
        "closes_on": before[2].strftime("%d/%m/%Y"),
        "national_average_cost": "115,50",
        "base_fee": "111,00",
        "entry_fee": "50,00",
        "no_show_fee": "60,00",
    }
    refused = post_form(staff, edit, fields)
    assert refused.status_code == 200 and "alert-danger" in refused.text
    later = before[2] + timedelta(days=10)
    saved = post_form(
        staff, edit, {**fields, "base_fee": "110,00", "closes_on": later.strftime("%d/%m/%Y")}
    )
    assert saved.status_code == 302
    with app.app_context():
        campaign = declarations.campaign_of(YEAR)
        assert (campaign.base_fee, campaign.closes_on) == (before[0], later)
        assert _count(AuditEntry, AuditEntry.action == "campaign.changed") == 1


def test_the_list_counts_each_campaign_progress(app, staff):
    with app.app_context():
        make_member(name="SANS SALARIE")
        confirmed_empty = make_member(name="SANS SALARIE CONFIRME")
        db.session.add(  # a member without employees that confirmed 0: confirmed, not "without"
            Declaration(
                member_id=confirmed_empty.id,
                year=YEAR,
                confirmed_at=clock.now(),
                sir_count=0,
                sia_count=0,
                si_count=0,
            )  # fmt: skip
        )
        db.session.commit()
    page = staff.get(URL).text
    row = page[page.index(f'data-year="{YEAR}"') :]
    assert '"confirmed">2<' in row and '"to-confirm">2<' in row and '"without">1<' in row
    last = page[page.index(f'data-year="{YEAR - 1}"') :]
    assert '"confirmed">2<' in last and '"to-confirm">1<' in last and '"without">2<' in last


def test_the_progress_matches_the_database(app, staff):
    with app.app_context():
        empty = make_member(name="SANS SALARIE").number
        db.session.commit()
        declaration = declarations.live_declaration(_member("10250").id, YEAR)
        invoice_number, total = declaration.invoice.number, declaration.total
        counts = {
            n: declarations.current_counts(_member(n).id, clock.today()).total
            for n in ("10250", "10251", "10252")
        }
    rows = _progress(app)
    assert rows["10250"].status == "confirmed" and rows["10250"].declared == total
    assert (
        rows["10250"].invoice_number == invoice_number and rows["10250"].confirmed_by == "ets10250"
    )
    assert rows["10251"].status == rows["10252"].status == "to_confirm"
    assert rows[empty].status == "without_employees" and rows[empty].headcount == 0
    assert {n: rows[n].headcount for n in counts} == counts
    page = staff.get(f"{URL}{YEAR}/").text
    assert 'data-status="confirmed">1<' in page and 'data-status="to_confirm">2<' in page
    assert 'data-status="without_employees">1<' in page
    assert invoice_number in page and "/backoffice/declarations/" in page


def test_the_progress_filters_and_sorts(app, staff):
    confirmed = staff.get(f"{URL}{YEAR}/?status=confirmed").text
    assert 'data-number="10250"' in confirmed and 'data-number="10251"' not in confirmed
    named = staff.get(f"{URL}{YEAR}/?q=transports").text
    assert 'data-number="10251"' in named and 'data-number="10250"' not in named
    by_headcount = staff.get(f"{URL}{YEAR}/?sort=headcount&desc=1").text
    order = [by_headcount.index(f'data-number="{n}"') for n in ("10252", "10250", "10251")]
    assert order == sorted(order)
    assert staff.get(f"{URL}{YEAR}/?status=nonsense&sort=x&page=abc").status_code == 200
    assert staff.get(f"{URL}1999/").status_code == 404


def test_the_export_holds_the_filtered_rows_with_their_values(app, staff):
    response = staff.get(f"{URL}{YEAR}/export.xlsx?status=confirmed")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    number, name, status, confirmed_on, by, declared, invoice, headcount = rows[1]
    with app.app_context():
        declaration = declarations.live_declaration(_member("10250").id, YEAR)
        assert (number, by, declared, invoice) == (
            "10250",
            "ets10250",
            declaration.total,
            declaration.invoice.number,
        )
        assert confirmed_on == declaration.confirmed_at
    assert name and status in ("Confirmé", "Confirmed") and headcount == 30
    everyone = load_workbook(
        io.BytesIO(staff.get(f"{URL}{YEAR}/export.xlsx").data), read_only=True
    ).active
    assert len(list(everyone.iter_rows(values_only=True))) == 4


def test_the_progress_page_costs_the_same_statements_for_one_member_and_many(app, staff):
    with app.app_context():
        for n in range(8):
            make_member(name=f"SOCIETE CAMPAGNE {n}")
        db.session.commit()
    one = statements_of(app, lambda: staff.get(f"{URL}{YEAR}/?q=10250"))
    many = statements_of(app, lambda: staff.get(f"{URL}{YEAR}/"))
    assert len(one) == len(many)
    exports = [
        statements_of(app, lambda q=q: staff.get(f"{URL}{YEAR}/export.xlsx{q}").get_data())
        for q in ("?q=10250", "")
    ]
    assert len(exports[0]) == len(exports[1])
    before = statements_of(app, lambda: staff.get(URL))
    for year in (NEXT, NEXT + 1):
        assert post_form(staff, f"{URL}new", _tariff(year=str(year))).status_code == 302
    assert len(statements_of(app, lambda: staff.get(URL))) == len(before)


def test_reopening_credits_the_invoice_and_the_member_confirms_again(app, staff):
    with app.app_context():
        declaration = declarations.live_declaration(_member("10250").id, YEAR)
        declaration_id, first = declaration.id, declaration.invoice.number
    url = f"/backoffice/declarations/{declaration_id}/reopen"
    refused = post_form(staff, url, {"reason": "  "})
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.get(Declaration, declaration_id).reopened_at is None
    response = post_form(staff, url, {"reason": "Effectif erroné"}, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        original = db.session.scalar(select(Invoice).where(Invoice.number == first))
        note = original.credited_by
        assert note.kind is InvoiceKind.CREDIT_NOTE and note.credits_id == original.id
        assert note.number in response.text
        assert db.session.get(Declaration, declaration_id).reopen_reason == "Effectif erroné"
        member = _member("10250")
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
        again, created = declarations.confirm(member, user, declarations.campaign_of(YEAR), None)
        db.session.commit()
        member_id, again_id = member.id, again.id
        assert (
            created
            and again.id != declaration_id
            and again.invoice.number not in (first, note.number)
        )
        sequences = sorted(db.session.scalars(select(Invoice.sequence).where(Invoice.year == YEAR)))
        assert sequences == list(range(1, len(sequences) + 1))
    rows = _progress(app)
    assert rows["10250"].status == "confirmed" and rows["10250"].declaration_id == again_id
    assert post_form(staff, url, {"reason": "deux fois"}).status_code == 200
    with app.app_context():
        notes = Invoice.kind == InvoiceKind.CREDIT_NOTE, Invoice.member_id == member_id
        assert _count(Invoice, *notes) == 1  # the reopened declaration is not reopened twice


def test_the_invitation_button_sends_after_the_response_and_counts(app, staff, smtp):
    page = staff.get(f"{URL}{YEAR}/")
    response = post_form(staff, f"{URL}{YEAR}/send/invitation", page_url=f"{URL}{YEAR}/")
    response.close()  # the work runs once the answer is out, as under a WSGI server
    assert page.status_code == 200 and response.status_code == 302, response.location
    assert response.location.endswith(f"{URL}{YEAR}/"), response.location
    smtp.wait(1)
    with app.app_context():
        members = _count(Member, Member.status == "ACTIVE")
        assert _count(CampaignMailing) == members
    assert f"{members}\u00a0/\u00a0{members}" in staff.get(f"{URL}{YEAR}/").text or (
        f"{members} / {members}" in staff.get(f"{URL}{YEAR}/").text
    )
    assert (
        post_form(staff, f"{URL}{YEAR}/send/nonsense", page_url=f"{URL}{YEAR}/").status_code == 404
    )


def test_a_member_user_reaches_none_of_the_campaign_routes(app, member):
    with app.app_context():
        declaration_id = declarations.live_declaration(_member("10250").id, YEAR).id
    for url in (
        URL, f"{URL}new", f"{URL}{YEAR}/", f"{URL}{YEAR}/edit", f"{URL}{YEAR}/export.xlsx",
        f"/backoffice/declarations/{declaration_id}/reopen",
    ):  # fmt: skip
        assert member.get(url).status_code in (403, 404), url
    for url in (
        f"{URL}{YEAR}/send/invitation",
        f"/backoffice/declarations/{declaration_id}/reopen",
    ):
        assert member.post(url, data={"reason": "x"}).status_code in (400, 403, 404), url
    with app.app_context():
        assert _count(CampaignMailing) == 0
        assert db.session.get(Declaration, declaration_id).reopened_at is None
