"""The staff's page of background jobs in Chromium (issue 13): the list and a job's page fit a
1280 px screen and a 390 px phone without horizontal scrolling of the page, pass axe-core's
serious and critical checks, and a queued job's page follows the job by itself (progress in
place, then the finished page once it is done)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models.job import Job, JobStatus
from tests.e2e.test_accessibility import blocking_violations
from tests.e2e.test_list_widths import (
    DESKTOP,
    PHONE,
    assert_fits,
    assert_inside,
    assert_no_inner_scroll,
    log_in,
)
from tests.views.test_backoffice_jobs import four as four  # noqa: F401 - fixture
from tests.views.test_backoffice_jobs import mails as mails  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e


def _set(app, job_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_jobs_list_and_a_job_page_fit_the_screen(app, live_server, page, four, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "gestion")

    page.goto(f"{live_server}/backoffice/jobs/")
    expect(page.locator(f"#job-rows tr[data-id='{four['failed']}']")).to_be_visible()
    assert_fits(page)
    assert_inside(page, "#job-filters button[type=submit]")
    if viewport is DESKTOP:
        assert_no_inner_scroll(page, "#job-rows")
        assert_inside(page, ".job-relaunch button", minimum=2)
    assert blocking_violations(page) == []

    page.goto(f"{live_server}/backoffice/jobs/{four['failed']}")
    expect(page.locator("#job-error")).to_be_visible()
    assert_fits(page)
    assert_inside(page, ".job-relaunch button")
    assert blocking_violations(page) == []


def test_a_queued_job_page_follows_the_job_until_it_is_done(app, live_server, page, four):
    log_in(page, live_server, "gestion")
    job_id = four["queued"]
    page.goto(f"{live_server}/backoffice/jobs/{job_id}")
    expect(page.locator("#job-page[data-state-url]")).to_be_attached()
    assert blocking_violations(page) == []

    _set(app, job_id, status=JobStatus.RUNNING, done=4, total=8)
    expect(page.locator("#job-progress")).to_have_text("4 / 8", timeout=10_000)

    _set(app, job_id, status=JobStatus.DONE, done=8, outcome="E2E-OUTCOME")
    expect(page.locator("#job-outcome")).to_have_text("E2E-OUTCOME", timeout=10_000)
    expect(page.locator("#job-page[data-state-url]")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_outbox_with_its_statuses_fits_the_screen(app, live_server, page, mails, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/adminoutboxview/list/")
    expect(page.locator("span[data-delivery='given_up']").first).to_be_attached()
    assert_fits(page)
    assert blocking_violations(page) == []
