"""The DUERP from login to receipt in Chromium (issue 10; manual, "Déposer votre DUERP"): the
member's administrator logs in and meets the DUERP question before the home page, answers «Oui»
(date, action plan, add now), lands on the document form with the DUERP class preset and its own
member shown read-only, chooses a real PDF and sends it; the document is listed. Staff acknowledge
it from the back-office inbox; at the next login the member reads «reçu par le service le …».
Also: without JavaScript every question is there, and the screen fits a 390 px wide phone."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import clock
from app.demo.documents import pdf
from app.domain.dates import format_date
from app.extensions import db
from app.models.document import Document, DuerpAnswer
from app.models.member import Member
from app.services import documents
from tests.e2e.test_accessibility import blocking_violations
from tests.e2e.test_login_home import log_in
from tests.views.test_duerp_prompt import age_duerp_deposits

pytestmark = pytest.mark.e2e

MEMBER = ("ets10250", "Adherent-demo-2026")
STAFF = ("gestion", "Gestion-demo-2026")
INBOX = "/backofficedocumentinboxview/list/"
DESCRIPTION = "DUERP mis à jour en mars"


@pytest.fixture(autouse=True)
def duerp_due(app):
    age_duerp_deposits(app)


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def the_duerp_class(app) -> tuple[int, str]:
    with app.app_context():
        found = documents.duerp_class()
        return found.id, found.label


def deposited(app) -> list[Document]:
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        return list(
            db.session.scalars(
                select(Document).where(
                    Document.member_id == member_id, Document.description == DESCRIPTION
                )
            )
        )


def test_duerp_from_the_login_question_to_the_receipt(app, live_server, page: Page, tmp_path):
    class_id, class_label = the_duerp_class(app)
    file = tmp_path / "DUERP-2026.pdf"
    file.write_bytes(pdf("Document unique", "Boulangerie Demo", "Mise à jour de mars 2026"))

    log_in(page, live_server, *MEMBER)
    expect(page).to_have_url(re.compile(r"/duerp/$"))
    expect(page.locator("h1")).to_have_text("DUERP")
    expect(page.locator("#duerp-yes")).to_be_hidden()  # until «Oui»
    page.check("input[name=has_duerp][value=yes]")
    expect(page.locator("#duerp-yes")).to_be_visible()
    page.fill("input[name=updated_on]", "15/03/2026")
    page.check("input[name=has_action_plan][value=yes]")
    page.check("input[name=add_now][value=yes]")
    page.click("#duerp-send")

    expect(page).to_have_url(re.compile(r"/documents/new\?duerp=1$"))
    expect(page.locator("select[name=class_id]")).to_have_value(str(class_id))
    expect(page.locator("select[name=class_id] option:checked")).to_have_text(class_label)
    expect(page.locator("#member")).to_contain_text("10250")
    expect(page.locator("input[name=member_id], select[name=member_id]")).to_have_count(0)
    page.set_input_files("input[name=file]", str(file))
    page.fill("textarea[name=description]", DESCRIPTION)
    page.click("#send-document")

    page.goto(f"{live_server}/documents/")
    [document] = deposited(app)
    row = page.locator(f"#document-{document.id}")
    expect(row).to_contain_text(DESCRIPTION)
    expect(row).not_to_contain_text("reçu par le service")
    with app.app_context():
        answer = db.session.scalars(select(DuerpAnswer).order_by(DuerpAnswer.id.desc())).first()
        assert (answer.has_duerp, format_date(answer.updated_on), answer.has_action_plan) == (
            True,
            "15/03/2026",
            True,
        )

    log_out(page)
    log_in(page, live_server, *STAFF)
    page.goto(f"{live_server}{INBOX}")
    page.check(f"input.action_check[value='{document.id}']")
    page.click("button.dropdown-toggle:has-text('Actions')")
    with page.expect_navigation():  # FAB's script posts the action form
        page.click(".acknowledge_menu_item")
    expect(page.locator(".alert-success")).to_be_visible()
    with app.app_context():
        assert db.session.get(Document, document.id).acknowledged_at is not None

    log_out(page)
    log_in(page, live_server, *MEMBER)
    # A DUERP deposited today: not asked any more, the home page comes first.
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto(f"{live_server}/documents/")
    today = format_date(clock.today())
    expect(page.locator(f"#document-{document.id}")).to_contain_text(
        f"reçu par le service le {today}"
    )


def test_without_javascript_every_question_is_there(app, live_server, browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, *MEMBER)
        expect(page).to_have_url(re.compile(r"/duerp/$"))
        for name in ("has_duerp", "has_action_plan", "add_now"):
            expect(page.locator(f"input[name={name}][value=yes]")).to_be_visible()
        page.check("input[name=has_duerp][value=no]")
        page.fill("input[name=updated_on]", "pas une date")  # ignored after «Non»
        page.click("#duerp-send")
        expect(page).to_have_url(re.compile(r"/$"))
    finally:
        context.close()
    with app.app_context():
        answer = db.session.scalars(select(DuerpAnswer).order_by(DuerpAnswer.id.desc())).first()
        assert answer.has_duerp is False


def test_the_question_fits_a_phone(app, live_server, browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, *MEMBER)
        expect(page).to_have_url(re.compile(r"/duerp/$"))
        page.check("input[name=has_duerp][value=yes]")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide"
        for selector in ("#duerp-send", "#duerp-later", "input[name=updated_on]"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        page.click("#duerp-later")
        expect(page).to_have_url(re.compile(r"/$"))
    finally:
        context.close()


def test_the_question_has_no_serious_accessibility_violation(app, live_server, page: Page):
    log_in(page, live_server, *MEMBER)
    expect(page).to_have_url(re.compile(r"/duerp/$"))
    page.check("input[name=has_duerp][value=yes]")
    page.click("#duerp-send")  # no date: the errors are shown on their questions
    expect(page.locator(".has-error").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page) == []
