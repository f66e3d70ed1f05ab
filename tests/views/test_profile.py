"""Every user's own profile ("modifier votre profil")."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models.account import OutboxMail
from app.models.audit import AuditEntry
from app.models.user import PortalUser
from tests.conftest import PASSWORDS, login, post_form

MINE_PW = PASSWORDS["ets10250"]
LINK = re.compile(r"https?://\S+/access/confirm-email/\S+")

MINE = {
    "username": "ets10250",
    "last_name": "BOULANGER",
    "first_name": "Bernard",
    "email": "bernard@boulangerie-demo.example",
    "phone": "0322000000",
    "is_portal_contact": "y",
}


def _user(app, user_id):
    with app.app_context():
        return db.session.get(PortalUser, user_id)


def _outbox(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMail)).all()


def _id(app, username):
    with app.app_context():
        return db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))


def test_profile_shows_the_manual_fields(client):
    login(client, "ets10250")
    page = client.get("/profile/").text
    for label in (
        "Nouvel identifiant",
        "Nom d'usage",
        "Mot de passe actuel",
        "Je suis la personne de contact pour mon entreprise",
    ):
        assert label in page


def test_names_and_phone_change_without_the_password(app, client):
    login(client, "ets10250")
    response = post_form(client, "/profile/", {**MINE, "phone": "0611223344"})
    assert response.status_code == 302
    assert _user(app, _id(app, "ets10250")).phone == "06 11 22 33 44"  # normalised


def test_identifier_change_needs_the_current_password(app, client):
    login(client, "ets10250")
    user_id = _id(app, "ets10250")
    refused = post_form(client, "/profile/", {**MINE, "username": "bernard.b"})
    assert refused.status_code == 200 and "mot de passe actuel" in refused.text.lower()
    assert _user(app, user_id).username == "ets10250"
    accepted = post_form(
        client,
        "/profile/",
        {**MINE, "username": "bernard.b", "current_password": "Adherent-demo-2026"},
    )
    assert accepted.status_code == 302 and _user(app, user_id).username == "bernard.b"


def test_password_change_needs_current_password_and_policy_and_ends_other_sessions(app, client):
    other_device = app.test_client()
    login(other_device, "ets10250")
    login(client, "ets10250")
    new = {"password": "Pain-au-levain-chaque-matin", "confirm": "Pain-au-levain-chaque-matin"}
    assert post_form(client, "/profile/", {**MINE, **new}).status_code == 200
    weak = {"password": "azertyuiop12", "confirm": "azertyuiop12"}
    weak_answer = post_form(
        client, "/profile/", {**MINE, **weak, "current_password": "Adherent-demo-2026"}
    )
    assert weak_answer.status_code == 200 and "trop facile" in weak_answer.text
    ok = post_form(client, "/profile/", {**MINE, **new, "current_password": "Adherent-demo-2026"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session follows the change
    assert other_device.get("/").status_code == 302  # the other one is over
    assert login(app.test_client(), "ets10250", new["password"]).headers["Location"] == "/"


def test_portal_contact_flag_is_the_users_choice_with_the_current_password(app, client):
    """The flag decides who may recover the account by e-mail: a stolen session alone must not
    set it."""
    login(client, "ets10250.2")
    data = {**MINE, "username": "ets10250.2", "email": "camille@boulangerie-demo.example"}
    refused = post_form(client, "/profile/", data)
    assert refused.status_code == 200 and "mot de passe actuel" in refused.text.lower()
    assert not _user(app, _id(app, "ets10250.2")).is_portal_contact
    post_form(client, "/profile/", {**data, "current_password": PASSWORDS["ets10250.2"]})
    assert _user(app, _id(app, "ets10250.2")).is_portal_contact


def test_staff_profile_has_no_company_contact_flag(client):
    login(client, "gestion")
    page = client.get("/profile/").text
    assert "Nouvel identifiant" in page and "is_portal_contact" not in page


def test_email_change_needs_the_current_password(app, client):
    login(client, "ets10250")
    response = post_form(client, "/profile/", {**MINE, "email": "pirate@attacker.example"})
    assert response.status_code == 200 and "mot de passe actuel" in response.text.lower()
    user = _user(app, _id(app, "ets10250"))
    assert user.email == MINE["email"] and user.pending_email is None
    assert _outbox(app) == []


def test_new_email_is_used_only_once_confirmed_and_the_old_one_is_told(app, client, smtp):
    """A new address (even one another member's account uses) waits for its confirmation link;
    password recovery keeps the old one until then; the old one gets a notice."""
    login(client, "ets10250")
    new = "THIERRY@transports-demo.example"
    response = post_form(client, "/profile/", {**MINE, "email": new, "current_password": MINE_PW})
    assert response.status_code == 302
    response.close()
    received = {tuple(rcpt): mail for rcpt, mail in smtp.wait(2)}
    assert set(received) == {(new,), (MINE["email"],)}
    user = _user(app, _id(app, "ets10250"))
    assert user.email == MINE["email"] and user.pending_email == new
    assert new in received[(MINE["email"],)].get_content()  # the notice names the new address
    link = LINK.search(received[(new,)].get_content()).group(0)
    assert link.startswith(app.config["PORTAL_URL"] + "/access/confirm-email/")
    assert all("/access/confirm-email/" not in (row.body or "") for row in _outbox(app))

    path = urlsplit(link).path
    anonymous = app.test_client()
    page = anonymous.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and _user(app, user.id).email == MINE["email"]
    confirmed = post_form(anonymous, path)
    assert confirmed.status_code == 302
    user = _user(app, user.id)
    assert user.email == new and user.pending_email is None
    assert post_form(anonymous, path, page_url="/login/").status_code == 404  # single use
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == "ets10250")
        ).all()
    assert {"email_change_requested", "email_changed"} <= set(actions)


def test_identifier_equal_to_the_member_number_is_refused_in_the_profile(app, client):
    login(client, "ets10250")
    response = post_form(
        client, "/profile/", {**MINE, "username": "10250", "current_password": MINE_PW}
    )
    assert response.status_code == 200 and "numéro d'adhérent" in response.text
    assert _user(app, _id(app, "ets10250")).username == "ets10250"
