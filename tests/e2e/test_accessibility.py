"""Accessibility of the main pages (issue 9, "Accessibility"; RGAA, the French public sector's
reference built on WCAG 2.1 AA): axe-core runs in Chromium on each page, for each role that uses
it, and no serious or critical violation is allowed (the rule ids, their help and the elements are
printed on failure). Keyboard use of the skip link, the menus and the confirmation dialog is
checked too."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORDS

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}

ANONYMOUS = [
    "/login/",
    "/access/first-connection",
    "/access/forgot-password",
    "/legal/mentions-legales",
    "/legal/donnees-personnelles",
]
MEMBER = [
    "/",
    "/portalcompanyview/mine/",
    "/employees/",
    "/employees/new",
    "/employees/{employee}",
    "/visit-requests/",
    "{visit_form}",
    "/reports/",
    "/reports/workforce",
    "/declaration/",
    "/invoices/",
    "/profile/",
    "/company-users/",
    "/company-users/new",
    "/centres/",
]
STAFF = [
    "/",
    "/backofficememberview/list/",
    "/backofficememberview/edit/1",
    "/backofficememberview/add",
    "/backofficevisitrequestview/list/",
    # Striped lists with links on grey rows (the link colour's contrast there, RGAA 3.2).
    "/backoffice/invoices/",
    "/backoffice/campaigns/",
    "/backoffice/jobs/",  # issue 13
]

ADMIN = ["/users/list/", "/users/edit/1", "/roles/list/", "/adminoutboxview/list/"]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{base}/")


def blocking_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    return found


def check(page: Page, base: str, paths: list[str], **ids) -> dict[str, list[str]]:
    report = {}
    for path in paths:
        response = page.goto(base + path.format(**ids))
        if response is None or response.status != 200:
            report[path] = [f"HTTP {response and response.status}"]
            continue
        page.wait_for_load_state("networkidle")
        report[path] = blocking_violations(page)
    return {path: found for path, found in report.items() if found}


def _listing(report: dict) -> str:
    return "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in report.items())


def test_public_pages_have_no_serious_violation(live_server, page):
    report = check(page, live_server, ANONYMOUS)
    # The first connection's second step, after the letter's provisional credentials.
    page.goto(f"{live_server}/access/first-connection")
    page.fill("input[name=identifier]", "10252")
    page.fill("input[name=password]", "Provisoire-10252")
    page.click(".panel-body form[method=post] button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(f"{live_server}/access/first-connection/account")
    if found := blocking_violations(page):
        report["/access/first-connection/account"] = found
    assert not report, "\n" + _listing(report)


def test_member_pages_have_no_serious_violation(live_server, page):
    log_in(page, live_server, "ets10250")
    page.goto(f"{live_server}/employees/")
    href = page.locator("table a[href*='/employees/']").first.get_attribute("href")
    employee = href.rstrip("/").rsplit("/", 1)[-1]
    visit_form = page.locator("a.request-visit").first.get_attribute("href")
    report = check(page, live_server, MEMBER, employee=employee, visit_form=visit_form)
    assert not report, "\n" + _listing(report)


def test_staff_pages_have_no_serious_violation(live_server, page):
    log_in(page, live_server, "gestion")
    report = check(page, live_server, STAFF)
    assert not report, "\n" + _listing(report)


def test_administrator_pages_have_no_serious_violation(live_server, page):
    log_in(page, live_server, "admin")
    report = check(page, live_server, ADMIN)
    assert not report, "\n" + _listing(report)


def test_the_skip_link_and_the_user_menu_work_with_the_keyboard(live_server, page):
    log_in(page, live_server, "ets10250")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

    toggle = page.locator("a.dropdown-toggle:has(.fa-user)")
    toggle.focus()
    page.keyboard.press("Enter")
    logout = page.locator("form.navbar-logout button[type=submit]")
    expect(logout).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(logout).to_be_hidden()


def test_the_confirmation_dialog_works_with_the_keyboard(live_server, page):
    """FAB's delete button opens its confirmation dialog: focus goes into it, Tab stays in it,
    Escape closes it without deleting and gives focus back to the button."""
    log_in(page, live_server, "gestion")
    page.goto(f"{live_server}/backofficecentreview/list/")
    rows = page.locator("table tbody tr").count()
    delete = page.locator("a.confirm").first
    delete.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#modal-confirm")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".modal-footer .btn").first).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate(
        "document.getElementById('modal-confirm').contains(document.activeElement)"
    )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    assert page.locator("table tbody tr").count() == rows
