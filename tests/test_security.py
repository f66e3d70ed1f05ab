"""Security baseline: headers, cookies, CSRF, login rate limits, account lock, JSON login, logout,
production settings."""

import pytest
from sqlalchemy import select

import config
from app import clock
from app.extensions import db
from app.models.member import Contact
from app.models.user import PortalUser
from tests.conftest import csrf_token, login, make_app


def _user(app, username):
    with app.app_context():
        return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def test_pages_carry_security_headers_and_a_nonce_csp(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"].startswith("no-store")


def test_session_cookie_is_httponly_and_samesite(client):
    response = login(client, "ets10250")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused_and_saves_nothing(app, client):
    assert client.post("/login/", data={"username": "ets10250", "password": "x"}).status_code == 400
    login(client, "ets10250")
    response = client.post("/portalcontactview/add", data={"last_name": "SANSJETON"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Contact).where(Contact.last_name == "SANSJETON")) is None


def test_login_is_rate_limited_per_ip(client):
    token = csrf_token(client.get("/login/").get_data(as_text=True))
    statuses = [
        client.post(
            "/login/", data={"username": f"nobody{i}", "password": "x", "csrf_token": token}
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429


def test_login_is_rate_limited_per_account_whatever_the_ip(app):
    app.config["AUTH_LOCK_THRESHOLD"] = 0  # isolate the rate limit from the account lock
    statuses = []
    for i in range(11):
        client = app.test_client()
        ip = {"REMOTE_ADDR": f"10.0.0.{i + 1}"}
        token = csrf_token(client.get("/login/", environ_base=ip).get_data(as_text=True))
        data = {"username": "ets10251", "password": "wrong-password", "csrf_token": token}
        statuses.append(client.post("/login/", data=data, environ_base=ip).status_code)
    assert statuses[:10] == [302] * 10 and statuses[10] == 429


def test_account_locks_after_repeated_failures_until_staff_unlock(app, client):
    for _ in range(5):
        login(client, "ets10251", "wrong-password")
    assert _user(app, "ets10251").locked_until > clock.now()
    login(client, "ets10251")  # the right password is refused while locked
    assert client.get("/").status_code == 302

    staff = app.test_client()
    login(staff, "gestion")
    page = staff.get("/backofficeportaluserview/list/").get_data(as_text=True)
    user_id = _user(app, "ets10251").id
    response = staff.post(
        "/backofficeportaluserview/action_post",
        data={"action": "unlock", "rowid": [str(user_id)], "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    assert _user(app, "ets10251").locked_until is None
    assert login(client, "ets10251").headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_lock_expires_by_itself(app, client):
    for _ in range(5):
        login(client, "ets10251", "wrong-password")
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10251"))
        user.locked_until = clock.now().replace(year=2000)
        db.session.commit()
    login(client, "ets10251")
    assert client.get("/").status_code == 200


def test_json_login_is_disabled(client):
    response = client.post(
        "/api/v1/security/login",
        json={"username": "admin", "password": "Admin-demo-2026", "provider": "db"},
    )
    assert response.status_code == 404


def test_logout_only_by_post_and_it_ends_the_session(client):
    login(client, "ets10250")
    home = client.get("/")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/", data={"csrf_token": csrf_token(home.text)})
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/login/")


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError):
        config.load()
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-from-the-environment")
    settings = config.load()
    assert settings["SECRET_KEY"] == "a-production-secret-from-the-environment"
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_french_by_default_and_english_on_the_switch(app, databases):
    client = make_app(databases.test_url).test_client()
    assert "Identifiant" in client.get("/login/").text
    client.get("/lang/en")
    assert "Username" in client.get("/login/").text or "Identifier" in client.get("/login/").text
