"""The workforce in Chromium (manual, chapters 4 and 5): the member's administrator opens
"Salariés", adds an employee with a new work post created in the "+" window (PCS suggestions) and
a SIR risk, sees the category on the record, then finds the employee in the list by a filter,
sorts by a column header and downloads the Excel export."""

import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select
from stdnum.fr import nir as stdnum_nir

from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.employee import Employee, RiskDeclarationChange
from app.models.member import Member

pytestmark = pytest.mark.e2e

MEMBER = ("ets10250", "Adherent-demo-2026")
BIRTH = date(1995, 10, 14)
RECORD_PATH = re.compile(r"/employees/(\d+)$")


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()


def valid_nir(sex_digit: str, birth: date) -> str:
    body = f"{sex_digit}{birth:%y%m}99126111"
    nir = body + stdnum_nir.calc_check_digits(body)
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]))


def listed_birth_dates(page: Page) -> list[date]:
    cells = page.locator("tr[data-employee] td.birth_date").all_inner_texts()
    return [datetime.strptime(text.strip(), "%d/%m/%Y").date() for text in cells]


def create_work_post(page: Page) -> None:
    """The "+" next to the work post: PCS suggestions, then the new post selected in the form."""
    page.click("#new-work-post")
    modal = page.locator("#work-post-modal")
    expect(modal).to_be_visible()
    page.locator("#pcs_code").press_sequentially("boulang")
    expect(page.locator("#pcs-list option[value='636c']")).to_have_count(1)
    page.fill("#pcs_code", "636c")  # a suggested code: its label becomes the description
    expect(page.locator("#description")).to_have_value(re.compile(r"Boulanger", re.I))
    page.fill("#designation", "boulanger / TOURIER")
    page.click("#save-work-post")
    expect(modal).to_be_hidden()
    expect(page.locator("#work_post_id option:checked")).to_have_text("Boulanger/Tourier")
    expect(page.locator("#work-post-error")).to_have_text("")


def fill_employee(page: Page) -> None:
    page.fill("#last_name", "Lefèvre-Dupré")
    page.fill("#first_name", "hélène")
    page.fill("#nir", valid_nir("2", BIRTH))
    page.check("input[name=sex][value=F]")
    page.fill("#birth_date", BIRTH.isoformat())
    page.fill("#postal_code", "80000")
    page.select_option("#establishment_id", label="BOULANGERIE DEMO - ANNEXE")
    page.select_option("#contract", value="CDI")
    page.fill("#hired_on", "2020-03-02")
    page.fill("#post_entry_on", "2020-03-02")


def stored_employee(app):
    with app.app_context():
        employee = db.session.scalar(select(Employee).where(Employee.last_name == "LEFEVRE-DUPRE"))
        if employee is None:
            return None
        changes = [
            (change.before, change.after)
            for change in db.session.scalars(
                select(RiskDeclarationChange).where(
                    RiskDeclarationChange.employee_id == employee.id
                )
            )
        ]
        member = db.session.get(Member, employee.member_id).number
        return {
            "id": employee.id,
            "member": member,
            "first_name": employee.first_name,
            "nir": employee.nir,
            "post": employee.work_post.designation,
            "site": employee.establishment.name,
            "category": employee.category,
            "changes": changes,
        }


def test_admin_adds_an_employee_then_finds_sorts_and_exports_the_list(
    app, live_server, page, tmp_path
):
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    log_in(page, live_server, *MEMBER)

    # "Salariés" from the portal home: the workforce list.
    employees_link = page.locator(".portal-section a[href$='/employees/']")
    section_title = employees_link.inner_text()
    employees_link.click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/employees/")
    expect(page.locator("tr[data-employee]")).to_have_count(25)

    # "Ajouter un salarié": the form, a new work post through "+", a SIR risk.
    page.click("#add-employee")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/employees/new")
    fill_employee(page)
    create_work_post(page)
    page.check("input[name=risk_ids][data-code=AMIANTE]")
    page.click("#save-employee")
    page.wait_for_load_state()

    expect(page).to_have_url(RECORD_PATH)
    expect(page.locator(".employee-category strong")).to_contain_text("SIR")
    expect(page.locator("#last_name")).to_have_value("LEFEVRE-DUPRE")
    expect(page.locator("input[name=risk_ids][data-code=AMIANTE]")).to_be_checked()
    stored = stored_employee(app)
    assert stored is not None, "the employee was not saved"
    assert RECORD_PATH.search(page.url).group(1) == str(stored["id"])
    assert stored == {
        **stored,
        "member": "10250",
        "first_name": "Hélène",
        "nir": valid_nir("2", BIRTH).replace(" ", ""),
        "post": "Boulanger/Tourier",
        "site": "BOULANGERIE DEMO - ANNEXE",
        "category": FollowUp.SIR,
        "changes": [([], ["AMIANTE"])],
    }

    # Back to the list: a filter on part of the name finds the new employee only.
    page.click(".employee-page a[href$='/employees/']")
    page.wait_for_load_state()
    expect(page.locator("tr[data-employee]")).to_have_count(25)
    page.fill("input[name=f_last_name]", "dupr")
    page.press("input[name=f_last_name]", "Enter")
    page.wait_for_load_state()
    rows = page.locator("tr[data-employee]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-employee", str(stored["id"]))
    expect(rows.first).to_contain_text("LEFEVRE-DUPRE")
    expect(rows.first.locator("td.category")).to_have_text("SIR")

    # Sort by a column header (the filter removed): once ascending, twice descending.
    page.click("#remove-filter")
    page.wait_for_load_state()
    expect(page.locator("input[name=f_last_name]")).to_have_value("")
    page.select_option("#size", "50")  # auto-submits
    expect(page.locator("tr[data-employee]")).to_have_count(31)
    page.click("#columns-chooser summary")  # the date of birth is not a default column
    page.check("#columns-chooser input[value=birth_date]")
    page.click("#apply-columns")
    page.wait_for_load_state()
    expect(page.locator("tr[data-employee]")).to_have_count(31)
    page.click("a.sort-link[href*='sort=birth_date']")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"sort=birth_date"))
    ascending = listed_birth_dates(page)
    assert len(ascending) == 31 and ascending == sorted(ascending)
    page.click("a.sort-link[href*='sort=birth_date']")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"desc=1"))
    descending = listed_birth_dates(page)
    assert descending == sorted(ascending, reverse=True)

    # The Excel export of the list, re-opened: the new employee is in it.
    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    download = download_info.value
    assert re.fullmatch(r"salaries-10250-\d{8}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 31
    assert [row[4] for row in rows] == sorted((row[4] for row in rows), reverse=True)
    (new,) = [row for row in rows if row[0] == stored["id"]]
    assert new[1:3] == ("LEFEVRE-DUPRE", "Hélène")
    assert new[4].date() == BIRTH
    assert new[5] == "2 95 10 •• ••• ••• " + stored["nir"][13:]
    assert "Boulanger/Tourier" in new and "SIR" in new and "636c" in new

    csp_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp_errors, f"CSP violations in the console: {csp_errors}"
    assert section_title.strip() == "Salariés"


def test_the_employee_form_offers_the_communes_of_a_postal_code(live_server, page: Page):
    """The employee form's town (manual: suggestions and "liste complète") is looked up in La
    Poste's list through the same route as every other address form."""
    log_in(page, live_server, *MEMBER)
    page.goto(f"{live_server}/employees/new")
    page.fill("#postal_code", "80120")  # several communes (RUE, FORT-MAHON-PLAGE...)
    expect(page.locator("datalist#communes option[value='RUE']")).to_have_count(1)
    page.click("#all-communes")
    entry = page.locator("#commune-list a", has_text="80120 RUE")
    expect(entry).to_be_visible()
    entry.click()
    expect(page.locator("#city")).to_have_value("RUE")

    page.fill("#city", "")
    page.fill("#postal_code", "80000")  # one commune: the town follows
    expect(page.locator("#city")).to_have_value("AMIENS")
