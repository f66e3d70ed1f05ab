"""The workforce declaration and its invoice in Chromium (issue 11; manual, chapters 8
"Déclaration d'effectifs" and 10 "Factures"): the administrator of 10251 opens «Déclaration»
from the home page, confirms (accepting the question), reads «Confirmé», then downloads the
invoice's PDF from Documents > Factures; the PDF's text holds the member number, the invoice
number and the total. Both pages fit a 1280 px screen and a 390 px phone."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.billing import Campaign, Declaration, Invoice
from app.models.member import Member
from app.services import declarations
from tests.e2e.test_list_widths import DESKTOP, PHONE, assert_fits, assert_inside, log_in

pytestmark = pytest.mark.e2e


def _declaration_of_10251(app):
    with app.app_context():
        return db.session.scalar(
            select(Declaration)
            .join(Member, Member.id == Declaration.member_id)
            .where(Member.number == "10251", Declaration.year == clock.today().year)
        )


def _figures(app) -> tuple[int, Decimal]:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10251"))
        counts = declarations.current_counts(member.id, clock.today())
        fee = db.session.scalar(
            select(Campaign.base_fee).where(Campaign.year == clock.today().year)
        )
    return counts.total, fee


def test_a_member_confirms_and_downloads_its_invoice(app, live_server, page: Page, tmp_path):
    page.set_viewport_size(DESKTOP)
    total, fee = _figures(app)
    log_in(page, live_server, "ets10251")
    page.goto(f"{live_server}/")
    page.locator(".portal-sections a[href='/declaration/']").click()
    expect(page).to_have_url(f"{live_server}/declaration/")
    expect(page.locator("#declaration-status")).to_have_attribute("data-status", "to_confirm")
    expect(page.locator("tr.total td.declared")).to_have_text(str(total))
    assert_fits(page)

    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.wait_for_load_state("load")  # the confirmation's script is in place (a busy machine)
    page.click("#confirm-declaration")
    expect(page.locator("#declaration-status")).to_have_attribute("data-status", "confirmed")
    # The msgid until the lead merges .tr/portal.po into the catalogue.
    expect(page.locator("#declaration-status")).to_have_text(re.compile("Confirmé|Confirmed"))
    assert questions and str(total) in questions[0]
    expect(page.locator("#confirm-declaration")).to_have_count(0)

    declaration = _declaration_of_10251(app)
    assert declaration is not None and declaration.total == total
    with app.app_context():
        invoice = db.session.get(Invoice, declaration.invoice_id)
    assert invoice.total == total * fee
    expect(page.locator("#declaration-invoice")).to_contain_text(invoice.number)

    page.goto(f"{live_server}/documents/")
    page.click("#tab-invoices")
    expect(page).to_have_url(f"{live_server}/invoices/")
    row = page.locator(f"tr[data-invoice='{invoice.id}']")
    expect(row.locator(".number")).to_contain_text(invoice.number)
    with page.expect_download() as download_info:
        row.locator("a.download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = " ".join(p.extract_text() for p in PdfReader(target).pages)
    plain = re.sub(r"\s", "", text)
    assert "10251" in text and invoice.number in text
    assert f"{invoice.total:,.2f}".replace(",", "").replace(".", ",") in plain, text


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_declaration_and_the_invoices_fit_the_screen(app, live_server, page: Page, size):
    page.set_viewport_size(size)
    log_in(page, live_server, "ets10251")
    page.goto(f"{live_server}/declaration/")
    expect(page.locator("#declaration-table")).to_be_visible()
    assert_fits(page)
    assert_inside(page, "#confirm-declaration")
    assert_inside(page, "#declaration-table td.declared", minimum=4)
    assert_inside(page, "#declaration-history tr[data-declaration] td.invoice", minimum=1)
    page.goto(f"{live_server}/invoices/")
    expect(page.locator("tr[data-invoice]").first).to_be_visible()
    assert_fits(page)
    assert_inside(page, "tr[data-invoice] a.download", minimum=2)
    assert_inside(page, "tr[data-invoice] td.status", minimum=2)
    assert_inside(page, "#payment-info")
