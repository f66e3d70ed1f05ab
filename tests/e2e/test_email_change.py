"""The e-mail change in Chromium, on a phone (390 px) and on a desktop (1280 px): the profile asks
for the current password, says a link was sent, shows the pending address; the link from the mail
(a real SMTP server) opens a confirmation page whose button makes it the account's address."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORDS
from tests.mail_server import smtp  # noqa: F401 - a real SMTP server, as a fixture

pytestmark = pytest.mark.e2e

NEW = "bernard.boulanger@compta-demo.example"
LINK = re.compile(r"https?://\S+/access/confirm-email/\S+")


@pytest.mark.parametrize("width", [390, 1280])
def test_new_address_is_confirmed_from_the_mailed_link(live_server, page, smtp, app, width):  # noqa: F811
    app.config["PORTAL_URL"] = live_server
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/login/")
    page.fill("input[name=username]", "ets10250")
    page.fill("input[name=password]", PASSWORDS["ets10250"])
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/profile/")

    page.fill("input[name=email]", NEW)
    page.click(".panel-body form[method=post] button[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("mot de passe actuel")

    page.fill("input[name=email]", NEW)
    page.fill("input[name=current_password]", PASSWORDS["ets10250"])
    page.click(".panel-body form[method=post] button[type=submit]")
    expect(page.locator(".alert-info").first).to_contain_text(NEW)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    mails = {tuple(rcpt): mail for rcpt, mail in smtp.wait(2)}
    link = LINK.search(mails[(NEW,)].get_content()).group(0)
    page.goto(link)
    expect(page.locator("body")).to_contain_text(NEW)
    page.click(".panel-body form[method=post] button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("confirmée")
    page.goto(f"{live_server}/profile/")
    expect(page.locator("input[name=email]")).to_have_value(NEW)
