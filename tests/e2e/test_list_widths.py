"""The portal's lists fit the screen (issue 9, "The employee list does not fit"): at 1280 px the
workforce list shows its daily columns without horizontal scrolling, and a "Colonnes" chooser adds
the others; on a 390 px phone the visit requests, the profiles, the workforce and the reports keep
their action buttons inside the screen. Measured in Chromium: the page's scroll width against the
window's, and the bounding boxes of the columns and buttons."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORDS

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DAILY_COLUMNS = ("last_name", "first_name", "work_post", "category", "establishment")
DUE_COLUMNS = ("next_due_on", "last_exam_on")


def log_in(page: Page, base_url: str, username: str = "ets10250") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()


def widths(page: Page) -> tuple[int, int]:
    """(the document's scroll width, the window's inner width)."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def assert_fits(page: Page) -> None:
    scroll, inner = widths(page)
    assert scroll <= inner, f"{page.url}: the page is {scroll} px wide in a {inner} px window"


def assert_no_inner_scroll(page: Page, table: str) -> None:
    """The table fits its scrolling wrapper (.table-responsive): no hidden columns to scroll to."""
    scroll, client = page.evaluate(
        f"(() => {{ const box = document.querySelector('{table}').parentElement;"
        " return [box.scrollWidth, box.clientWidth]; })()"
    )
    assert scroll <= client, f"{table} is {scroll} px wide in a {client} px box"


def assert_inside(page: Page, selector: str, minimum: int = 1) -> None:
    """Every element matching `selector` lies within the window, horizontally."""
    inner = page.evaluate("window.innerWidth")
    boxes = [box for box in (e.bounding_box() for e in page.locator(selector).all()) if box]
    assert len(boxes) >= minimum, f"{selector}: {len(boxes)} visible, {minimum} expected"
    outside = [box for box in boxes if box["x"] < 0 or box["x"] + box["width"] > inner]
    assert not outside, f"{selector}: {len(outside)} of {len(boxes)} outside the window"


def test_the_workforce_fits_1280px_with_its_daily_columns(app, live_server, page):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server)
    page.goto(f"{live_server}/employees/")
    expect(page.locator("tr[data-employee]")).to_have_count(25)

    assert_fits(page)
    assert_no_inner_scroll(page, "table.employees")
    table = page.locator("table.employees").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= DESKTOP["width"]
    for key in (*DAILY_COLUMNS, *DUE_COLUMNS):
        assert_inside(page, f"table.employees th[data-col={key}]")
        assert_inside(page, f"tr[data-employee] td.{key}", minimum=25)
    assert_inside(page, "tr[data-employee] a.details", minimum=25)
    # The category keeps its change marker; the NIR is not a daily column.
    assert page.locator("table.employees th[data-col=nir]").count() == 0


def test_columns_chosen_are_kept_by_pages_sorts_and_filters(app, live_server, page):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server)
    page.goto(f"{live_server}/employees/?size=10")
    page.click("#columns-chooser summary")
    page.check("#columns-chooser input[value=birth_date]")
    page.check("#columns-chooser input[value=hired_on]")
    page.click("#apply-columns")
    page.wait_for_load_state()
    expect(page.locator("th[data-col=birth_date]")).to_have_count(1)
    expect(page.locator("tr[data-employee] td.hired_on")).to_have_count(10)
    assert_fits(page)

    page.click("a.sort-link[href*='sort=birth_date']")  # a sort keeps them
    page.wait_for_load_state()
    expect(page.locator("th[data-col=hired_on]")).to_have_count(1)
    page.locator("ul.pagination a", has_text="2").first.click()  # so does a page
    page.wait_for_load_state()
    expect(page.locator("th[data-col=hired_on]")).to_have_count(1)
    page.fill("input[name=f_first_name]", "a")  # and a filter
    page.press("input[name=f_first_name]", "Enter")
    page.wait_for_load_state()
    expect(page.locator("th[data-col=birth_date]")).to_have_count(1)
    page.goto(f"{live_server}/employees/")  # the session remembers the choice
    expect(page.locator("th[data-col=hired_on]")).to_have_count(1)
    assert_fits(page)

    page.click("#columns-chooser summary")
    expect(page.locator("#apply-columns")).to_be_visible()
    page.keyboard.press("Escape")  # closes the chooser, like a click elsewhere
    expect(page.locator("#apply-columns")).to_be_hidden()
    page.click("#columns-chooser summary")
    page.uncheck("#columns-chooser input[value=birth_date]")
    page.uncheck("#columns-chooser input[value=hired_on]")
    page.click("#apply-columns")
    page.wait_for_load_state()
    expect(page.locator("th[data-col=hired_on]")).to_have_count(0)
    expect(page.locator("th[data-col=establishment]")).to_have_count(1)


def test_every_column_at_once_still_fits_1280px(app, live_server, page):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server)
    page.goto(f"{live_server}/employees/")
    page.click("#columns-chooser summary")
    for box in page.locator("#columns-chooser input[type=checkbox][name=cols]").all():
        box.check()
    page.click("#apply-columns")
    page.wait_for_load_state()
    expect(page.locator("th[data-col=nir]")).to_have_count(1)
    expect(page.locator("table.employees thead tr:first-child th")).to_have_count(13)
    assert_fits(page)
    assert_no_inner_scroll(page, "table.employees")
    assert_inside(page, "tr[data-employee] a.details", minimum=25)


def test_the_workforce_on_a_phone_keeps_its_buttons_reachable(app, live_server, page):
    page.set_viewport_size(PHONE)
    log_in(page, live_server)
    page.goto(f"{live_server}/employees/")
    assert_fits(page)
    assert_inside(page, "tr[data-employee] a.details", minimum=25)
    assert_inside(page, "#export-xlsx")
    # The table scrolls in its box; its first column (the buttons) stays in view.
    page.evaluate("document.querySelector('table.employees').parentElement.scrollLeft = 10000")
    assert page.evaluate("document.querySelector('table.employees').parentElement.scrollLeft") > 0
    assert_inside(page, "tr[data-employee] a.details", minimum=25)
    assert_fits(page)


def test_visit_requests_on_a_phone_keep_their_buttons_inside_the_screen(app, live_server, page):
    page.set_viewport_size(PHONE)
    log_in(page, live_server)
    page.goto(f"{live_server}/visit-requests/")
    expect(page.locator("tr[data-request]").first).to_be_visible()
    assert_fits(page)
    assert_inside(page, "tr[data-request] button, tr[data-request] a.btn")
    assert_inside(page, "tr[data-request] td.status")


def test_profiles_on_a_phone_keep_their_buttons_inside_the_screen(app, live_server, page):
    page.set_viewport_size(PHONE)
    log_in(page, live_server)
    page.goto(f"{live_server}/company-users/")
    expect(page.locator("tr[data-username]")).to_have_count(2)
    assert_fits(page)
    assert_inside(page, "tr[data-username] button, tr[data-username] a.btn", minimum=9)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize(
    "path", ["/reports/workforce", "/reports/planning?view=seen", "/reports/conclusions"]
)
def test_reports_fit_the_screen(app, live_server, page, viewport, path):
    page.set_viewport_size(viewport)
    log_in(page, live_server)
    page.goto(f"{live_server}{path}")
    expect(page.locator("table.report")).to_be_visible()
    assert_fits(page)
    assert_inside(page, "#export-xlsx")
    if viewport is DESKTOP:
        assert_no_inner_scroll(page, "table.report")
    if page.locator("tr[data-row] a.btn").count():
        assert_inside(page, "tr[data-row] a.btn")


@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/campaigns/",
        f"/backoffice/campaigns/{date.today().year}/",
        "/backoffice/invoices/",
        "/backoffice/duerp/",
    ],
)
def test_back_office_lists_scroll_inside_their_box_on_a_phone(app, live_server, page, path):
    """A wide back-office table scrolls inside its box, the page does not: the hidden header of
    an actions column once escaped the box and made the whole page three times too wide."""
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "gestion")
    page.goto(f"{live_server}{path}")
    expect(page.locator(".table-responsive table").first).to_be_visible()
    assert_fits(page)
