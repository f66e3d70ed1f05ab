"""First connection in Chromium: from the login page's link, the provisional credentials of the
letter (member 10252, INTERIM DEMO), then the administrator's account, then a login with the new
identifier onto the portal home."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.views.test_access import ACCOUNT_CREATED, french

pytestmark = pytest.mark.e2e

PROVISIONAL = ("10252", "Provisoire-10252")
USERNAME = "agence.interim"
PASSWORD = "Trois chouettes lisent Proust sous la pluie"
LOGIN_PATH = re.compile(r"/login/?(\?.*)?$")


def submit(page: Page) -> None:
    page.click(".panel-body form[method=post] button[type=submit]")
    page.wait_for_load_state()


def test_first_connection_creates_the_administrator_who_logs_in(live_server, page):
    page.goto(f"{live_server}/login/")
    page.click("#first-connection")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/access/first-connection")

    # Step 1: the letter's provisional credentials.
    page.fill("input[name=identifier]", PROVISIONAL[0])
    page.fill("input[name=password]", PROVISIONAL[1])
    submit(page)
    expect(page).to_have_url(f"{live_server}/access/first-connection/account")
    expect(page.locator("body")).to_contain_text("INTERIM DEMO")

    # Step 2: the portal administrator.
    page.fill("input[name=last_name]", "DURAND")
    page.fill("input[name=first_name]", "Sophie")
    page.fill("input[name=email]", "sophie.durand@interim-demo.example")
    page.fill("input[name=phone]", "03 22 00 00 03")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    submit(page)
    expect(page).to_have_url(LOGIN_PATH)
    success = page.locator(".alert-success")
    expect(success).to_be_visible()
    created_message = " ".join(success.inner_text().replace("×", " ").split())

    # Login with the new identifier: at the first connection the DUERP question (manual,
    # "Déposer votre DUERP"; 10252 has none), then, «Plus tard», the member's home.
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/duerp/")
    page.click("button[name=later]")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("body")).to_contain_text("INTERIM DEMO")
    expect(page.locator("body")).to_contain_text("10252")
    assert page.locator(".portal-section").count() >= 2
    expect(page.locator("form.navbar-logout")).to_have_count(1)

    assert french(ACCOUNT_CREATED) in created_message
