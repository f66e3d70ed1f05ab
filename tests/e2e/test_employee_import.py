"""«Importer des salariés» in Chromium (issue 14): the member's administrator goes from the
employee list to the import page, sends an xlsx of a few hundred rows (two in error), follows the
check, reads the report (counts, «ligne N, colonne … : …»), clicks «Importer», follows the
writing to «Importation terminée», finds the new employees in the list and re-opens the file of
rows in error; a DSN sent from the browser comes to its report too. The upload and report pages
fit a 390 px phone and pass axe-core's serious and critical checks.

The background jobs run in the live server's process once the response is out. To see the
pages in their intermediate states whatever the machine's speed, the test holds the jobs at
chosen points (before the check starts; after the first batch of the writing) until the page has
shown that state: no sleeps, no race."""

import dataclasses
import re
import threading
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.domain.employee_import import COLUMNS
from app.extensions import db
from app.models.employee import Employee
from app.models.employee_import import EmployeeImport, ImportStatus
from app.models.member import Member
from app.services import employee_import, jobs
from app.services.employee_import import writing
from tests.dsn_builder import Contract, Establishment, Individual, build_dsn, make_nir, wrong_key
from tests.e2e.test_accessibility import blocking_violations
from tests.e2e.test_list_widths import DESKTOP, PHONE, assert_fits, assert_inside, log_in

pytestmark = pytest.mark.e2e

SIRET = "10250000600014"  # member 10250's head office (demo data)
ROWS = 300
BAD_SEX_AT, BAD_NIR_AT = 10, 150  # row indexes (0-based) of the two rows in error
HOLD_SECONDS = 30  # a held job goes on by itself after this, so that a failed test never hangs
WORK_MS = 60_000  # the longest wait for a job's work to end (a slow machine), not a pause
IMPORT_PAGE = re.compile(r"/employees/imports/(\d+)$")


# ---- Files ---------------------------------------------------------------------------------


def employee_row(order: int) -> dict:
    """A made-up employee (a fake NIR with a valid key, consistent with sex and birth date)."""
    born = date(1991, 1 + order % 12, 1 + order % 28)
    return {
        "last_name": f"Importé{order:03d}",
        "first_name": "camille",
        "sex": "F",
        "birth_date": born,
        "nir": make_nir("2", born, "80021", order),
        "siret": SIRET,
        "work_post": "Vendeur",
        "pcs_code": "554a",
        "contract": "CDI",
        "hired_on": date(2024, 9, 2),
        "night_work": "non",
        "risks": "BRUIT",
    }


def write_xlsx(path, count: int, bad=(BAD_SEX_AT, BAD_NIR_AT)) -> list[dict]:
    """The template's columns (all of them, in its order), `count` rows, two of them wrong (at
    the indexes `bad`): an unreadable sex and a NIR whose key is off by one. Returns the rows as
    written."""
    rows = [employee_row(order) for order in range(1, count + 1)]
    bad_sex, bad_nir = bad
    rows[bad_sex]["sex"] = "Z"
    rows[bad_nir]["nir"] = wrong_key(rows[bad_nir]["nir"])
    book = Workbook()
    sheet = book.active
    sheet.title = "Salariés"
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS])
    book.save(path)
    return rows


def line_of(index: int) -> int:
    """Excel's line number of a row (the headers are line 1)."""
    return index + 2


# ---- Holding the jobs ----------------------------------------------------------------------


class HeldProgress:
    """The job's progress, held after its first report until `gate` opens (keeps `job_id`: the
    import records which job follows it)."""

    def __init__(self, progress, gate: threading.Event):
        self.job_id = progress.job_id
        self._progress, self._gate, self._calls = progress, gate, 0

    def __call__(self, done: int, total: int | None = None, force: bool = False) -> None:
        self._progress(done, total, force=True)  # each batch shows, whatever the clock
        self._calls += 1
        if self._calls == 1:
            self._gate.wait(HOLD_SECONDS)


@pytest.fixture
def gates(monkeypatch, live_server):
    """Gates on the import's jobs: `check` holds the dry run before it starts, `apply` holds the
    writing after its first batch. Opened at the end in any case (the server's threads end)."""
    opened = {"check": threading.Event(), "apply": threading.Event()}
    check, apply = jobs.TASKS[employee_import.CHECK_KIND], jobs.TASKS[employee_import.APPLY_KIND]

    def held_check(progress, **params):
        opened["check"].wait(HOLD_SECONDS)
        return check.run(progress, **params)

    def held_apply(progress, **params):
        return apply.run(HeldProgress(progress, opened["apply"]), **params)

    monkeypatch.setitem(jobs.TASKS, check.kind, dataclasses.replace(check, run=held_check))
    monkeypatch.setitem(jobs.TASKS, apply.kind, dataclasses.replace(apply, run=held_apply))
    yield opened
    for gate in opened.values():
        gate.set()


def open_gates(gates) -> None:
    for gate in gates.values():
        gate.set()


# ---- Pages ---------------------------------------------------------------------------------


def upload(page: Page, path) -> int:
    """On the import page: choose the file, «Vérifier le fichier»; the import's own page."""
    page.set_input_files("#file", str(path))
    page.click("#check-file")
    page.wait_for_load_state()
    expect(page).to_have_url(IMPORT_PAGE)
    return int(IMPORT_PAGE.search(page.url).group(1))


def count_of(page: Page, key: str):
    return page.locator(f"#import-counts strong[data-count={key}]")


def stored(app, import_id: int) -> dict:
    with app.app_context():
        found = db.session.get(EmployeeImport, import_id)
        member = db.session.scalar(select(Member).where(Member.number == "10250"))
        imported = db.session.scalar(
            select(func.count())
            .select_from(Employee)
            .where(Employee.member_id == member.id, Employee.last_name.like("IMPORTE%"))
        )
        return {"status": found.status, "applied": found.applied, "imported": imported}


# ---- Tests ---------------------------------------------------------------------------------


def test_admin_imports_an_xlsx_follows_it_and_gets_the_rows_in_error(
    app, live_server, page, gates, monkeypatch, tmp_path
):
    monkeypatch.setattr(writing, "BATCH", 100)  # several batches: progress in between
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.set_viewport_size(DESKTOP)
    rows = write_xlsx(tmp_path / "salaries-e2e.xlsx", ROWS)
    log_in(page, live_server, "ets10250")

    # The employee list → «Importer des salariés».
    page.goto(f"{live_server}/employees/")
    page.click("#import-employees")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/employees/imports/")
    expect(page.locator("h1")).to_have_text("Importer des salariés")
    expect(page.locator("#download-template")).to_be_visible()
    assert_fits(page)
    assert blocking_violations(page) == []

    # The check, held before it starts: the page says so and shows its progress bar.
    import_id = upload(page, tmp_path / "salaries-e2e.xlsx")
    expect(page.locator("#import-status")).to_have_text("Vérification du fichier")
    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.locator("#import-counts")).to_have_count(0)
    assert blocking_violations(page) == []
    gates["check"].set()

    # The report, once the page's script sees the check finished (it reloads the page).
    expect(page.locator("#import-status")).to_have_text(
        "Vérifié : prêt à importer", timeout=WORK_MS
    )
    expect(page.locator("#import-progress")).to_have_count(0)
    expect(count_of(page, "total")).to_have_text(str(ROWS))
    expect(count_of(page, "create")).to_have_text(str(ROWS - 2))
    expect(count_of(page, "update")).to_have_text("0")
    expect(count_of(page, "unchanged")).to_have_text("0")
    expect(count_of(page, "error")).to_have_text("2")
    shown = page.locator("#import-rows tbody tr.import-row")
    expect(shown).to_have_count(2)  # the rows in error first
    expect(shown.locator("td.line")).to_have_text(
        [str(line_of(BAD_SEX_AT)), str(line_of(BAD_NIR_AT))]
    )
    expect(shown.nth(0).locator("td.details")).to_contain_text(
        re.compile(rf"ligne {line_of(BAD_SEX_AT)}, colonne Sexe : \S")
    )
    expect(shown.nth(1).locator("td.details")).to_contain_text(
        re.compile(rf"ligne {line_of(BAD_NIR_AT)}, colonne NIR : \S")
    )
    assert_fits(page)
    assert blocking_violations(page) == []

    # «Importer»: the writing, held after its first batch of 100 rows, shows its progress.
    apply_button = page.locator("#apply-import")
    expect(apply_button).to_have_text(f"Importer (à créer : {ROWS - 2}, à mettre à jour : 0)")
    apply_button.click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/employees/imports/{import_id}")
    expect(page.locator("#import-status")).to_have_text("Importation en cours")
    expect(page.locator("#import-progress .import-progress-text")).to_have_text(f"100 / {ROWS - 2}")
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "100")
    expect(page.locator("#apply-import")).to_have_count(0)
    assert stored(app, import_id)["status"] is ImportStatus.APPLYING
    gates["apply"].set()

    # «Importation terminée»: the page reloads by itself.
    done = page.locator("#import-done")
    expect(done).to_contain_text("Importation terminée", timeout=WORK_MS)
    expect(done).to_contain_text(
        f"Salariés enregistrés : {ROWS - 2} ; lignes refusées à l'importation : 0"
    )
    expect(page.locator("#import-status")).to_have_text("Importé")
    expect(page.locator("#import-progress")).to_have_count(0)
    assert stored(app, import_id) == {
        "status": ImportStatus.APPLIED,
        "applied": ROWS - 2,
        "imported": ROWS - 2,
    }
    assert blocking_violations(page) == []

    # The rows in error as an xlsx, re-opened: their cells, then why.
    with page.expect_download() as download_info:
        page.click("#download-errors")
    download = download_info.value
    assert re.fullmatch(r"salaries-e2e-erreurs-\d{8}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert list(lines[0]) == [column.header for column in COLUMNS] + ["Erreurs"]
    assert len(lines) == 3
    bad_sex, bad_nir = lines[1], lines[2]
    assert bad_sex[0] == rows[BAD_SEX_AT]["last_name"] and bad_sex[3] == "Z"
    assert re.fullmatch(r"Sexe : \S.+", bad_sex[-1]), bad_sex[-1]
    assert bad_nir[5] == rows[BAD_NIR_AT]["nir"]
    assert re.fullmatch(r"NIR : \S.+", bad_nir[-1]), bad_nir[-1]

    # The employee list has the new employees (a filter on one name).
    page.click(".import-page a[href$='/employees/']")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server}/employees/")
    page.fill("input[name=f_last_name]", "importé042")
    page.press("input[name=f_last_name]", "Enter")
    page.wait_for_load_state()
    listed = page.locator("tr[data-employee]")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("IMPORTE042")
    expect(listed.first.locator("td.category")).to_have_text("SI")
    page.fill("input[name=f_last_name]", f"importé{BAD_SEX_AT + 1:03d}")  # the row in error
    page.press("input[name=f_last_name]", "Enter")
    page.wait_for_load_state()
    expect(page.locator("tr[data-employee]")).to_have_count(0)

    # The import page lists this import among the latest.
    page.goto(f"{live_server}/employees/imports/")
    recent = page.locator("#recent-imports tbody tr")
    expect(recent).to_have_count(1)
    expect(recent.first).to_contain_text("salaries-e2e.xlsx")
    expect(recent.first).to_contain_text("Importé")
    assert blocking_violations(page) == []

    csp_errors = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp_errors, f"CSP violations in the console: {csp_errors}"


def test_the_import_pages_fit_a_phone(app, live_server, page, gates, tmp_path):
    page.set_viewport_size(PHONE)
    write_xlsx(tmp_path / "salaries-telephone.xlsx", 20, bad=(3, 12))
    log_in(page, live_server, "ets10250")
    page.goto(f"{live_server}/employees/imports/")
    expect(page.locator("#check-file")).to_be_visible()
    assert_fits(page)
    assert_inside(page, "#check-file, #download-template, #file", minimum=3)

    upload(page, tmp_path / "salaries-telephone.xlsx")
    expect(page.locator("#import-status")).to_have_text("Vérification du fichier")
    assert_fits(page)
    open_gates(gates)

    expect(count_of(page, "error")).to_have_text("2")
    expect(page.locator("#import-rows tbody tr.import-row")).to_have_count(2)
    assert_fits(page)
    assert_inside(page, "#apply-import, #download-errors", minimum=2)
    assert blocking_violations(page) == []

    page.goto(f"{live_server}/employees/imports/")  # now with the latest imports' table
    expect(page.locator("#recent-imports tbody tr")).to_have_count(1)
    assert_fits(page)


def test_a_dsn_sent_from_the_browser_comes_to_its_report(app, live_server, page, tmp_path):
    """Member 10250's head office in the DSN (SIREN 102500006, NIC 00014): two employees to
    create, one whose NIR key is wrong; the report lists them, the DSN's own notice included."""
    page.set_viewport_size(DESKTOP)
    good = make_nir("1", date(1986, 6, 6), "80021", 501)
    second = make_nir("2", date(1993, 3, 3), "80021", 502)
    bad = wrong_key(make_nir("1", date(1979, 9, 9), "80021", 503))
    office = Establishment(nic="00014", individuals=[
        Individual("DSNPREMIER", "Paul", birth_date=date(1986, 6, 6), nir=good,
                   contracts=[Contract(start=date(2025, 2, 3), label="Vendeur", pcs="554a")]),
        Individual("DSNSECONDE", "Inès", sex="02", birth_date=date(1993, 3, 3), nir=second,
                   contracts=[Contract(start=date(2025, 5, 5))]),
        Individual("DSNERREUR", "Luc", birth_date=date(1979, 9, 9), nir=bad, nir_as_is=True,
                   contracts=[Contract(start=date(2020, 1, 1))]),
    ])  # fmt: skip
    path = tmp_path / "dsn-janvier.dsn"
    path.write_bytes(build_dsn([office], siren="102500006"))
    log_in(page, live_server, "ets10250")
    page.goto(f"{live_server}/employees/imports/")

    import_id = upload(page, path)
    expect(page.locator("#import-status")).to_have_text("Vérifié : prêt à importer")
    expect(page.locator("h1")).to_have_text("Importation de « dsn-janvier.dsn »")
    expect(count_of(page, "total")).to_have_text("3")
    expect(count_of(page, "create")).to_have_text("2")
    expect(count_of(page, "error")).to_have_text("1")
    errors = page.locator("#import-rows tbody tr.import-row")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("DSNERREUR Luc")
    expect(errors.first.locator("td.details")).to_contain_text(re.compile(r"colonne NIR : \S"))

    page.click("#import-counts a[href*='show=create']")
    page.wait_for_load_state()
    created = page.locator("#import-rows tbody tr.import-row")
    expect(created).to_have_count(2)
    expect(created.nth(0)).to_contain_text("DSNPREMIER Paul")
    expect(created.nth(1)).to_contain_text("DSNSECONDE Inès")
    expect(created.nth(0)).to_contain_text("À créer")
    expect(page.locator("#apply-import")).to_have_text(
        "Importer (à créer : 2, à mettre à jour : 0)"
    )
    page.click("#import-rows-title a")  # «Toutes les lignes»
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"show=all"))
    expect(page.locator("#import-rows-title")).to_have_text("Toutes les lignes")
    expect(page.locator("#import-rows tbody tr.import-row")).to_have_count(3)
    with app.app_context():
        found = db.session.get(EmployeeImport, import_id)
        assert (found.source.value, found.to_create, found.in_error) == ("dsn", 2, 1)


def test_a_second_importer_from_another_tab_is_not_sent_again(app, live_server, page, gates,
                                                              tmp_path):  # fmt: skip
    """«Importer» clicked in a second tab while the first one's import runs: refused (409, the
    page of the import at the POST's address). Once the import is done, that page's script opens
    the import's page by GET: a reload would send the POST again (a resubmission prompt in a
    real browser, the refusal shown once more on a finished import)."""
    posts = []
    page.context.on("request", lambda request: request.method == "POST" and posts.append(request))
    write_xlsx(tmp_path / "deux-onglets.xlsx", 20, bad=(3, 12))
    log_in(page, live_server, "ets10250")
    page.goto(f"{live_server}/employees/imports/")
    import_id = upload(page, tmp_path / "deux-onglets.xlsx")
    gates["check"].set()
    expect(count_of(page, "error")).to_have_text("2")
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator("#apply-import")).to_be_visible()

    page.click("#apply-import")
    expect(page.locator("#import-status")).to_have_text("Importation en cours")
    other.click("#apply-import")
    other.wait_for_load_state()
    expect(other).to_have_url(f"{live_server}/employees/imports/{import_id}/apply")
    expect(other.locator("#import-status")).to_have_text("Importation en cours")
    expect(other.locator(".alert")).to_contain_text(["Cet import n'attend pas d'être appliqué"])
    gates["apply"].set()

    expect(page.locator("#import-done")).to_contain_text("Salariés enregistrés : 18")
    expect(other.locator("#import-done")).to_contain_text("Salariés enregistrés : 18")
    expect(other).to_have_url(f"{live_server}/employees/imports/{import_id}")
    expect(other.locator(".alert-danger")).to_have_count(0)
    applies = [request.url for request in posts if request.url.endswith("/apply")]
    assert len(applies) == 2, applies  # the two clicks, nothing sent again
