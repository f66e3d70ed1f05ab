"""Portal: "Nos centres médicaux" in Chromium (issue 12): readable on a 390 px phone and at
1280 px (no horizontal overflow, every site's map and phone links inside the window), reached from
the home's section; the member's own centre comes first."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_list_widths import DESKTOP, PHONE, assert_fits, assert_inside, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_directory_fits_the_screen(app, live_server, page, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server)
    page.locator(".portal-section a[href='/centres/']").click()
    page.wait_for_load_state()
    expect(page.locator("section.own-centre article.centre")).to_have_count(1)

    assert_fits(page)
    assert_inside(page, "article.centre", minimum=17)
    assert_inside(page, "a.centre-map", minimum=16)
    assert_inside(page, ".centre-phone a[href^='tel:']", minimum=15)
    own = page.locator("section.own-centre").bounding_box()
    first_sector = page.locator("section[data-sector]").first.bounding_box()
    assert own["y"] < first_sector["y"]
