"""Portal: "Contactez-nous" in Chromium (issue 12): from the home's section, the type chosen in
the list opens its form (the list submits itself: app/static/js/lists.js), the message is sent
and shown with its thread; the page, the message and "Mes messages" fit a 390 px phone and
1280 px, a long word in the text included."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models.contact import ContactKind, ContactType
from tests.e2e.test_accessibility import _listing, check
from tests.e2e.test_list_widths import DESKTOP, PHONE, assert_fits, log_in
from tests.views.test_contact_portal import make_message

pytestmark = pytest.mark.e2e

LONG_WORD = "x" * 300


def general_type(app) -> str:
    with app.app_context():
        return db.session.scalar(
            select(ContactType.code)
            .where(ContactType.kind == ContactKind.GENERAL, ContactType.is_active.is_(True))
            .order_by(ContactType.position)
            .limit(1)
        )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_member_sends_a_message_and_reads_it(app, live_server, page, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server)
    page.locator(".portal-section a[href='/contact/']").click()
    page.wait_for_load_state()
    assert_fits(page)

    with page.expect_navigation():
        page.select_option("#contact-type", general_type(app))
    expect(page.locator("#contact-form")).to_be_visible()
    assert_fits(page)

    page.fill("#subject", "Question " + LONG_WORD)
    page.fill("#body", f"Première ligne\n{LONG_WORD}\n<script>alert(1)</script>")
    page.click("#send-message")
    page.wait_for_load_state()
    expect(page.locator("#message-text")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#message-text")).to_contain_text("Première ligne")
    assert_fits(page)

    page.fill("#reply", "Un complément")
    page.click("#send-reply")
    page.wait_for_load_state()
    expect(page.locator("#thread .reply")).to_have_count(1)
    assert_fits(page)

    page.click("#back-to-list")
    page.wait_for_load_state()
    expect(page.locator("tr[data-message]").first).to_contain_text("Question")
    assert_fits(page)


def test_the_pages_have_no_serious_accessibility_violation(app, live_server, page):
    message_id = make_message(app, "ets10250", "Accessibilité")
    with app.app_context():
        codes = db.session.scalars(
            select(ContactType.code).where(ContactType.is_active.is_(True))
        ).all()
    log_in(page, live_server)
    paths = ["/contact/", *(f"/contact/?type={code}" for code in codes), "/messages/"]
    report = check(page, live_server, [*paths, f"/messages/{message_id}"])
    assert not report, "\n" + _listing(report)
