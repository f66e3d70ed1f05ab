"""The member's "Déclaration" screen (issue 11; manual, chapter 8 "Déclaration d'effectifs"): the
status line, today's workforce per category against the figures of the annual fee, the
confirmation that freezes a snapshot and issues one invoice (even when posted twice at once), a
refusal with nothing saved when the workforce changed since the page was shown, the rights, the
home's to-do item, and a cost in statements that does not grow with the member.

Expected figures are computed here in Python over the member's employees, independently of
app.services.declarations."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from app import clock
from app.domain import billing
from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.billing import (
    Campaign,
    Declaration,
    DeclarationEmployee,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
)
from app.models.employee import Employee
from app.models.member import Member
from app.models.user import PortalUser
from app.services import declarations, invoices
from app.views.messages import MESSAGES
from app.views.params import FORM_MESSAGE
from tests.conftest import csrf_token
from tests.views.test_account_races import at_once, same_session
from tests.views.test_employees import alerts, logged_in
from tests.views.test_member_home import set_rights, todo
from tests.views.test_same_work import statements_of
from tests.views.test_visit_attachments import wording

PAGE = "/declaration/"
CONFIRM = "/declaration/confirm"
FIELDS = {"sir": FollowUp.SIR, "sia": FollowUp.SIA, "si": FollowUp.SI}
# msgids of the view's own messages (French once the lead merges .tr/portal.po)
CONFIRMED = "Declaration confirmed. The invoice is issued from these figures."
ALREADY = "This declaration was already confirmed."


def _text(element) -> str:
    return " ".join(element.text_content().split())


def member_id(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.number == number))


def workforce(app, number: str) -> dict[int, FollowUp]:
    """The member's employees in the workforce today (no end of contract, or one still to
    come), by id, with their category."""
    today = clock.today()
    with app.app_context():
        rows = db.session.scalars(
            select(Employee).where(Employee.member_id == member_id(app, number))
        ).all()
        return {
            e.id: e.category for e in rows if e.contract_end_on is None or e.contract_end_on > today
        }


def expected_counts(app, number: str) -> dict[str, int]:
    staff = workforce(app, number)
    counts = {field: sum(1 for c in staff.values() if c is cat) for field, cat in FIELDS.items()}
    return {**counts, "total": len(staff)}


def shown(client) -> dict:
    """What the screen says: status, table figures, confirm form, invoice, history rows."""
    response = client.get(PAGE)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.text)
    table = {}
    for tr in tree.xpath("//table[@id='declaration-table']/tbody/tr"):
        current = tr.xpath("./td[contains(@class, 'current')]")[0]
        declared = tr.xpath("./td[contains(@class, 'declared')]")[0]
        table[tr.get("data-category")] = (int(_text(current)), int(_text(declared)))
    form = tree.xpath("//form[@id='confirm-form']")
    status = tree.xpath("//*[@id='declaration-status']")[0]
    invoice = tree.xpath("//*[@id='declaration-invoice']")
    return {
        "html": response.text,
        "status": status.get("data-status"),
        "status_text": _text(status),
        "labels": [_text(th) for th in tree.xpath("//table[@id='declaration-table']//th")],
        "table": table,
        "form": {i.get("name"): i.get("value") for i in form[0].xpath(".//input")}
        if form
        else None,
        "confirmed_by": _text(tree.xpath("//*[@id='confirmed-by']")[0])
        if tree.xpath("//*[@id='confirmed-by']")
        else None,
        "invoice": _text(invoice[0]) if invoice else None,
        "invoice_link": (tree.xpath("//a[@id='declaration-invoice-pdf']/@href") or [None])[0],
        "history": [
            {
                "id": int(tr.get("data-declaration")),
                "cells": {td.get("class").split()[0]: _text(td) for td in tr.xpath("./td")},
            }
            for tr in tree.xpath("//table[@id='declaration-history']/tbody/tr")
        ],
    }


def post_confirm(client, form: dict | None = None, **changes):
    """Post the page's confirm form as the browser would (its hidden fields), with changes."""
    data = dict(form if form is not None else shown(client)["form"])
    data.update(changes)
    return client.post(CONFIRM, data={k: v for k, v in data.items() if v is not None})


def declarations_of(app, number: str, year: int | None = None) -> list[Declaration]:
    year = year or clock.today().year
    with app.app_context():
        return db.session.scalars(
            select(Declaration)
            .where(Declaration.member_id == member_id(app, number), Declaration.year == year)
            .order_by(Declaration.id)
        ).all()


def invoices_of(app, number: str) -> list[Invoice]:
    with app.app_context():
        return db.session.scalars(
            select(Invoice).where(Invoice.member_id == member_id(app, number)).order_by(Invoice.id)
        ).all()


def counter(app) -> int | None:
    with app.app_context():
        return db.session.scalar(
            select(InvoiceCounter.last_sequence).where(InvoiceCounter.year == clock.today().year)
        )


def add_employee(app, number: str, category: FollowUp = FollowUp.SI, n: int = 1) -> None:
    """`n` more employees of the member in today's workforce (copies of its first one)."""
    with app.app_context():
        model = db.session.scalar(
            select(Employee)
            .where(Employee.member_id == member_id(app, number))
            .order_by(Employee.id)
        )
        columns = [c.key for c in Employee.__table__.columns if c.key not in ("id", "nir")]
        for index in range(n):
            copy = Employee(**{key: getattr(model, key) for key in columns})
            copy.last_name = f"NOUVEAU{index}"
            copy.contract_end_on = None
            copy.category = category
            db.session.add(copy)
        db.session.commit()


def reopen_10250(app) -> None:
    """The service reopens 10250's declaration of this year (its invoice credited)."""
    with app.app_context():
        declaration = db.session.scalar(
            select(Declaration).where(
                Declaration.member_id == member_id(app, "10250"),
                Declaration.year == clock.today().year,
                Declaration.reopened_at.is_(None),
            )
        )
        staff = db.session.scalar(select(PortalUser).where(PortalUser.username == "gestion"))
        declarations.reopen(declaration, staff, "Effectif erroné : deux intérimaires comptés")
        db.session.commit()


# --- what the screen shows ----------------------------------------------------------------------


def test_a_declaration_to_confirm_shows_todays_workforce_and_the_button(app):
    want = expected_counts(app, "10251")
    assert want["total"] > 0
    screen = shown(logged_in(app, "ets10251"))

    year = clock.today().year
    assert screen["status"] == "to_confirm"
    assert screen["status_text"] == wording("%(year)d To confirm") % {"year": year}
    for field in FIELDS:
        assert screen["table"][field] == (want[field], want[field]), field
    assert screen["table"]["total"] == (want["total"], want["total"])
    # The manual's long labels, in its order (reinforced first).
    assert screen["labels"][3:6] == [
        wording("SIR - Reinforced individual surveillance"),
        wording("SIA - Adapted individual follow-up"),
        wording("SI - Simple individual surveillance"),
    ]
    # The hidden fields carry what is shown.
    assert screen["form"]["year"] == str(year)
    assert {field: int(screen["form"][field]) for field in FIELDS} == {
        field: want[field] for field in FIELDS
    }
    assert screen["form"]["csrf_token"]
    assert screen["confirmed_by"] is None and screen["invoice"] is None
    assert 'href="/employees/"' in screen["html"]  # update the list first
    with app.app_context():
        closes = db.session.scalar(select(Campaign.closes_on).where(Campaign.year == year))
    assert closes.strftime("%d/%m/%Y") in screen["html"]


def test_a_confirmed_declaration_shows_its_frozen_figures_not_todays(app, member):
    year = clock.today().year
    (frozen,) = declarations_of(app, "10250")
    add_employee(app, "10250", FollowUp.SIR, 3)
    want = expected_counts(app, "10250")

    screen = shown(member)

    assert screen["status"] == "confirmed"
    assert screen["status_text"] == wording("%(year)d Confirmed") % {"year": year}
    assert screen["table"]["sir"] == (want["sir"], frozen.sir_count)
    assert screen["table"]["sia"] == (want["sia"], frozen.sia_count)
    assert screen["table"]["si"] == (want["si"], frozen.si_count)
    assert screen["table"]["total"] == (want["total"], frozen.total)
    assert want["total"] == frozen.total + 3
    assert screen["form"] is None  # nothing to confirm
    assert screen["confirmed_by"] == wording("Confirmed on %(day)s by %(name)s") % {
        "day": frozen.confirmed_at.strftime("%d/%m/%Y"),
        "name": "Bernard BOULANGER",
    }
    with app.app_context():
        invoice = db.session.get(Invoice, frozen.invoice_id)
    assert invoice.number in screen["invoice"]
    assert f"{invoice.total:.2f}€".replace(".", ",") in re.sub(r"\s", "", screen["invoice"])
    assert screen["invoice_link"] == f"/invoices/{invoice.id}/pdf"
    # The history: this year's and last year's, newest first.
    assert [row["cells"]["year"] for row in screen["history"]] == [str(year), str(year - 1)]


def test_a_declaration_confirmed_by_the_service_says_so(app, member):
    with app.app_context():
        declaration = db.session.scalar(
            select(Declaration).where(
                Declaration.member_id == member_id(app, "10250"),
                Declaration.year == clock.today().year,
            )
        )
        declaration.confirmed_by_id = None
        db.session.commit()
        day = declaration.confirmed_at.strftime("%d/%m/%Y")
    screen = shown(member)
    assert screen["confirmed_by"] == wording("Confirmed on %(day)s by the service") % {"day": day}


def test_a_campaign_not_open_yet_says_so_and_offers_no_button(app):
    year = clock.today().year
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.year == year))
        campaign.opens_on = clock.today() + timedelta(days=3)
        campaign.closes_on = clock.today() + timedelta(days=40)
        db.session.commit()
    client = logged_in(app, "ets10251")
    screen = shown(client)
    assert screen["status"] == "not_open"
    assert screen["status_text"] == wording("Campaign %(year)d not open yet") % {"year": year}
    assert screen["form"] is None
    # A forged post is refused the same way, nothing saved.
    form = {"year": year, **expected_counts(app, "10251"), "csrf_token": csrf_token(screen["html"])}
    form.pop("total")
    response = client.post(CONFIRM, data=form)
    assert response.status_code == 302
    assert wording(MESSAGES["campaign_not_open"]) in alerts(client.get(PAGE).text)
    assert declarations_of(app, "10251") == []


# --- confirming ---------------------------------------------------------------------------------


def test_confirming_freezes_the_workforce_and_issues_one_invoice(app):
    client = logged_in(app, "ets10251")
    staff = workforce(app, "10251")
    want = expected_counts(app, "10251")
    before = len(invoices_of(app, "10251"))

    response = post_confirm(client)

    assert (response.status_code, response.location) == (302, PAGE)
    (declaration,) = declarations_of(app, "10251")
    assert (declaration.sir_count, declaration.sia_count, declaration.si_count) == (
        want["sir"],
        want["sia"],
        want["si"],
    )
    with app.app_context():
        snapshot = dict(
            db.session.execute(
                select(DeclarationEmployee.employee_id, DeclarationEmployee.category).where(
                    DeclarationEmployee.declaration_id == declaration.id
                )
            ).all()
        )
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10251"))
        campaign = db.session.scalar(select(Campaign).where(Campaign.year == clock.today().year))
        invoice = db.session.get(Invoice, declaration.invoice_id)
    assert snapshot == staff
    assert declaration.confirmed_by_id == user.id
    assert len(invoices_of(app, "10251")) == before + 1
    assert invoice.kind is InvoiceKind.INVOICE and invoice.campaign_id == campaign.id
    assert invoice.total == Decimal(want["total"]) * campaign.base_fee  # joined long ago
    assert invoice.number == f"{clock.today().year}-{counter(app):06d}"

    page = client.get(PAGE).text
    assert wording(CONFIRMED) in alerts(page)
    screen = shown(client)
    assert screen["status"] == "confirmed" and screen["form"] is None
    assert invoice.number in screen["invoice"]


def test_confirming_again_changes_nothing_and_says_it_was_done(app):
    client = logged_in(app, "ets10251")
    form = shown(client)["form"]
    assert post_confirm(client, form).status_code == 302
    again = post_confirm(client, form)
    assert again.status_code == 302
    assert wording(ALREADY) in alerts(client.get(PAGE).text)
    assert len(declarations_of(app, "10251")) == 1
    assert len([i for i in invoices_of(app, "10251") if i.issued_on == clock.today()]) == 1


@pytest.mark.parametrize(
    "change", ["added", "left", "category"], ids=["hired", "left", "category-changed"]
)
def test_a_workforce_changed_since_the_page_was_shown_is_refused(app, change):
    client = logged_in(app, "ets10251")
    form = shown(client)["form"]
    number_before, invoices_before = counter(app), len(invoices_of(app, "10251"))
    if change == "added":
        add_employee(app, "10251")
    else:
        with app.app_context():
            employee = db.session.get(Employee, next(iter(workforce(app, "10251"))))
            if change == "left":
                employee.contract_end_on = clock.today() - timedelta(days=1)
            else:
                employee.category = (
                    FollowUp.SIR if employee.category is not FollowUp.SIR else FollowUp.SI
                )
            db.session.commit()

    response = post_confirm(client, form)

    assert (response.status_code, response.location) == (302, PAGE)
    assert wording(MESSAGES["declaration_changed"]) in alerts(client.get(PAGE).text)
    assert declarations_of(app, "10251") == []
    assert len(invoices_of(app, "10251")) == invoices_before
    assert counter(app) == number_before  # no number spent
    with app.app_context():
        assert db.session.scalar(select(func.count(DeclarationEmployee.id))) == sum(
            d.total for d in db.session.scalars(select(Declaration))
        )
    # The page shows the new figures; confirming them works.
    assert post_confirm(client).status_code == 302
    assert len(declarations_of(app, "10251")) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"sir": "abc"},
        {"sia": "-1"},
        {"si": None},
        {"year": None},
        {"year": "deux mille"},
        {"si": "99999999999999999999999"},
        {"sir": "1.5"},
    ],
    ids=["letters", "negative", "missing", "no-year", "bad-year", "huge", "decimal"],
)
def test_a_forged_confirm_form_is_a_400_in_french_with_nothing_saved(app, changes):
    client = logged_in(app, "ets10251")
    response = post_confirm(client, **changes)
    assert response.status_code == 400
    assert wording(FORM_MESSAGE) in " ".join(response.text.split())
    assert declarations_of(app, "10251") == []


def test_a_form_of_another_year_is_refused(app):
    client = logged_in(app, "ets10251")
    response = post_confirm(client, year=str(clock.today().year - 1))
    assert response.status_code == 302
    assert wording(MESSAGES["campaign_not_open"]) in alerts(client.get(PAGE).text)
    assert declarations_of(app, "10251") == []
    assert len(declarations_of(app, "10251", clock.today().year - 1)) == 1  # untouched


def test_a_confirm_without_csrf_token_is_refused(app):
    client = logged_in(app, "ets10251")
    form = dict(shown(client)["form"])
    form.pop("csrf_token")
    assert client.post(CONFIRM, data=form).status_code == 400
    assert declarations_of(app, "10251") == []


# --- at once ------------------------------------------------------------------------------------


def test_two_tabs_confirming_at_once_give_one_declaration_and_one_invoice(app):
    client = logged_in(app, "ets10251")
    twin = same_session(app, client)
    form = shown(client)["form"]
    invoices_before = len(invoices_of(app, "10251"))
    number_before = counter(app)

    responses = at_once([lambda: post_confirm(client, form), lambda: post_confirm(twin, form)])

    assert [r.status_code for r in responses] == [302, 302]
    (declaration,) = declarations_of(app, "10251")
    assert len(invoices_of(app, "10251")) == invoices_before + 1
    assert counter(app) == number_before + 1  # one number, no gap
    with app.app_context():
        rows = db.session.scalar(
            select(func.count(DeclarationEmployee.id)).where(
                DeclarationEmployee.declaration_id == declaration.id
            )
        )
    assert rows == declaration.total
    shown_alerts = alerts(client.get(PAGE).text) + alerts(twin.get(PAGE).text)
    assert sorted(shown_alerts) == sorted([wording(CONFIRMED), wording(ALREADY)])


def test_two_users_of_one_member_confirming_at_once_give_one_invoice(app):
    reopen_10250(app)
    set_rights(app, "ets10250.2", "right.declaration")
    first, second = logged_in(app, "ets10250"), logged_in(app, "ets10250.2")
    forms = shown(first)["form"], shown(second)["form"]
    invoices_before = invoices_of(app, "10250")

    at_once([lambda: post_confirm(first, forms[0]), lambda: post_confirm(second, forms[1])])

    live = [d for d in declarations_of(app, "10250") if d.reopened_at is None]
    assert len(live) == 1
    new = [i for i in invoices_of(app, "10250") if i.id not in {j.id for j in invoices_before}]
    assert [i.kind for i in new] == [InvoiceKind.INVOICE]
    assert live[0].invoice_id == new[0].id


# --- reopened by the service --------------------------------------------------------------------


def test_a_reopened_declaration_is_to_confirm_again_with_its_history(app, member):
    reopen_10250(app)
    screen = shown(member)
    assert screen["status"] == "to_confirm" and screen["form"] is not None
    reopened = next(row for row in screen["history"] if row["cells"]["reopened"])
    assert "Effectif erroné : deux intérimaires comptés" in reopened["cells"]["reopened"]
    assert post_confirm(member).status_code == 302
    screen = shown(member)
    assert screen["status"] == "confirmed"
    years = [row["cells"]["year"] for row in screen["history"]]
    assert years.count(str(clock.today().year)) == 2


# --- rights -------------------------------------------------------------------------------------


def test_a_collaborator_without_the_declaration_right_neither_sees_nor_confirms(app):
    reopen_10250(app)  # something to confirm for 10250
    set_rights(app, "ets10250.2", "right.employees.read")
    client = logged_in(app, "ets10250.2")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client.get("/").text)
    form = {"year": clock.today().year, **expected_counts(app, "10250"), "csrf_token": token}
    assert client.post(CONFIRM, data=form).status_code == 403
    assert [d for d in declarations_of(app, "10250") if d.reopened_at is None] == []
    home = client.get("/").text
    assert 'href="/declaration/"' not in home
    assert "declaration" not in todo(client)


def test_a_collaborator_with_the_declaration_right_confirms(app):
    reopen_10250(app)
    set_rights(app, "ets10250.2", "right.declaration")
    client = logged_in(app, "ets10250.2")
    items = todo(client)
    assert items["declaration"]["url"] == PAGE
    screen = shown(client)
    assert screen["status"] == "to_confirm"
    assert screen["invoice_link"] is None  # no invoices right: no PDF link
    assert post_confirm(client).status_code == 302
    (live,) = [d for d in declarations_of(app, "10250") if d.reopened_at is None]
    with app.app_context():
        assert db.session.get(PortalUser, live.confirmed_by_id).username == "ets10250.2"
    assert "declaration" not in todo(client)


@pytest.mark.parametrize("username", ["gestion", "admin"])
def test_the_service_never_opens_the_portal_pages(app, username):
    client = logged_in(app, username)
    for url in (PAGE, "/invoices/"):
        assert client.get(url).status_code in (403, 404), url
    token = csrf_token(client.get("/").text)
    response = client.post(CONFIRM, data={"csrf_token": token, "year": "2026"})
    assert response.status_code in (403, 404)


# --- the home page ------------------------------------------------------------------------------


def test_the_home_asks_to_confirm_until_it_is_done(app):
    client = logged_in(app, "ets10251")
    item = todo(client)["declaration"]
    assert item["url"] == PAGE
    home = client.get("/").text
    year = clock.today().year
    assert wording("Your %(year)d workforce declaration is to confirm.") % {"year": year} in (
        " ".join(unescape(home).split())
    )
    assert 'href="/declaration/"' in home  # the section's card
    post_confirm(client)
    assert "declaration" not in todo(client)
    assert "declaration" not in todo(logged_in(app, "ets10250"))  # confirmed already


# --- statements ---------------------------------------------------------------------------------


def _grow_history(app, number: str, years: int) -> None:
    """Past declarations of the member, each with its invoice (years long gone)."""
    with app.app_context():
        member = db.session.get(Member, member_id(app, number))
        user = db.session.scalar(select(PortalUser).where(PortalUser.member_id == member.id))
        for year in range(2000, 2000 + years):
            declaration = Declaration(
                member_id=member.id,
                year=year,
                confirmed_at=datetime(year, 1, 20, 10, 0),
                confirmed_by_id=user.id,
                sir_count=1,
                sia_count=2,
                si_count=3,
            )
            db.session.add(declaration)
            db.session.flush()
            line = billing.Line("Cotisation", Decimal(6), Decimal("100.00"), Decimal(0))
            invoice = invoices.issue(member, [line], issued_on=clock.today() - timedelta(days=1))
            declaration.invoice_id = invoice.id
        db.session.commit()


@pytest.mark.parametrize("username", ["ets10251", "ets10250"])
def test_the_page_costs_the_same_statements_whatever_the_members_size(app, username):
    number = username.removeprefix("ets")
    client = logged_in(app, username)
    client.get("/")  # the first home page after the login asks the DUERP question or not
    shown(client)
    few = statements_of(app, lambda: client.get(PAGE))
    home_few = statements_of(app, lambda: client.get("/"))

    add_employee(app, number, FollowUp.SIR, 30)
    _grow_history(app, number, 15)

    screen = shown(client)
    assert len(screen["history"]) >= 16
    many = statements_of(app, lambda: client.get(PAGE))
    assert len(many) == len(few), (few, many)
    assert len(statements_of(app, lambda: client.get("/"))) == len(home_few)


def test_the_status_line_reads_like_the_manual_once_translated():
    """The msgids the status line uses keep their placeholders (a translation cannot drop the
    year)."""
    for msgid in ("%(year)d Confirmed", "%(year)d To confirm", "Campaign %(year)d not open yet"):
        assert re.search(r"%\(year\)d", wording(msgid))
