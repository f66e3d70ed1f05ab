"""The full NIR in the employee exports, on explicit request (issue 9, "Exports for other
software"): who may write employees (the member administrator, or a collaborator given
"Admin Salariés") ticks "NIR complet" and gets the full number in the Excel and XML files, each
such export audited (who, when, how many rows, which format); everybody else gets it masked, and a
forged request from a read-only collaborator is refused (403) without a file nor an audit row."""

import io
import re

import pytest
from lxml import etree
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.follow_up import FollowUp
from app.exports.employees_xml import EMPLOYEES_XSD_PATH, NAMESPACE
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.user import PortalUser
from app.views.portal.employee_pages import SHEET_COLUMNS
from tests.conftest import csrf_token
from tests.views.test_employees import MASKED_NIR, employees_of, logged_in

LIST = "/employees/"
XLSX = "/employees/export.xlsx"
XML = "/employees/export.xml"
ACTION = "employees_exported_full_nir"
NIR_COLUMN = [key for key, _label in SHEET_COLUMNS].index("nir")
NS = {"s": NAMESPACE}
FULL_NIR = re.compile(r"^[12]\d{4}(\d\d|2[AB])\d{8}$")


def _audits(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return entries


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))


def _sheet_nirs(response) -> dict[int, str]:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data)).active
    return {row[0]: row[NIR_COLUMN] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _xml_nirs(response) -> dict[int, str]:
    assert response.status_code == 200, response.status_code
    document = etree.fromstring(response.data)
    schema = etree.XMLSchema(etree.parse(str(EMPLOYEES_XSD_PATH)))
    assert schema.validate(document), schema.error_log
    return {
        int(element.findtext("s:numero", namespaces=NS)): element.findtext("s:nir", namespaces=NS)
        for element in document.findall("s:salarie", NS)
    }


def _own_nirs(app) -> dict[int, str]:
    return {employee.id: employee.nir for employee in employees_of(app, "10250") if employee.nir}


def test_the_administrator_gets_the_full_nir_in_excel_when_asked_and_it_is_audited(app):
    client = logged_in(app, "ets10250")
    own = _own_nirs(app)
    assert len(own) >= 25

    masked = _sheet_nirs(client.get(XLSX))
    assert all(MASKED_NIR.match(masked[employee_id]) for employee_id in own)
    assert _audits(app) == []

    full = _sheet_nirs(client.get(XLSX, query_string={"full_nir": "1"}))
    assert {employee_id: full[employee_id] for employee_id in own} == own
    assert all(FULL_NIR.match(nir) for nir in own.values())

    [entry] = _audits(app)
    assert entry.actor_id == _user_id(app, "ets10250")
    assert entry.member_id == employees_of(app, "10250")[0].member_id
    assert entry.details == {"format": "xlsx", "rows": len(masked)}
    assert entry.at is not None


def test_the_full_nir_in_xml_is_valid_against_the_schema_and_audited_with_the_filter(app):
    client = logged_in(app, "ets10250")
    own = _own_nirs(app)
    sir = [e.id for e in employees_of(app, "10250") if e.category is FollowUp.SIR]
    assert sir

    masked = _xml_nirs(client.get(XML))
    assert all(MASKED_NIR.match(nir) for nir in masked.values())
    assert not any(nir.encode() in client.get(XML).data for nir in own.values())

    full = _xml_nirs(client.get(XML, query_string={"full_nir": "1", "f_category": "SIR"}))
    assert sorted(full) == sorted(sir)
    assert all(full[employee_id] == own[employee_id] for employee_id in full)

    [entry] = _audits(app)
    assert entry.details == {"format": "xml", "rows": len(sir)}


@pytest.mark.parametrize("url", [XLSX, XML])
def test_a_read_only_collaborator_is_refused_the_full_nir_even_forged(app, url):
    client = logged_in(app, "ets10250.2")
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert 'name="full_nir"' not in listing.text

    forged = client.get(url, query_string={"full_nir": "1"})

    assert forged.status_code == 403
    assert not any(nir.encode() in forged.data for nir in _own_nirs(app).values())
    assert _audits(app) == []
    assert client.get(url).status_code == 200  # the masked export stays open to them


def test_a_collaborator_given_employees_admin_may_export_the_full_nir(app):
    admin = logged_in(app, "ets10250")
    target = _user_id(app, "ets10250.2")
    token = csrf_token(admin.get("/company-users/").text)
    granted = admin.post(
        f"/company-users/{target}/toggle/employees", data={"value": "1", "csrf_token": token}
    )
    assert granted.status_code == 302
    collaborator = logged_in(app, "ets10250.2")

    listing = collaborator.get(LIST).text
    full = _sheet_nirs(collaborator.get(XLSX, query_string={"full_nir": "1"}))

    assert lxml_html.fromstring(listing).xpath("//input[@type='checkbox'][@name='full_nir']")
    own = _own_nirs(app)
    assert {employee_id: full[employee_id] for employee_id in own} == own
    [entry] = _audits(app)
    assert entry.actor_id == target and entry.details["format"] == "xlsx"


def test_the_choice_is_offered_next_to_the_export_buttons_to_the_administrator(app):
    page = logged_in(app, "ets10250").get(LIST).text
    tree = lxml_html.fromstring(page)

    [form] = tree.xpath("//form[.//button[@id='export-xlsx']]")
    assert form.get("method") == "get"
    assert form.xpath(".//input[@type='checkbox'][@name='full_nir'][@value='1']")
    assert not form.xpath(".//input[@name='full_nir'][@checked]")  # masked unless ticked
    assert {b.get("id") for b in form.xpath(".//button[@formaction]")} == {
        "export-xlsx",
        "export-xml",
    }


@pytest.mark.parametrize("value", ["0", "", "oui", "1 "])
def test_anything_but_an_explicit_yes_exports_masked_without_audit(app, value):
    client = logged_in(app, "ets10250")

    nirs = _sheet_nirs(client.get(XLSX, query_string={"full_nir": value}))

    assert all(MASKED_NIR.match(nir) for nir in nirs.values() if nir)
    assert _audits(app) == []
