"""The member administrator's management of the company's accounts, and what collaborators see."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.user import PortalUser
from tests.conftest import csrf_token, login, post_form

NEW = {
    "username": "ets10250.3",
    "last_name": "PATISSIER",
    "first_name": "Léa",
    "email": "lea@boulangerie-demo.example",
    "phone": "0322000003",
}


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        if user is not None:
            user.role_names = sorted(role.name for role in user.roles)
        return user


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _post(client, url, data=None):
    token = csrf_token(client.get("/company-users/").text)
    return client.post(url, data={**(data or {}), "csrf_token": token})


def test_admin_lists_the_company_accounts_with_the_manual_columns(client):
    login(client, "ets10250")
    page = client.get("/company-users/").text
    for column in ("Identifiant", "Nom d'usage", "E-mail", "Actif", "Contact portail", "Droits"):
        assert column in page
    assert "ets10250.2" in page and "ets10251" not in page
    assert "1 - 2 de 2" in page


def test_collaborator_is_created_with_a_provisional_password_to_change(app, client):
    login(client, "ets10250")
    response = post_form(client, "/company-users/new", NEW)
    assert response.status_code == 200
    password = re.search(r'class="provisional-password">([^<]+)<', response.text).group(1)
    user = _user(app, "ets10250.3")
    assert user.must_change_password and user.member_id == _user(app, "ets10250").member_id
    assert user.role_names == ["Member"]

    collaborator = app.test_client()
    login(collaborator, "ets10250.3", password)
    assert collaborator.get("/").headers["Location"].endswith("/profile/")
    response = post_form(
        collaborator,
        "/profile/",
        {
            **NEW,
            "current_password": password,
            "password": "Fournil-du-matin-2026",
            "confirm": "Fournil-du-matin-2026",
        },
    )
    assert response.status_code == 302
    assert collaborator.get("/").status_code == 200
    assert not _user(app, "ets10250.3").must_change_password


def test_taken_identifier_is_refused_without_saying_whose(app, client):
    login(client, "ets10250")
    for taken in ("ETS10251", "gestion", "ets10250.2"):  # another member's, staff's, own company's
        response = post_form(client, "/company-users/new", {**NEW, "username": taken})
        assert response.status_code == 200 and "n'est pas disponible" in response.text
        assert "TRANSPORTS" not in response.text and "déjà utilisé" not in response.text
    assert _user(app, "ets10250.3") is None


def test_identifier_equal_to_the_member_number_is_refused(app, client):
    login(client, "ets10250")
    response = post_form(client, "/company-users/new", {**NEW, "username": "10250"})
    assert response.status_code == 200 and "numéro d'adhérent" in response.text
    assert _user(app, "10250") is None


def test_an_email_used_by_another_members_account_is_accepted(app, client):
    login(client, "ets10250")
    response = post_form(
        client, "/company-users/new", {**NEW, "email": "thierry@transports-demo.example"}
    )
    assert response.status_code == 200 and "provisional-password" in response.text
    assert _user(app, "ets10250.3").email == "thierry@transports-demo.example"


def test_rights_are_granted_from_the_catalogue_and_audited(app, client):
    login(client, "ets10250")
    target = _user(app, "ets10250.2")
    response = _post(
        client,
        f"/company-users/{target.id}/rights",
        {"rights": ["right.documents", "right.reports"]},
    )
    assert response.status_code == 302
    assert _user(app, "ets10250.2").role_names == ["Member", "right.documents", "right.reports"]
    [entry] = _audit(app, "rights_changed")
    assert entry.details["before"] == ["right.employees.read", "right.visits"]
    assert entry.details["after"] == ["right.documents", "right.reports"]
    assert entry.actor_id == _user(app, "ets10250").id


def test_forged_right_is_refused_and_nothing_changes(app, client):
    login(client, "ets10250")
    target = _user(app, "ets10250.2")
    for forged in (["Admin"], ["Staff"], ["right.reports", "Admin"]):
        response = _post(client, f"/company-users/{target.id}/rights", {"rights": forged})
        assert response.status_code == 400
    assert _user(app, "ets10250.2").role_names == ["Member", "right.employees.read", "right.visits"]
    assert _audit(app, "rights_changed") == []


def test_employees_admin_box_grants_full_rights_on_employees(app, client):
    login(client, "ets10250")
    target = _user(app, "ets10250.2")
    _post(client, f"/company-users/{target.id}/toggle/employees", {"value": "1"})
    assert "right.employees.write" in _user(app, "ets10250.2").role_names


def test_last_admin_cannot_demote_deactivate_or_delete_themself(app, client):
    login(client, "ets10250")
    admin = _user(app, "ets10250")
    _post(client, f"/company-users/{admin.id}/rights", {"rights": ["right.reports"]})
    _post(client, f"/company-users/{admin.id}/toggle/active", {"value": "0"})
    _post(client, f"/company-users/{admin.id}/delete")
    admin = _user(app, "ets10250")
    assert admin is not None and admin.active and "MemberAdmin" in admin.role_names
    assert "au moins un administrateur" in client.get("/company-users/").text


def test_a_second_admin_allows_the_first_to_step_down(app, client):
    login(client, "ets10250")
    other = _user(app, "ets10250.2")
    _post(client, f"/company-users/{other.id}/rights", {"rights": ["MemberAdmin"]})
    admin = _user(app, "ets10250")
    _post(client, f"/company-users/{admin.id}/rights", {"rights": ["right.reports"]})
    assert "MemberAdmin" not in _user(app, "ets10250").role_names


def test_deactivated_collaborator_cannot_log_in_and_loses_open_sessions(app, client):
    collaborator = app.test_client()
    login(collaborator, "ets10250.2")
    assert collaborator.get("/").status_code == 200
    login(client, "ets10250")
    target = _user(app, "ets10250.2")
    _post(client, f"/company-users/{target.id}/toggle/active", {"value": "0"})
    assert collaborator.get("/").status_code == 302
    fresh = app.test_client()
    login(fresh, "ets10250.2")
    assert fresh.get("/").status_code == 302


def test_reset_gives_a_new_provisional_password_and_ends_sessions(app, client):
    collaborator = app.test_client()
    login(collaborator, "ets10250.2")
    login(client, "ets10250")
    target = _user(app, "ets10250.2")
    response = _post(client, f"/company-users/{target.id}/reset")
    password = re.search(r'class="provisional-password">([^<]+)<', response.text).group(1)
    assert collaborator.get("/").status_code == 302
    assert login(app.test_client(), "ets10250.2", "Collab-demo-2026").headers["Location"] != "/"
    assert login(app.test_client(), "ets10250.2", password).headers["Location"] == "/"
    assert _user(app, "ets10250.2").must_change_password


def test_deleting_a_collaborator_is_audited(app, client):
    login(client, "ets10250")
    target = _user(app, "ets10250.2")
    assert _post(client, f"/company-users/{target.id}/delete").status_code == 302
    assert _user(app, "ets10250.2") is None
    [entry] = _audit(app, "account_deleted")
    assert entry.target == "ets10250.2"


def test_admin_never_reaches_another_member_users(app, client):
    login(client, "ets10250")
    other = _user(app, "ets10251")
    for url in (f"/company-users/{other.id}/rights",):
        assert client.get(url).status_code == 404
    for action in ("reset", "toggle/active", "delete", "rights"):
        assert (
            _post(client, f"/company-users/{other.id}/{action}", {"value": "0"}).status_code == 404
        )
    assert _user(app, "ets10251").active


def test_collaborator_cannot_manage_accounts_and_sees_only_its_sections(client):
    login(client, "ets10250.2")
    assert client.get("/company-users/").status_code == 403
    assert client.get("/company-users/new").status_code == 403
    menu = client.get("/").text
    assert "/company-users/" not in menu
