"""Back-office: the members' messages in Chromium (issue 12, "a Chromium test of a member sending
a message and staff answering it"): staff reach the queue from the home's figure, open a message
a member sent (a long word and markup in its text), answer it and close it; the member then reads
the answer in "Mes messages". The queue and the message fit a 390 px phone and 1280 px; axe finds
no serious violation on them."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import _listing, check
from tests.e2e.test_list_widths import DESKTOP, PHONE, assert_fits, log_in
from tests.views.test_contact_backoffice import _submit

pytestmark = pytest.mark.e2e

LONG_WORD = "y" * 300


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_staff_answer_a_member_message_and_the_member_reads_it(
    app, live_server, page, browser, viewport
):
    message_id = _submit(app, body=f"Première ligne\n{LONG_WORD}\n<b>gras</b>")
    page.set_viewport_size(viewport)
    log_in(page, live_server, "gestion")
    page.locator("#messages-to-handle a").first.click()
    page.wait_for_load_state()
    expect(page.locator(f"tr[data-id='{message_id}']")).to_be_visible()
    assert_fits(page)

    page.locator(f"tr[data-id='{message_id}'] td a").first.click()
    page.wait_for_load_state()
    expect(page.locator("#message-body")).to_contain_text("<b>gras</b>")
    assert_fits(page)

    page.fill("#body", f"Réponse du service {LONG_WORD}")
    page.select_option("#status_after", "done")
    page.click("#send-answer")
    page.wait_for_load_state()
    expect(page.locator("#message-thread li[data-from='service']")).to_have_count(1)
    expect(page.locator("#message-status")).to_have_class(re.compile(r"\blabel-success\b"))
    assert_fits(page)

    member = browser.new_context(locale="fr-FR").new_page()
    member.set_viewport_size(viewport)
    log_in(member, live_server)
    member.goto(f"{live_server}/messages/{message_id}")
    expect(member.locator("#thread")).to_contain_text("Réponse du service")
    member.context.close()


def test_the_queue_and_a_message_have_no_serious_violation(app, live_server, page):
    message_id = _submit(app)
    log_in(page, live_server, "gestion")

    report = check(
        page, live_server, ["/backoffice/messages/", f"/backoffice/messages/{message_id}"]
    )

    assert not report, _listing(report)
