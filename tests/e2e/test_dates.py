"""French dates and the town that follows the postal code, in Chromium (issue 9, "Forms").

The browsers here speak English (locale en-US) on purpose: the format of the fields must not
depend on the browser's language. Staff type `29/11/2026` in the back-office "Date d'adhésion"
and the member is saved on 29 November 2026, back on its page with a French message; the calendar
is French and starts on Monday; the employee form's dates and the schedule form's date and time
are typed the French way; a postal code fills the town in, or offers its communes; the company's
edit page opens on the form, not on the contacts tab last seen."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import clock
from app.domain.visit_workflow import OPEN
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.models.visit import VisitRequest
from tests.conftest import PASSWORDS
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@pytest.fixture
def english_page(browser):
    """A page whose browser speaks American English, collecting console errors."""
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []  # script errors and CSP refusals (404s: the responses below)
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and page.console_errors.append(msg.text)
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on(
        "response",
        lambda response: response.status == 404 and page.console_errors.append(response.url),
    )
    yield page
    context.close()


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()


def _member(app, number: str) -> Member | None:
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.number == number))


def test_staff_type_a_french_membership_date_and_the_town_follows(app, live_server, english_page):
    page = english_page
    log_in(page, live_server, "gestion")
    page.goto(f"{live_server}/backofficememberview/add")
    page.fill("#number", "20077")
    page.fill("#name", "Menuiserie Picarde")
    page.fill("#siret", "732 829 320 00074")
    page.fill("#postal_code", "80100")
    expect(page.locator("#city")).to_have_value("ABBEVILLE")  # one commune: filled in
    page.fill("#joined_on", "29/11/2026")
    page.evaluate("window.jQuery('#status').val('ACTIVE').trigger('change')")
    page.fill("#phone", "0322334455")
    page.fill("#email", "contact@menuiserie.example")
    page.locator("#model_form [type=submit]").first.click()
    page.wait_for_load_state()

    member = _member(app, "20077")
    assert member is not None, page.locator(".help-block, .alert").all_inner_texts()
    assert (member.joined_on, member.postal_code, member.city, member.phone) == (
        date(2026, 11, 29),
        "80100",
        "ABBEVILLE",
        "03 22 33 44 55",
    )
    expect(page).to_have_url(f"{live_server}/backofficememberview/show/{member.id}")
    expect(page.locator(".alert-success")).to_contain_text("adhérent")
    expect(page.locator("body")).to_contain_text("29/11/2026")
    assert page.console_errors == []


def test_the_calendar_is_french_and_starts_on_monday(app, live_server, english_page):
    page = english_page
    log_in(page, live_server, "gestion")
    member = _member(app, "10250")
    page.goto(f"{live_server}/backofficememberview/edit/{member.id}")
    joined = page.locator("#joined_on")
    expect(joined).to_have_value(re.compile(r"^\d{2}/\d{2}/\d{4}$"))
    expect(joined).to_have_attribute("placeholder", "jj/mm/aaaa")

    page.locator(".french-date:has(#joined_on) .input-group-addon").click()
    picker = page.locator(".datepicker-dropdown .datepicker-days")
    expect(picker).to_be_visible()
    weekdays = picker.locator("th.dow").all_inner_texts()
    assert [day.strip().lower() for day in weekdays] == ["lu", "ma", "me", "je", "ve", "sa", "di"]
    title = picker.locator(".datepicker-switch").inner_text().lower()
    assert any(month in title for month in FRENCH_MONTHS), title
    expect(picker.locator("tfoot .today")).to_have_text("Aujourd'hui")

    picker.locator("td.day:not(.old):not(.new)", has_text=re.compile(r"^15$")).click()
    expect(joined).to_have_value(re.compile(r"^15/\d{2}/\d{4}$"))
    assert page.console_errors == []


def test_a_badly_typed_date_is_refused_with_the_format(app, live_server, english_page):
    page = english_page
    log_in(page, live_server, "gestion")
    member = _member(app, "10250")
    before = member.joined_on
    page.goto(f"{live_server}/backofficememberview/edit/{member.id}")
    page.fill("#joined_on", "31/02/2026")
    page.locator("#model_form [type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("jj/mm/aaaa")
    expect(page.locator("#joined_on")).to_have_value("31/02/2026")  # kept as typed
    assert _member(app, "10250").joined_on == before


def test_employee_dates_are_typed_the_french_way(app, live_server, english_page):
    page = english_page
    log_in(page, live_server, "ets10250")
    page.goto(f"{live_server}/employees/new")
    for name in ("birth_date", "hired_on", "post_entry_on", "contract_end_on"):
        expect(page.locator(f"#{name}")).to_have_attribute("type", "text")
        expect(page.locator(f"#{name}")).to_have_attribute("placeholder", "jj/mm/aaaa")
    page.fill("#last_name", "DATES")
    page.fill("#first_name", "Hélène")
    page.check("#uses_ntt")
    page.fill("#ntt", "2 102500006 0001")  # the sex, the SIREN of 10250, a number
    page.check("input[name=sex][value=F]")
    page.fill("#birth_date", "14/10/1995")
    page.fill("#postal_code", "80000")
    page.select_option("#establishment_id", index=1)
    page.select_option("#work_post_id", index=1)
    page.select_option("#contract", value="CDD")
    page.fill("#hired_on", "02/03/2020")
    page.fill("#post_entry_on", "2/3/2020")
    page.fill("#contract_end_on", "31/12/2099")
    page.click("#save-employee")
    page.wait_for_load_state()
    errors = page.locator(".help-block, .alert-danger, .risk-error").all_inner_texts()
    assert re.search(r"/employees/\d+$", page.url), errors

    with app.app_context():
        employee = db.session.scalar(select(Employee).where(Employee.last_name == "DATES"))
        assert (
            employee.birth_date,
            employee.hired_on,
            employee.post_entry_on,
            employee.contract_end_on,
            employee.city,
        ) == (date(1995, 10, 14), date(2020, 3, 2), date(2020, 3, 2), date(2099, 12, 31), "AMIENS")
    expect(page.locator("#birth_date")).to_have_value("14/10/1995")
    expect(page.locator("#post_entry_on")).to_have_value("02/03/2020")
    assert page.console_errors == []


def _open_request(app) -> VisitRequest:
    with app.app_context():
        found = db.session.scalars(
            select(VisitRequest)
            .join(Employee, Employee.id == VisitRequest.employee_id)
            .where(VisitRequest.status.in_(OPEN), Employee.contract_end_on.is_(None))
            .order_by(VisitRequest.id)
        ).first()
        db.session.expunge(found)
        return found


def test_the_schedule_form_takes_a_french_date_and_a_24_hour_time(app, live_server, english_page):
    page = english_page
    request = _open_request(app)
    log_in(page, live_server, "gestion")
    page.goto(f"{live_server}/backofficevisitrequestview/schedule/{request.id}")
    expect(page.locator("#scheduled_at")).to_have_attribute("placeholder", "jj/mm/aaaa")
    expect(page.locator("#scheduled_at-time")).to_have_attribute("placeholder", "HH:MM")
    day = clock.today() + timedelta(days=3)
    page.fill("#scheduled_at", f"{day.day:02d}/{day.month:02d}/{day.year}")
    page.fill("#scheduled_at-time", "14h30")
    page.select_option("#professional_id", index=0)
    page.click("#save-schedule")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/backofficevisitrequestview/show/{request.id}")
    with app.app_context():
        stored = db.session.get(VisitRequest, request.id).scheduled_at
    assert stored == datetime.combine(day, time(14, 30))
    assert page.console_errors == []


def test_a_postal_code_of_several_communes_offers_them(app, live_server, english_page):
    page = english_page
    log_in(page, live_server, "ets10250")
    member = _member(app, "10250")
    page.goto(f"{live_server}/portalcompanyview/show/{member.id}")
    page.locator("a[data-toggle=tab]").last.click()  # the contacts: FAB remembers the tab
    page.click("a.company-edit")
    page.wait_for_load_state()
    expect(page.locator("#postal_code")).to_be_visible()  # the form's tab, not the contacts'

    page.fill("#postal_code", "80120")
    expect(page.locator("#city")).to_have_value("")  # AMIENS is not a commune of 80120
    options = page.locator("datalist#communes-of-postal_code option")
    expect(options.first).to_be_attached()
    communes = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert len(communes) > 1 and "RUE" in communes
    expect(page.locator(".postal-code-note")).to_contain_text("RUE")

    page.fill("#city", "Rue")
    page.locator("#model_form [type=submit]").first.click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/portalcompanyview/show/{member.id}")
    expect(page.locator(".alert-success")).to_be_visible()
    stored = _member(app, "10250")
    assert (stored.postal_code, stored.city) == ("80120", "RUE")
    assert page.console_errors == []


def test_a_list_filter_takes_a_french_date(app, live_server, english_page):
    """FAB's list filters read dates month first (dateutil): the French date typed is sent as
    ISO, and shown in French again on the filtered page."""
    page = english_page
    member = _member(app, "10250")
    shown = f"{member.joined_on:%d/%m/%Y}"
    log_in(page, live_server, "gestion")
    page.goto(f"{live_server}/backofficememberview/list/")
    page.click("a.accordion-toggle[href='#accordion1_href']")  # "Rechercher"
    page.locator("#filter_form .dropdown-toggle").click()
    page.click("#filter_form a.filter[name=joined_on]")
    field = page.locator("#filter_form input[name^=_flt_][name$=_joined_on]")
    expect(field).to_have_attribute("placeholder", "jj/mm/aaaa")
    field.fill(shown)
    page.locator("#filter_form [type=submit]").click()
    # waits for the filtered page (a load state right after the click may still be the old one)
    expect(page).to_have_url(re.compile(rf"_joined_on={member.joined_on.isoformat()}"))
    expect(page.locator("#filter_form input[name$=_joined_on]")).to_have_value(shown)
    expect(page.locator("table.table-bordered")).to_contain_text("BOULANGERIE DEMO")
    assert page.console_errors == []
