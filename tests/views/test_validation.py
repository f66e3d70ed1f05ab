"""The same checks on every form (issue 9, "Forms"): French dates, e-mails, phones, postal codes
and towns, on the back-office's members, establishments, contacts, centres and professionals, on
the portal's company and contacts, the employee form, the profile and the collaborator form; and
after saving, the user stays on the member's (or the company's) page with a French message.

Outcomes first: the status, the rows and the stored values; a refused form changes nothing."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.domain.visit_workflow import OPEN
from app.extensions import db
from app.models.centre import Centre, HealthProfessional
from app.models.employee import Employee
from app.models.member import Contact, Establishment, Member
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from tests.conftest import post_form
from tests.views.test_employees import employee_form

MEMBERS = "/backofficememberview"
NEW_MEMBER = {
    "number": "20001",
    "name": "Menuiserie Picarde",
    "siret": "732 829 320 00074",
    "postal_code": "80000",
    "city": "Amiens",
    "phone": "03 22 11 22 33",
    "email": "contact@menuiserie.example",
    "joined_on": "29/11/2026",
    "status": "ACTIVE",
}
BAD_EMAIL = "adresse e-mail n'est pas valide"
BAD_PHONE = "numéro de téléphone n'est pas valide"
BAD_POSTAL_CODE = "code postal français a 5 chiffres"


def _member(app, number: str) -> Member | None:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        if member is not None:
            db.session.expunge(member)
        return member


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _path(response) -> str:
    return response.headers["Location"].split("?")[0].replace("http://localhost", "")


# --- back-office: members -----------------------------------------------------------------------


def test_a_member_created_with_a_french_date_lands_on_its_page(app, staff):
    response = post_form(staff, f"{MEMBERS}/add", NEW_MEMBER)
    assert response.status_code == 302
    member = _member(app, "20001")
    assert (member.joined_on, member.postal_code, member.city, member.phone, member.email) == (
        date(2026, 11, 29),
        "80000",
        "AMIENS",  # written as La Poste does
        "03 22 11 22 33",
        "contact@menuiserie.example",
    )
    assert _path(response) == f"{MEMBERS}/show/{member.id}"
    page = staff.get(response.headers["Location"]).text
    assert "L'adhérent est créé" in page and "29/11/2026" in page


def test_an_iso_date_from_an_older_page_is_still_read(app, staff):
    assert (
        post_form(staff, f"{MEMBERS}/add", {**NEW_MEMBER, "joined_on": "2026-01-05"}).status_code
        == 302
    )
    assert _member(app, "20001").joined_on == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("joined_on", "35-05-19", "jj/mm/aaaa"),
        ("joined_on", "31/02/2026", "jj/mm/aaaa"),
        ("joined_on", "29/11/9999", "entre les années"),
        ("email", "pas-un-email", BAD_EMAIL),
        ("phone", "abc", BAD_PHONE),
        ("postal_code", "8000", BAD_POSTAL_CODE),
        ("postal_code", "99999", "La Poste"),
    ],
)
def test_a_bad_member_field_is_refused_on_its_field_and_nothing_is_saved(
    app, staff, field, value, message
):
    response = post_form(staff, f"{MEMBERS}/add", {**NEW_MEMBER, field: value})
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{value}"' in response.text  # kept as typed, to correct
    assert _member(app, "20001") is None


def test_the_member_form_shows_its_dates_in_french(app, staff):
    member = _member(app, "10250")
    page = staff.get(f"{MEMBERS}/edit/{member.id}").text
    assert f'value="{member.joined_on:%d/%m/%Y}"' in page and 'placeholder="jj/mm/aaaa"' in page
    assert 'type="date"' not in page


def test_an_edited_member_lands_on_its_page(app, staff):
    member = _member(app, "10252")
    data = {
        "number": member.number,
        "name": member.name,
        "siret": member.siret,
        "joined_on": "01/02/2020",
        "status": "ACTIVE",
        "postal_code": "80100",
        "city": "",
    }
    response = post_form(staff, f"{MEMBERS}/edit/{member.id}", data)
    assert response.status_code == 302 and _path(response) == f"{MEMBERS}/show/{member.id}"
    stored = _member(app, "10252")
    assert (stored.joined_on, stored.city) == (date(2020, 2, 1), "ABBEVILLE")  # filled in
    assert "L'adhérent est enregistré" in staff.get(response.headers["Location"]).text


def test_a_city_of_a_code_with_several_communes_must_be_one_of_them(app, staff):
    response = post_form(
        staff, f"{MEMBERS}/add", {**NEW_MEMBER, "postal_code": "80120", "city": "Amiens"}
    )
    assert response.status_code == 200
    assert "80120" in response.text and "RUE" in response.text and "ARGOULES" in response.text
    assert _member(app, "20001") is None
    response = post_form(
        staff, f"{MEMBERS}/add", {**NEW_MEMBER, "postal_code": "80120", "city": "Fort-Mahon-Plage"}
    )
    assert response.status_code == 302
    assert _member(app, "20001").city == "FORT MAHON PLAGE"


# --- back-office: establishments and contacts of a member -----------------------------------------


def test_a_contact_is_checked_and_leads_back_to_its_member(app, staff):
    member = _member(app, "10252")
    url = f"/backofficecontactview/add?_flt_0_member={member.id}"
    bad = post_form(staff, url, {"member": member.id, "last_name": "MOREAU", "email": "eloise@"})
    assert bad.status_code == 200 and BAD_EMAIL in bad.text
    assert _count(app, Contact, Contact.last_name == "MOREAU") == 0

    good = post_form(
        staff,
        url,
        {"member": member.id, "last_name": "MOREAU", "email": "eloise@interim.example",
         "phone": "+33 6 12 34 56 78"},
    )  # fmt: skip
    assert good.status_code == 302 and _path(good) == f"{MEMBERS}/show/{member.id}"
    with app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.last_name == "MOREAU"))
        assert (contact.member_id, contact.phone) == (member.id, "06 12 34 56 78")
    assert "Le contact est ajouté" in staff.get(good.headers["Location"]).text


def test_an_establishment_is_checked_and_leads_back_to_its_member(app, staff):
    member = _member(app, "10252")
    url = f"/backofficeestablishmentview/add?_flt_0_member={member.id}"
    data = {"member": member.id, "name": "DEPOT", "siret": "732 829 320 00074"}
    bad = post_form(staff, url, {**data, "postal_code": "8000", "city": "Amiens"})
    assert bad.status_code == 200 and BAD_POSTAL_CODE in bad.text
    assert _count(app, Establishment, Establishment.name == "DEPOT") == 0

    good = post_form(staff, url, {**data, "postal_code": "80 100", "city": ""})
    assert good.status_code == 302 and _path(good) == f"{MEMBERS}/show/{member.id}"
    with app.app_context():
        site = db.session.scalar(select(Establishment).where(Establishment.name == "DEPOT"))
        assert (site.postal_code, site.city) == ("80100", "ABBEVILLE")


# --- back-office: the service's centres and professionals ----------------------------------------


def test_centres_and_professionals_get_the_same_checks(app, staff):
    centre = {"sector": "Nord", "name": "Centre Test", "postal_code": "8000", "phone": "abc"}
    response = post_form(staff, "/backofficecentreview/add", centre)
    assert response.status_code == 200
    assert BAD_POSTAL_CODE in response.text and BAD_PHONE in response.text
    assert _count(app, Centre, Centre.name == "Centre Test") == 0

    with app.app_context():
        team_id = db.session.scalar(select(HealthProfessional.team_id).limit(1))
    person = {"team": team_id, "role": "NURSE", "last_name": "TEST", "first_name": "Ana"}
    response = post_form(
        staff, "/backofficehealthprofessionalview/add", {**person, "email": "ana@"}
    )
    assert response.status_code == 200 and BAD_EMAIL in response.text
    assert _count(app, HealthProfessional, HealthProfessional.last_name == "TEST") == 0


def test_a_centre_with_a_cedex_address_is_saved_as_printed(app, staff):
    """The head office's `80001 AMIENS CEDEX 1` is no commune's code: a CEDEX town is accepted
    when the code's department exists; an unknown department is still refused."""
    centre = {"sector": "Nord", "name": "Centre Cedex", "postal_code": "80001"}
    response = post_form(staff, "/backofficecentreview/add", {**centre, "city": "Amiens Cedex 1"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Centre).where(Centre.name == "Centre Cedex"))
        assert (saved.postal_code, saved.city) == ("80001", "AMIENS CEDEX 1")
    centre = {**centre, "name": "Centre Nulle Part", "postal_code": "00001"}
    response = post_form(staff, "/backofficecentreview/add", {**centre, "city": "Nulle Cedex"})
    assert response.status_code == 200 and "00001" in response.text
    assert _count(app, Centre, Centre.name == "Centre Nulle Part") == 0


# --- portal: the company and its contacts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("email", "pas-un-email", BAD_EMAIL), ("postal_code", "8000", BAD_POSTAL_CODE),
     ("phone", "abc", BAD_PHONE)],
)  # fmt: skip
def test_the_company_refuses_bad_coordinates(app, member, field, value, message):
    before = _member(app, "10250")
    response = post_form(member, f"/portalcompanyview/edit/{before.id}", {field: value})
    assert response.status_code == 200 and message in response.text
    after = _member(app, "10250")
    assert (after.email, after.postal_code, after.phone) == (
        before.email,
        before.postal_code,
        before.phone,
    )


def test_the_saved_company_page_is_where_the_user_lands(app, member):
    company = _member(app, "10250")
    response = post_form(
        member,
        f"/portalcompanyview/edit/{company.id}",
        {"phone": "+33322999999", "postal_code": "80000", "city": "", "email": "A@Boulangerie.FR"},
    )
    assert response.status_code == 302
    assert _path(response) == f"/portalcompanyview/show/{company.id}"
    stored = _member(app, "10250")
    assert (stored.phone, stored.city, stored.email) == (
        "03 22 99 99 99",
        "AMIENS",
        "A@boulangerie.fr",
    )
    page = member.get(response.headers["Location"]).text
    assert "Les données administratives de votre entreprise sont enregistrées" in page


def test_the_company_edit_page_opens_on_its_form(app, member):
    company = _member(app, "10250")
    page = member.get(f"/portalcompanyview/edit/{company.id}").text
    assert "js/first_tab.js" in page and "js/postal_codes.js" in page


def test_a_portal_contact_is_checked_and_leads_back_to_the_company(app, member):
    company = _member(app, "10250")
    bad = post_form(member, "/portalcontactview/add", {"last_name": "RH", "email": "eloise@"})
    assert bad.status_code == 200 and BAD_EMAIL in bad.text
    assert _count(app, Contact, Contact.last_name == "RH") == 0
    good = post_form(
        member, "/portalcontactview/add", {"last_name": "RH", "email": "eloise@exemple.fr"}
    )
    assert good.status_code == 302 and _path(good) == f"/portalcompanyview/show/{company.id}"
    assert _count(app, Contact, Contact.last_name == "RH", Contact.member_id == company.id) == 1


# --- portal: the employee form ------------------------------------------------------------------


def _employee(app, last_name: str) -> Employee | None:
    with app.app_context():
        found = db.session.scalar(select(Employee).where(Employee.last_name == last_name))
        if found is not None:
            db.session.expunge(found)
        return found


def test_employee_dates_are_typed_in_french(app, member, ref):
    data = employee_form(
        ref, birth_date="14/10/1995", hired_on="02/03/2020", post_entry_on="2/3/2020",
        postal_code="80100", city="",
    )  # fmt: skip
    assert post_form(member, "/employees/new", data).status_code == 302
    saved = _employee(app, "LEFEVRE-DUPRE")
    assert (saved.birth_date, saved.hired_on, saved.post_entry_on, saved.city) == (
        date(1995, 10, 14),
        date(2020, 3, 2),
        date(2020, 3, 2),
        "ABBEVILLE",
    )
    page = member.get(f"/employees/{saved.id}").text
    assert 'value="14/10/1995"' in page and 'type="date"' not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": "1995-14-10"}, "jj/mm/aaaa"),
        ({"postal_code": "8000"}, BAD_POSTAL_CODE),
        ({"postal_code": "80120", "city": "Amiens"}, "ne correspond pas au code postal 80120"),
    ],
)
def test_bad_employee_dates_and_addresses_are_refused(app, member, ref, overrides, message):
    response = post_form(member, "/employees/new", employee_form(ref, **overrides))
    assert response.status_code == 200 and message in response.text
    assert _employee(app, "LEFEVRE-DUPRE") is None


def test_a_foreign_address_is_not_checked_against_la_poste(app, member, ref):
    data = employee_form(ref, country="Belgique", postal_code="1000", city="Bruxelles")
    assert post_form(member, "/employees/new", data).status_code == 302
    saved = _employee(app, "LEFEVRE-DUPRE")
    assert (saved.postal_code, saved.city) == ("1000", "Bruxelles")


# --- accounts: the profile and the collaborators --------------------------------------------------


PROFILE = {
    "username": "ets10250",
    "last_name": "BOULANGER",
    "first_name": "Bernard",
    "email": "bernard@boulangerie-demo.example",
    "phone": "0322000000",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "eloise@", BAD_EMAIL),
        ("phone", "abc", BAD_PHONE),
        ("phone", "032222222", BAD_PHONE),
    ],
)
def test_the_profile_refuses_bad_e_mails_and_phones(app, member, field, value, message):
    response = post_form(member, "/profile/", {**PROFILE, field: value})
    assert response.status_code == 200 and message in response.text
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
        assert (user.phone, user.pending_email) == ("0322000000", None)


def test_a_collaborator_with_a_bad_e_mail_is_not_created(app, member):
    data = {"username": "ets10250.9", "last_name": "X", "first_name": "Y", "email": "eloise@",
            "phone": "0322000003"}  # fmt: skip
    response = post_form(member, "/company-users/new", data)
    assert response.status_code == 200 and BAD_EMAIL in response.text
    assert _count(app, PortalUser, PortalUser.username == "ets10250.9") == 0


# --- the schedule form: a French date and a 24-hour time -----------------------------------------


def _open_request_id(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(VisitRequest.id)
            .join(Employee, Employee.id == VisitRequest.employee_id)
            .where(VisitRequest.status.in_(OPEN), Employee.contract_end_on.is_(None))
            .order_by(VisitRequest.id)
            .limit(1)
        )


def _professional_id(staff, request_id: int) -> str:
    page = staff.get(f"/backofficevisitrequestview/schedule/{request_id}").text
    start = page.index('id="professional_id"')
    return page[page.index('value="', start) + 7 :].split('"', 1)[0]


@pytest.mark.parametrize(
    ("values", "stored"),
    [(["{day}", "14:30"], time(14, 30)), (["{day}", "9h05"], time(9, 5)),
     (["{iso}T08:15"], time(8, 15))],
)  # fmt: skip
def test_the_schedule_takes_a_french_date_and_a_time(app, staff, values, stored):
    request_id = _open_request_id(app)
    day = clock.today() + timedelta(days=5)
    posted = [v.format(day=f"{day:%d/%m/%Y}", iso=day.isoformat()) for v in values]
    data = {"scheduled_at": posted, "professional_id": _professional_id(staff, request_id)}
    with app.app_context():
        data["centre_id"] = str(db.session.scalar(select(Centre.id).limit(1)))
    response = post_form(staff, f"/backofficevisitrequestview/schedule/{request_id}", data)
    assert response.status_code == 302
    with app.app_context():
        scheduled = db.session.get(VisitRequest, request_id).scheduled_at
    assert scheduled == datetime.combine(day, stored)


@pytest.mark.parametrize("values", [["29/11/2026", "2:30 PM"], ["29/11/2026", ""], ["", "14:30"]])
def test_a_schedule_without_a_readable_date_and_time_is_refused(app, staff, values):
    request_id = _open_request_id(app)
    with app.app_context():
        before = db.session.get(VisitRequest, request_id).scheduled_at
    data = {"scheduled_at": values, "professional_id": _professional_id(staff, request_id)}
    response = post_form(staff, f"/backofficevisitrequestview/schedule/{request_id}", data)
    assert response.status_code == 200 and "jj/mm/aaaa" in response.text
    with app.app_context():
        assert db.session.get(VisitRequest, request_id).scheduled_at == before


# --- the postal-code look-up --------------------------------------------------------------------


def test_the_postal_code_lookup_lists_the_communes(member):
    found = member.get("/postal-codes/?code=80120")
    assert found.status_code == 200
    assert "RUE" in found.json["communes"] and "RUE" in found.json["hint"]
    one = member.get("/postal-codes/?code=80100").json
    assert (one["communes"], one["hint"]) == (["ABBEVILLE"], "")


@pytest.mark.parametrize(("code", "status"), [("8000", 400), ("x" * 5000, 400), ("", 400),
                                              ("99999", 404)])  # fmt: skip
def test_the_postal_code_lookup_refuses_what_is_not_a_code(staff, code, status):
    response = staff.get(f"/postal-codes/?code={code}")
    assert response.status_code == status and response.json["error"]


def test_the_postal_code_lookup_needs_a_login(client):
    response = client.get("/postal-codes/?code=80000")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
