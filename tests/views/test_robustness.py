"""No 500 on bad input (issue 8, item 9): ids beyond the integers, Flask-AppBuilder's list
arguments, dates in year 9999, a conclusion outside its choices, control characters, and the races
of two saves at once. Each answer is a 4xx with a message in the portal's language, or the form's
own message, and nothing is saved.

Messages are compared with the lazy strings rendered in the app's locale (French once the
catalogue holds them)."""

import io
from datetime import date

import pytest
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.domain import names
from app.domain.inputs import MAX_ID
from app.errors import MESSAGES as ERROR_MESSAGES
from app.exports.employees_xml import EMPLOYEES_XSD_PATH, NAMESPACE, UNREADABLE
from app.extensions import db
from app.models.employee import Employee, WorkPost
from app.models.member import Member
from app.models.reference import PcsCode
from app.models.visit import Visit
from app.services import employees
from app.views.messages import MESSAGES
from app.views.params import CONTROL_MESSAGE, FORM_MESSAGE, LIST_MESSAGE
from app.views.validators import DATE_BOUNDS_MESSAGE
from tests.conftest import csrf_token, post_form
from tests.views import test_visits
from tests.views.test_employees import (
    count_of,
    employee_form,
    employees_of,
    field_errors,
    form_values,
    logged_in,
    nir_for,
)
from tests.views.test_visits import record_outcome, scheduled_in_the_past, submitted

BIG = str(2**70)  # beyond 64 bits: the drivers raised OverflowError
ABOVE = str(MAX_ID + 1)  # fits 64 bits, not the INTEGER columns
NEW = "/employees/new"
MEMBERS = "/backofficememberview"


setting = test_visits.setting  # the visit tests' fixture: an employee, exam types, a team


def shown(app, message) -> str:
    """A lazy message as the app renders it (its locale, whitespace collapsed)."""
    with app.test_request_context():
        return " ".join(str(message).split())


def page_text(response) -> str:
    return " ".join(lxml_html.fromstring(response.get_data(as_text=True)).text_content().split())


def a_member_employee(app) -> Employee:
    return employees_of(app, "10250")[0]


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/employees/{BIG}",
        f"/employees/{ABOVE}",
        f"/visit-requests/{BIG}/convocation.pdf",
        f"/visit-requests/new?employee_id={BIG}",
        f"/visit-requests/new?employee_id={ABOVE}",
        "/visit-requests/new?employee_id=-1",
        "/visit-requests/new?employee_id=2%C2%B2",  # "2²": isdigit() but not int()
        f"/portalcontactview/show/{BIG}",
        f"/portalcontactview/edit/{BIG}",
        "/portalcontactview/show/-1",
        "/portalcontactview/show/abc",
    ],
)
def test_a_member_asking_for_an_impossible_id_gets_a_404(member, url):
    assert member.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"{MEMBERS}/show/{BIG}",
        f"{MEMBERS}/edit/{ABOVE}",
        f"/backofficevisitrequestview/outcome/{BIG}",
        f"/backofficevisitrequestview/schedule/{BIG}",
        f"/backofficevisitrequestview/attachment/{BIG}",
    ],
)
def test_staff_asking_for_an_impossible_id_gets_a_404(staff, url):
    assert staff.get(url).status_code == 404


def test_posts_naming_an_impossible_row_get_a_404(staff):
    token = csrf_token(staff.get(f"{MEMBERS}/list/").text)
    queue = "/backofficevisitrequestview"
    posts = {
        f"{MEMBERS}/delete/{BIG}": {},
        f"{queue}/action/acknowledge/{BIG}": {},
        f"{queue}/action_post": {"action": "acknowledge", "rowid": ["1", BIG]},
    }
    for url, data in posts.items():
        assert staff.post(url, data={**data, "csrf_token": token}).status_code == 404, url


def test_fab_security_views_refuse_impossible_ids_and_list_arguments(app):
    admin = logged_in(app, "admin")
    assert admin.get(f"/users/show/{BIG}").status_code == 404
    assert admin.get("/roles/edit/x").status_code == 404
    response = admin.get("/users/list/?psize_SecurityUserView=x")
    assert response.status_code == 400
    assert shown(app, LIST_MESSAGE) in page_text(response)


@pytest.mark.parametrize(
    "url",
    [
        f"/employees/?f_work_post={BIG}",
        f"/employees/?f_establishment={ABOVE}",
        f"/reports/planning?f_exam_type={BIG}",
        f"/reports/conclusions?f_exam_type={BIG}",
    ],
)
def test_a_list_filtered_on_an_impossible_choice_is_empty(member, url):
    response = member.get(url)
    assert response.status_code == 200
    assert not lxml_html.fromstring(response.text).xpath("//tbody/tr[@data-employee]")


@pytest.mark.parametrize(
    "query",
    [
        f"page={BIG}&size={BIG}",
        "page=-5&size=-1",
        "page=2%C2%B2",
        "f_hired_on=9999",
        "f_birth_date=31/12/9999",
    ],
)
def test_the_workforce_list_ignores_impossible_pages_and_dates(member, query):
    assert member.get(f"/employees/?{query}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/reports/workforce?f_appointment=31/12/9999",
        "/reports/workforce?f_next_due_on=9999",
        "/reports/planning?f_scheduled_at=9999",
        "/reports/workforce/export.xlsx?f_appointment=9999",
        f"/reports/workforce?page={BIG}&size={BIG}",
    ],
)
def test_reports_read_dates_and_pages_within_bounds(member, url):
    assert member.get(url).status_code == 200


def test_a_forged_risk_id_is_refused_and_nothing_saved(app, member, ref):
    before = count_of(app, Employee)
    response = post_form(member, NEW, employee_form(ref, risk_ids=[str(ref.risks["BRUIT"]), BIG]))
    assert response.status_code == 400
    assert count_of(app, Employee) == before
    assert shown(app, FORM_MESSAGE) in page_text(response)


# --- Flask-AppBuilder's list arguments -----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "psize_BackofficeMemberView=abc",
        "psize_BackofficeMemberView=0",
        "psize_BackofficeMemberView=-1",  # SQLite's LIMIT -1: the whole table
        "psize_BackofficeMemberView=101",
        f"psize_BackofficeMemberView={BIG}",
        "page_BackofficeMemberView=abc",
        "page_BackofficeMemberView=-1",
        f"page_BackofficeMemberView={BIG}",
        "page_AnyOtherView=abc",  # FAB parses every page_* argument
        "_oc_BackofficeMemberView=zzz&_od_BackofficeMemberView=asc",
        "_oc_BackofficeMemberView=siret%20desc&_od_BackofficeMemberView=desc",
        "_flt_9_status=ACTIVE",  # an enum has two filters
        "_flt_0_status=zzz",
        "_flt_0_is_temp_agency=zzz",
        "_flt_0_joined_on=9999-12-31",
        "_flt_0_joined_on=zzz",
        f"_flt_0_centre={BIG}",
        "_flt_0_centre=abc",
    ],
)
def test_junk_fab_list_arguments_get_a_400_with_a_message(app, staff, query):
    response = staff.get(f"{MEMBERS}/list/?{query}")
    assert response.status_code == 400
    assert shown(app, LIST_MESSAGE) in page_text(response)


@pytest.mark.parametrize(
    "query",
    [
        "psize_BackofficeMemberView=50&page_BackofficeMemberView=0",
        "_oc_BackofficeMemberView=name&_od_BackofficeMemberView=desc",
        "_oc_BackofficeMemberView=zzz",  # no direction: FAB ignores the sort
        "_oc_AnyOtherView=zzz&_od_AnyOtherView=asc",  # another view's sort: ignored
        "_flt_0_status=ACTIVE&_flt_0_is_temp_agency=y",
        "_flt_0_joined_on=2024-01-01&_flt_2_name=DEMO",
        "_flt_0_unknown_column=zzz",  # FAB ignores an unknown column
    ],
)
def test_the_arguments_fab_itself_writes_still_list(staff, query):
    assert staff.get(f"{MEMBERS}/list/?{query}").status_code == 200


def test_a_related_list_argument_is_checked_on_the_show_page(app, staff, setting):
    request_id = next(iter(setting.demo.values()))
    show = f"/backofficevisitrequestview/show/{request_id}"
    assert staff.get(f"{show}?page_BackofficeVisitEventView=abc").status_code == 400
    bad_sort = "_oc_BackofficeVisitEventView=zzz&_od_BackofficeVisitEventView=asc"
    assert staff.get(f"{show}?{bad_sort}").status_code == 400
    good_sort = "_oc_BackofficeVisitEventView=at&_od_BackofficeVisitEventView=desc"
    assert staff.get(f"{show}?{good_sort}").status_code in (200, 404)  # closed demo requests


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["birth_date", "hired_on", "post_entry_on", "contract_end_on"])
def test_an_employee_date_in_year_9999_is_refused_on_its_field(app, member, ref, field):
    before = count_of(app, Employee)
    response = post_form(member, NEW, employee_form(ref, **{field: "9999-12-31"}))
    assert response.status_code == 200
    assert count_of(app, Employee) == before
    assert field_errors(response.text)[field] == [shown(app, DATE_BOUNDS_MESSAGE)]


def fab_form(client, url: str) -> dict:
    """A FAB form's fields as the browser would send them."""
    form = lxml_html.fromstring(client.get(url).text).forms[-1]
    return dict(form.form_values())


def test_a_date_in_year_9999_is_refused_in_fab_forms(app, staff):
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10251"))
        member_id, joined = member.id, member.joined_on
    url = f"{MEMBERS}/edit/{member_id}"
    response = staff.post(url, data={**fab_form(staff, url), "joined_on": "9999-12-31"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Member, member_id).joined_on == joined
    assert shown(app, DATE_BOUNDS_MESSAGE) in page_text(response)


def test_a_scheduled_appointment_in_year_9999_is_refused(app, staff, member, setting):
    request_id = submitted(app, member, setting)
    response = post_form(
        staff,
        f"/backofficevisitrequestview/schedule/{request_id}",
        {
            "scheduled_at": "9999-12-31T10:00",
            "centre_id": str(setting.centre.id),
            "professional_id": str(setting.professional.id),
        },
    )
    assert response.status_code == 200
    assert shown(app, DATE_BOUNDS_MESSAGE) in page_text(response)


# --- the visit outcome ----------------------------------------------------------------------------


@pytest.mark.parametrize("conclusion", [" ", "UNKNOWN", "fit"])
def test_an_outcome_with_a_conclusion_outside_its_choices_is_refused(
    app, staff, member, setting, conclusion
):
    request_id = submitted(app, member, setting)
    scheduled_in_the_past(app, staff, setting, request_id)

    response = record_outcome(staff, request_id, conclusion=conclusion)

    assert response.status_code == 200
    assert "conclusion" in field_errors(response.text)
    assert count_of(app, Visit, Visit.request_id == request_id) == 0


# --- control characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"last_name": "\x00"},
        {"first_name": "Zo\x1bé"},
        {"city": "AMIENS\x7f"},
        {"birth_name": "A\x85B"},  # a C1 control (NEL)
        {"last_name": "DUPONT\nMARTIN"},  # a line break in a single-line field
        {"complementary_info": "bâtiment B\x00"},
    ],
)
def test_control_characters_in_a_portal_form_get_a_400_and_nothing_is_saved(
    app, member, ref, fields
):
    before = count_of(app, Employee)
    response = post_form(member, NEW, employee_form(ref, **fields))
    assert response.status_code == 400
    assert count_of(app, Employee) == before
    assert shown(app, CONTROL_MESSAGE) in page_text(response)


def test_line_breaks_are_kept_in_a_multi_line_field(app, member, ref):
    info = "Bâtiment B\r\n\tau fond de la cour"
    response = post_form(member, NEW, employee_form(ref, complementary_info=info))
    assert response.status_code == 302
    (saved,) = employees_of(app, "10250", Employee.complementary_info.is_not(None))[-1:]
    assert saved.complementary_info == info


def test_control_characters_in_a_fab_form_get_a_400_and_nothing_is_saved(app, staff):
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10251"))
        member_id, name = member.id, member.name
    url = f"{MEMBERS}/edit/{member_id}"
    response = staff.post(url, data={**fab_form(staff, url), "name": "TRANSPORTS\x00"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Member, member_id).name == name


@pytest.mark.parametrize(
    "url",
    [
        "/employees/?f_last_name=%00",
        "/employees/export.xml?f_first_name=a%01",
        "/reports/workforce?f_name=%1b",
        "/employees/pcs?q=%00",
        "/employees/?f%00=x",
    ],
)
def test_control_characters_in_a_query_get_a_400(app, member, url):
    response = member.get(url)
    assert response.status_code == 400
    assert shown(app, CONTROL_MESSAGE) in page_text(response)


def test_control_characters_in_the_login_form_or_a_file_name_get_a_400(app, member, setting):
    anonymous = app.test_client()
    response = post_form(anonymous, "/login/", {"username": "ets10250\x00", "password": "x"})
    assert response.status_code == 400
    upload = {
        "exam_type_id": str(setting.exams["VIP_PER"]),
        "attachment": (io.BytesIO(b"%PDF-1.4"), "courrier\x00.pdf", "application/pdf"),
    }
    url = f"/visit-requests/new?employee_id={setting.employee.id}"
    response = post_form(member, url, upload, content_type="multipart/form-data")
    assert response.status_code == 400


def test_the_xml_export_survives_names_stored_before_control_characters_were_refused(app, member):
    employee = a_member_employee(app)
    with app.app_context():  # as stored by an earlier version (NUL itself never fits PostgreSQL)
        db.session.execute(
            update(Employee).where(Employee.id == employee.id).values(last_name="\x01\x7f")
        )
        db.session.commit()

    response = member.get("/employees/export.xml")

    assert response.status_code == 200
    root = etree.fromstring(response.get_data())
    etree.XMLSchema(etree.parse(str(EMPLOYEES_XSD_PATH))).assertValid(root)
    names_by_number = {
        row.findtext(f"{{{NAMESPACE}}}numero"): row.findtext(f"{{{NAMESPACE}}}nom-usage")
        for row in root
    }
    assert names_by_number[str(employee.id)] == UNREADABLE


# --- races ----------------------------------------------------------------------------------------


def racing(monkeypatch, statement: str, **values) -> None:
    """Run `statement` from a second connection, committed, just before the service flushes:
    another user's save landing between our checks and our write."""
    original = employees._flush

    def flush_after_the_other_save(*args):
        with db.engine.connect() as other:
            other.execute(text(statement), values)
            other.commit()
        return original(*args)

    monkeypatch.setattr(employees, "_flush", flush_after_the_other_save)


def test_a_save_that_lost_the_race_on_the_version_shows_the_stale_message(app, member, monkeypatch):
    employee = a_member_employee(app)
    values = form_values(member.get(f"/employees/{employee.id}").text)
    racing(
        monkeypatch,
        "UPDATE employee SET version = version + 1, first_name = 'Autre' WHERE id = :id",
        id=employee.id,
    )

    response = member.post(f"/employees/{employee.id}", data={**values, "first_name": "Alphonse"})

    assert response.status_code == 200
    (stored,) = employees_of(app, "10250", Employee.id == employee.id)
    assert stored.first_name == "Autre" and stored.version == employee.version + 1
    assert shown(app, MESSAGES["stale_employee"]) in page_text(response)


def test_the_same_nir_saved_twice_at_once_shows_the_duplicate_message(
    app, member, ref, monkeypatch
):
    nir = nir_for("F", date(1995, 10, 14))
    other = employees_of(app, "10250", Employee.nir.is_(None))
    other = other[0] if other else a_member_employee(app)
    stored = nir.replace(" ", "")
    racing(monkeypatch, "UPDATE employee SET nir = :nir WHERE id = :id", nir=stored, id=other.id)
    before = count_of(app, Employee)

    response = post_form(member, NEW, employee_form(ref, nir=nir))

    assert response.status_code == 200
    assert count_of(app, Employee) == before
    assert field_errors(response.text)["nir"] == [shown(app, MESSAGES["duplicate_nir"])]


def test_the_same_work_post_created_twice_at_once_shows_the_existing_message(
    app, member, monkeypatch
):
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10250"))
        pcs_id = db.session.scalar(select(PcsCode.id).where(PcsCode.code == "636c"))
    designation = names.normalise_designation("Tourier")
    racing(
        monkeypatch,
        "INSERT INTO work_post (member_id, pcs_code_id, designation, description)"
        " VALUES (:member_id, :pcs_id, :designation, 'Fait le travail')",
        member_id=member_id,
        pcs_id=pcs_id,
        designation=designation,
    )

    response = post_form(
        member,
        "/employees/work-posts",
        {"pcs_code": "636c", "designation": "Tourier", "description": "Fait le travail"},
        page_url=NEW,
    )

    assert response.status_code == 400
    assert count_of(app, WorkPost, WorkPost.designation == designation) == 1
    assert response.json["error"] == shown(app, MESSAGES["work_post_exists"])


@pytest.mark.parametrize(
    "error",
    [StaleDataError("lost"), IntegrityError("INSERT", {}, Exception("unique"))],
    ids=["stale", "integrity"],
)
def test_a_race_no_service_expected_gets_a_409_page_and_a_rollback(
    app, member, ref, monkeypatch, error
):
    def lose_the_race(*_args, **_kwargs):
        db.session.add(Employee(member_id=1))  # pending, must not survive the request
        raise error

    monkeypatch.setattr(employees, "save_employee", lose_the_race)
    before = count_of(app, Employee)

    response = post_form(member, NEW, employee_form(ref))

    assert response.status_code == 409
    assert count_of(app, Employee) == before
    assert shown(app, ERROR_MESSAGES[409]) in page_text(response)
