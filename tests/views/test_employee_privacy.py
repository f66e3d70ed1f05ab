"""The NIR: consistency warnings that do not block, masked for who may only read, never in URLs."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models.employee import Employee
from tests.conftest import login, post_form
from tests.views.test_employees import MASKED_NIR, NEW, employee_form, french

SEX_WARNING = "Check the social security number: its first digit does not match the sex."


def test_a_nir_inconsistent_with_the_sex_is_saved_with_a_warning(app, client, ref):
    login(client, "ets10250")
    data = employee_form(ref, sex="M")  # the NIR of employee_form is a woman's
    response = post_form(client, NEW, data, follow_redirects=True)
    assert response.status_code == 200
    assert french(SEX_WARNING).replace("'", "&#39;") in response.text
    with app.app_context():
        saved = db.session.scalar(select(Employee).where(Employee.last_name == "LEFEVRE-DUPRE"))
        assert saved is not None and saved.sex.name == "M"


def _nir_field(page: str) -> str:
    tag = re.search(r'<input[^>]*id="nir"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_a_reader_sees_the_nir_masked_on_the_record_and_a_writer_in_full(app, client, ref):
    with app.app_context():
        employee = db.session.scalar(
            select(Employee).where(Employee.member_id == ref.members["10250"]).limit(1)
        )
        full, employee_id = employee.nir, employee.id
    login(client, "ets10250.2")  # employees: read only
    assert MASKED_NIR.match(_nir_field(client.get(f"/employees/{employee_id}").text))
    writer = app.test_client()
    login(writer, "ets10250")
    assert _nir_field(writer.get(f"/employees/{employee_id}").text).replace(" ", "") == full


def test_the_list_offers_no_nir_filter(client):
    login(client, "ets10250")
    page = client.get("/employees/").text
    assert 'name="f_nir"' not in page
    everyone = client.get("/employees/?size=100").text.count("data-employee=")
    assert client.get("/employees/?size=100&f_nir=2").text.count("data-employee=") == everyone
