"""The import screens (issue 14): upload, report, «Importer», the file of rows in error and the
template, as the member's administrator; refused to a collaborator who only reads employees and
to another member; bad files answered with a French refusal, never a 500."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.domain.employee_import import COLUMNS, match_headers
from app.extensions import db
from app.models.employee import Employee
from app.models.employee_import import EmployeeImport, EmployeeImportRow, ImportStatus
from app.models.member import Member
from tests.conftest import csrf_token, login
from tests.services.test_employee_import import HEADERS, csv_of, person

NEW = "/employees/imports/"


def upload(client, data: bytes, name="salaries.csv"):
    token = csrf_token(client.get(NEW).get_data(as_text=True))
    response = client.post(
        NEW,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    response.close()  # as a WSGI server does once the answer is out: the dry run runs then
    return response


def _import_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/employees/imports/(\d+)", response.headers["Location"]).group(1))


def test_the_administrator_checks_imports_and_downloads_the_rows_in_error(app, client):
    login(client, "ets10250")
    listing = client.get("/employees/").get_data(as_text=True)
    assert 'id="import-employees"' in listing and "Importer des salariés" in listing
    page = client.get(NEW)
    assert page.status_code == 200 and "Télécharger le modèle" in page.get_data(as_text=True)
    bad = person(201, Sexe="Z")
    import_id = _import_id(upload(client, csv_of([person(200), bad]), name="Liste été 导入.csv"))
    report = client.get(f"{NEW}{import_id}")
    text = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "ligne 3, colonne Sexe : sexe illisible" in text
    assert 'data-count="create">1<' in text and 'data-count="error">1<' in text

    errors = client.get(f"{NEW}{import_id}/errors.xlsx")
    assert errors.status_code == 200
    assert 'filename="Liste_ete-erreurs-' in errors.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(errors.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Erreurs" and list(rows[0][:-1]) == HEADERS
    assert rows[1][0] == bad["Nom d'usage"] and rows[1][-1].startswith("Sexe : sexe illisible")
    assert len(rows) == 2

    token = csrf_token(text)
    applied = client.post(f"{NEW}{import_id}/apply", data={"csrf_token": token})
    assert applied.status_code == 302
    applied.close()
    with app.app_context():
        found = db.session.get(EmployeeImport, import_id)
        assert (found.status, found.applied) == (ImportStatus.APPLIED, 1)
        assert db.session.scalar(select(func.count()).where(Employee.nir == person(200)["NIR"]))
    done = client.get(f"{NEW}{import_id}").get_data(as_text=True)
    assert "Importation terminée" in done
    again = client.post(f"{NEW}{import_id}/apply", data={"csrf_token": token})
    assert again.status_code == 409


def test_the_template_reads_back_as_an_import_file(app, client):
    login(client, "ets10250")
    response = client.get(f"{NEW}template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    headers = next(book.worksheets[0].iter_rows(values_only=True))
    assert list(headers) == [column.header for column in COLUMNS]
    assert match_headers(list(headers)).unknown == []
    codes = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "BRUIT" in codes and "AMIANTE" in codes


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_french(app, client):
    login(client, "ets10250")
    import_id = _import_id(upload(client, b"%PDF-1.4 not a sheet", name="scan.pdf"))
    text = client.get(f"{NEW}{import_id}").get_data(as_text=True)
    assert 'id="import-refused"' in text and "rien n'a été enregistré" in text
    with app.app_context():
        assert db.session.get(EmployeeImport, import_id).total == 0
    empty = upload(client, b"", name="vide.csv")
    assert empty.status_code == 400 and "Le fichier est vide." in empty.get_data(as_text=True)


def test_a_collaborator_reading_employees_may_not_import(client):
    login(client, "ets10250.2")
    assert 'id="import-employees"' not in client.get("/employees/").get_data(as_text=True)
    assert client.get(NEW).status_code in (302, 403)
    assert client.get(f"{NEW}template.xlsx").status_code in (302, 403)


def test_another_members_import_is_not_found(app, client):
    login(client, "ets10250")
    import_id = _import_id(upload(client, csv_of([person(210)])))
    other = app.test_client()
    login(other, "ets10251")
    for url in ("", "/state", "/errors.xlsx"):
        assert other.get(f"{NEW}{import_id}{url}").status_code == 404
    token = csrf_token(other.get("/").get_data(as_text=True))
    assert other.post(f"{NEW}{import_id}/apply", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(EmployeeImport, import_id).status is ImportStatus.CHECKED


def test_the_risk_history_says_which_import_made_the_change(app, client):
    login(client, "ets10250")
    import_id = _import_id(upload(client, csv_of([person(220, Risques="AMIANTE")])))
    page = client.get(f"{NEW}{import_id}").get_data(as_text=True)
    client.post(f"{NEW}{import_id}/apply", data={"csrf_token": csrf_token(page)}).close()
    with app.app_context():
        employee_id = db.session.scalar(
            select(Employee.id).where(Employee.nir == person(220)["NIR"])
        )
        day = db.session.get(EmployeeImport, import_id).applied_at.strftime("%d/%m/%Y")
    record = client.get(f"/employees/{employee_id}").get_data(as_text=True)
    assert f"import du {day} par ets10250" in record


def test_staff_import_a_members_employees_from_its_page(app, client):
    from tests.conftest import post_form

    login(client, "gestion")
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10251"))
    page = client.get(f"/backofficememberview/show/{member_id}").get_data(as_text=True)
    assert f"/backoffice/employee-imports/?member_id={member_id}" in page.replace("&amp;", "&")
    url = f"/backoffice/employee-imports/?member_id={member_id}"
    row = person(230, **{"SIRET de l'établissement": "10251000500014"})
    response = post_form(
        client, url, {"file": (io.BytesIO(csv_of([row])), "liste.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    response.close()
    import_id = int(re.search(r"/employee-imports/(\d+)", response.headers["Location"]).group(1))
    report = client.get(f"/backoffice/employee-imports/{import_id}").get_data(as_text=True)
    assert 'data-count="create">1<' in report
    client.post(
        f"/backoffice/employee-imports/{import_id}/apply", data={"csrf_token": csrf_token(report)}
    ).close()
    with app.app_context():
        created = db.session.scalar(select(Employee).where(Employee.nir == row["NIR"]))
        assert created.member_id == member_id
        assert db.session.get(EmployeeImport, import_id).created_by.username == "gestion"
    member = app.test_client()
    login(member, "ets10251")
    assert member.get(f"/backoffice/employee-imports/{import_id}").status_code in (302, 403)


def test_a_50_mb_file_is_refused_before_it_is_read(app, client):
    login(client, "ets10250")
    response = upload(client, b"x" * (50 * 2**20), name="enorme.csv")
    assert response.status_code == 413
    assert "Le fichier est trop volumineux" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(EmployeeImport.id))) == 0


def test_a_file_of_200_000_rows_is_refused_and_nothing_is_kept(app, client):
    login(client, "ets10250")
    lines = ["NIR;Nom d'usage"] + [f"1850175108{n:05d};N{n}" for n in range(200_000)]
    import_id = _import_id(upload(client, "\n".join(lines).encode(), name="trop.csv"))
    text = client.get(f"{NEW}{import_id}").get_data(as_text=True)
    assert 'id="import-refused"' in text and "plus de 30" in text
    with app.app_context():
        found = db.session.get(EmployeeImport, import_id)
        assert (found.status, found.total, found.data) == (ImportStatus.REFUSED, 0, None)
        rows = select(func.count(EmployeeImportRow.id)).where(
            EmployeeImportRow.import_id == import_id
        )
        assert db.session.scalar(rows) == 0
        assert db.session.scalar(select(func.count()).where(Employee.last_name == "N1")) == 0


def test_formulas_and_merged_cells_are_refused_with_the_cell_to_fix(app, client):
    from openpyxl import Workbook

    login(client, "ets10250")
    refused = {}
    for kind in ("formula", "merged"):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADERS)
        sheet.append([person(240)[header] for header in HEADERS])
        if kind == "formula":
            sheet["D2"] = "=DATE(1990,4,12)"
        else:
            sheet.merge_cells("A2:B2")
        out = io.BytesIO()
        book.save(out)
        import_id = _import_id(upload(client, out.getvalue(), name=f"{kind}.xlsx"))
        refused[kind] = client.get(f"{NEW}{import_id}").get_data(as_text=True)
    assert "La cellule D2 contient une formule" in refused["formula"]
    assert "cellules fusionnées (A2:B2)" in refused["merged"]
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(Employee.nir == person(240)["NIR"])) == 0
        )
