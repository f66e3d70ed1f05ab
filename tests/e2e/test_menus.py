"""The menus in Chromium at 1280 px (issue 9: "The administrator's menu wraps over three lines and
its portal entries lead to 404"): the administrator's and the staff's navigation bar holds on one
line and has no portal entry; a member still has its portal entries, and the staff's dashboard
leads to the queue it counts."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login_home import log_in

pytestmark = pytest.mark.e2e

USERS = {
    "admin": ("admin", "Admin-demo-2026"),
    "gestion": ("gestion", "Gestion-demo-2026"),
    "ets10250": ("ets10250", "Adherent-demo-2026"),
}
PORTAL_PATHS = re.compile(
    r"^/(portalcompanyview|employees|visit-requests|declaration|documents|invoices|reports"
    r"|company-users)/"
)


def navbar(page: Page) -> dict:
    """The bar's height, the height of one of its entries, and its entries' links."""
    return page.evaluate(
        """() => {
            const bar = document.querySelector('nav.navbar');
            const entries = [...bar.querySelectorAll('.navbar-nav > li')];
            const tops = new Set(entries.map(li => Math.round(li.getBoundingClientRect().top)));
            return {
                height: bar.getBoundingClientRect().height,
                entry: entries[0].getBoundingClientRect().height,
                rows: tops.size,
                brandTop: Math.round(
                    bar.querySelector('.navbar-brand').getBoundingClientRect().top),
                firstTop: Math.min(...tops),
                links: [...bar.querySelectorAll('.navbar-nav a[href]')]
                    .map(a => new URL(a.href).pathname),
            };
        }"""
    )


@pytest.mark.parametrize("username", ["admin", "gestion"])
def test_the_service_menu_fits_one_line_without_portal_entries(live_server, page, username):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, *USERS[username])
    expect(page.locator(".staff-dashboard")).to_be_visible()

    bar = navbar(page)

    assert bar["rows"] == 1, bar
    assert bar["height"] < 2 * bar["entry"], bar  # one line: the bar is one entry high
    assert bar["brandTop"] <= bar["firstTop"] + bar["entry"], bar  # the brand on the same line
    assert not [link for link in bar["links"] if PORTAL_PATHS.match(link)], bar["links"]
    assert any(link.startswith("/backofficememberview/") for link in bar["links"])


def test_a_member_keeps_its_portal_menu(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, *USERS["ets10250"])
    expect(page.locator(".portal-todo")).to_be_visible()

    bar = navbar(page)

    portal = {link for link in bar["links"] if PORTAL_PATHS.match(link)}
    assert len(portal) == 8, bar["links"]
    assert not [link for link in bar["links"] if link.startswith("/backoffice")]
    assert bar["rows"] == 1, bar


def test_staff_go_from_the_dashboard_to_the_queue_it_counts(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, *USERS["gestion"])
    total = page.locator("tfoot td[data-status=total] a")
    count = int(total.inner_text())
    assert count > 0

    total.click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(r"/backofficevisitrequestview/list/"))
    expect(page.locator("body")).to_contain_text(re.compile(rf":\s*{count}\b"))
