"""Portal: home sections by rights, the company page, contacts."""

from sqlalchemy import select

from app.extensions import db
from app.models.member import Contact, Member
from tests.conftest import login, post_form


def _member(app, number):
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.number == number))


def test_member_admin_home_shows_the_company_and_every_section(client):
    login(client, "ets10250")
    page = client.get("/").text
    assert "BOULANGERIE DEMO" in page and "10250" in page
    # with "Nos centres" and "Contactez-nous" (issue 12)
    assert page.count("panel panel-default portal-section") == 10


def test_collaborator_sees_only_the_sections_of_its_rights(client):
    login(client, "ets10250.2")
    page = client.get("/").text
    assert (
        page.count("panel panel-default portal-section") == 5
    )  # company, employees (read), visit requests, centres, contact
    assert "Profils" not in page


def test_staff_home_is_the_back_office(client):
    login(client, "gestion")
    page = client.get("/").text
    assert "portal-section" not in page and "/backofficememberview/list/" in page


def test_company_page_shows_establishments_contacts_and_health_team(app, client):
    login(client, "ets10250")
    response = client.get("/portalcompanyview/mine/", follow_redirects=True)
    assert response.status_code == 200
    assert "company-edit" in response.text
    for text in ("10250000600014", "ANNEXE", "COMPTABLE", "Équipe Amiens Siège 1", "MARTIN"):
        assert text in response.text


def test_member_admin_edits_coordinates_but_not_identity(app, client):
    login(client, "ets10250")
    member = _member(app, "10250")
    url = f"/portalcompanyview/edit/{member.id}"
    response = post_form(
        client,
        url,
        {"phone": "03 22 99 99 99", "naf_code": "1071C", "name": "AUTRE NOM", "siret": "1"},
    )
    assert response.status_code == 302
    member = _member(app, "10250")
    assert member.phone == "03 22 99 99 99"
    assert (member.name, member.siret) == ("BOULANGERIE DEMO", "10250000600014")


def test_bad_naf_code_is_refused_with_a_message(app, client):
    login(client, "ets10250")
    member = _member(app, "10250")
    response = post_form(client, f"/portalcompanyview/edit/{member.id}", {"naf_code": "12"})
    assert response.status_code == 200 and "8621Z" in response.text
    assert _member(app, "10250").naf_code == "1071C"


def test_collaborator_reads_the_company_but_cannot_edit(app, client):
    login(client, "ets10250.2")
    member = _member(app, "10250")
    page = client.get(f"/portalcompanyview/show/{member.id}")
    assert page.status_code == 200 and "company-edit" not in page.text
    assert client.get(f"/portalcompanyview/edit/{member.id}").status_code == 403
    assert client.get("/portalcontactview/add").status_code == 403


def test_contact_added_with_a_forged_member_belongs_to_the_user_member(app, client):
    login(client, "ets10250")
    other = _member(app, "10251")
    response = post_form(
        client,
        "/portalcontactview/add",
        {"last_name": "RH", "first_name": "Paul", "member": other.id, "member_id": other.id},
    )
    assert response.status_code == 302
    with app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.last_name == "RH"))
        assert contact.member_id == _member(app, "10250").id
