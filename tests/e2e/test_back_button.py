"""The browser's Back after the first connection and after logout (issue 9, "No feedback, lost
place"): it lands on the login page with a short French message, never on "Erreur 404" or
"Accès refusé"; logout says so."""

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORDS

pytestmark = pytest.mark.e2e

PROVISIONAL = ("10252", "Provisoire-10252")
LOGIN_PATH = re.compile(r"/login/?(\?.*)?$")
STEP_OVER = (
    "This step is over: the account is already created, or the first connection was not "
    "started. Log in with your identifier, or start the first connection again."
)


def french(app, msgid: str) -> str:
    with app.test_request_context(), force_locale("fr"):
        return gettext(msgid)


def _submit(page: Page) -> None:
    page.click(".panel-body form[method=post] button[type=submit]")
    page.wait_for_load_state()


def _alerts(page: Page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_back_after_logout_asks_to_log_in_again(app, live_server, page):
    page.goto(f"{live_server}/login/")
    page.fill("input[name=username]", "ets10250")
    page.fill("input[name=password]", PASSWORDS["ets10250"])
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/employees/")
    expect(page.locator("main")).to_be_visible()

    page.click("a.dropdown-toggle:has(.fa-user)")
    page.click("form.navbar-logout button[type=submit]")
    page.wait_for_load_state()
    expect(page).to_have_url(LOGIN_PATH)
    logged_out = _alerts(page)

    page.go_back()  # the employee list, asked again of the server (no-store): not shown
    page.wait_for_load_state()
    expect(page).to_have_url(LOGIN_PATH)
    again = _alerts(page)
    body = page.locator("body").inner_text()

    assert french(app, "You are logged out.") in logged_out
    assert french(app, "You are logged out. Log in to open this page.") in again
    assert "Accès refusé" not in body and "Erreur" not in body
    assert page.locator("table.employees").count() == 0


def test_back_after_the_first_connection_goes_to_the_login_page(app, live_server, page):
    page.goto(f"{live_server}/access/first-connection")
    page.fill("input[name=identifier]", PROVISIONAL[0])
    page.fill("input[name=password]", PROVISIONAL[1])
    _submit(page)
    page.fill("input[name=last_name]", "DURAND")
    page.fill("input[name=first_name]", "Sophie")
    page.fill("input[name=email]", "sophie.durand@interim-demo.example")
    page.fill("input[name=phone]", "03 22 00 00 03")
    page.fill("input[name=username]", "agence.interim")
    page.fill("input[name=password]", "Trois chouettes lisent Proust sous la pluie")
    page.fill("input[name=confirm]", "Trois chouettes lisent Proust sous la pluie")
    _submit(page)
    expect(page).to_have_url(LOGIN_PATH)

    page.go_back()  # the account step, which is over
    page.wait_for_load_state()
    expect(page).to_have_url(LOGIN_PATH)
    body = page.locator("body").inner_text()

    assert "404" not in body and "Erreur" not in body
    assert french(app, STEP_OVER) in _alerts(page)
