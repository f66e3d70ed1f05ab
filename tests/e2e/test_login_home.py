"""Log in through the real login form in Chromium: a member's portal home and company page, the
back-office home and member list for staff, and a refused wrong password."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

MEMBER = ("ets10250", "Adherent-demo-2026")
STAFF = ("gestion", "Gestion-demo-2026")
LOGIN_PATH = re.compile(r"/login/?(\?.*)?$")


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()


def test_member_logs_in_sees_home_and_company_then_logs_out(live_server, page):
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))

    log_in(page, live_server, *MEMBER)

    # The portal home.
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("body")).to_contain_text("BOULANGERIE DEMO")
    expect(page.locator("body")).to_contain_text("10250")
    assert page.locator(".portal-section").count() >= 2
    welcome = page.locator("h2").first.inner_text()  # checked last: needs the French catalogue

    # The company section: identity and health team.
    company = page.locator(".portal-section").filter(has_text=re.compile("Entreprise|Company"))
    company.locator(".panel-title a").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("10250000600014")
    expect(page.locator(".health-team")).to_contain_text("Équipe Amiens Siège 1")

    # Logout through the navbar dropdown (Bootstrap's JS must run under the CSP).
    page.locator(".navbar a.dropdown-toggle", has=page.locator(".fa-user")).click()
    logout = page.locator("form.navbar-logout button[type=submit]")
    expect(logout).to_be_visible()
    logout.click()
    page.wait_for_load_state()
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("form.navbar-logout")).to_have_count(0)

    csp_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp_errors, f"CSP violations in the console: {csp_errors}"

    # French by default (the browser asks for nothing else: the app's default locale is fr).
    assert "Bienvenue" in welcome, f"home page heading not in French: {welcome!r}"


def test_staff_logs_in_and_lists_members(live_server, page):
    log_in(page, live_server, *STAFF)

    expect(page).to_have_url(f"{live_server}/")
    members_link = page.locator(".list-group a.list-group-item", has=page.locator(".fa-building"))
    expect(members_link).to_be_visible()
    expect(page.locator(".portal-section")).to_have_count(0)

    members_link.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/list/"))
    for number in ("10250", "10251", "10252"):
        expect(page.get_by_role("cell", name=number, exact=True)).to_be_visible()


def test_wrong_password_is_refused(live_server, page):
    log_in(page, live_server, MEMBER[0], "not-the-password")

    expect(page).to_have_url(LOGIN_PATH)
    expect(page.locator(".alert")).to_contain_text(re.compile("password|mot de passe", re.I))
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("form.navbar-logout")).to_have_count(0)
