"""Single-use credentials under concurrent requests, and links revoked by any password change
(issue 8, items 1, 4 and 5): the first-connection letter and a reset link are spent by one
conditional UPDATE in the transaction that uses them, so two requests at once give one result."""

import threading
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.member import Member
from app.models.user import PortalUser
from app.services import audit
from tests.conftest import PASSWORDS, csrf_token, login, post_form
from tests.views.test_access import (
    ACCOUNT,
    ADMIN,
    BERNARD,
    FIRST_CONNECTION,
    NEW_PASSWORD,
    PROVISIONAL,
    STRONG,
    ask_reset,
    logs_in,
    mailed_reset_path,
    reset_path,
    user_named,
)
from tests.views.test_profile import MINE


def at_once(calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def same_session(app, client):
    """A second client carrying the first one's session cookie (one browser, two tabs)."""
    twin = app.test_client()
    cookie = client.get_cookie("session")
    twin.set_cookie("session", cookie.value, domain=cookie.domain)
    return twin


def administrators_of_10252(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            select(PortalUser.username)
            .join(Member, Member.id == PortalUser.member_id)
            .where(Member.number == "10252")
        ).all()


def test_one_letter_posted_twice_at_once_creates_one_administrator(app, client):
    post_form(client, FIRST_CONNECTION, PROVISIONAL)
    twin = same_session(app, client)
    token = csrf_token(client.get(ACCOUNT).text)
    forms = [
        {**ADMIN, "username": name, "email": f"{name}@interim-demo.example", "csrf_token": token}
        for name in ("interim.a", "interim.b")
    ]
    statuses = at_once(
        [lambda: client.post(ACCOUNT, data=forms[0]), lambda: twin.post(ACCOUNT, data=forms[1])]
    )
    assert len(administrators_of_10252(app)) == 1
    assert sorted(response.status_code for response in statuses) in ([200, 302], [302, 404])


def test_one_reset_link_posted_twice_at_once_changes_the_password_once(app, client, smtp):
    ask_reset(client, "10250", BERNARD)
    path = mailed_reset_path(smtp)
    other = app.test_client()
    token, other_token = csrf_token(client.get(path).text), csrf_token(other.get(path).text)
    passwords = (NEW_PASSWORD, STRONG)
    results = at_once(
        [
            lambda: client.post(
                path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
            ),
            lambda: other.post(
                path, data={"password": STRONG, "confirm": STRONG, "csrf_token": other_token}
            ),
        ]
    )
    assert sorted(r.status_code for r in results) == [302, 404]  # the loser: "link not valid"
    changed = [r.status_code == 302 for r in results]
    winner = passwords[changed.index(True)]
    assert logs_in(app, "ets10250", winner)
    assert not logs_in(app, "ets10250", passwords[changed.index(False)])
    with app.app_context():
        resets = db.session.scalar(
            select(func.count()).where(AuditEntry.action == "password_reset")
        )
    assert resets == 1


def _reset_paths(client, smtp, count: int) -> list[str]:
    for _n in range(count):
        ask_reset(client, "10250", BERNARD)
    return [reset_path(mail.get_content()) for _rcpt, mail in smtp.wait(count)[-count:]]


def test_using_a_reset_link_revokes_the_older_ones(app, client, smtp):
    first, second = _reset_paths(client, smtp, 2)
    done = post_form(client, second, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get(first).status_code == 404
    attempt = post_form(
        client, first, {"password": STRONG, "confirm": STRONG}, page_url="/access/forgot-password"
    )
    assert attempt.status_code == 404 and logs_in(app, "ets10250", NEW_PASSWORD)


def test_a_password_change_in_the_profile_revokes_outstanding_links(app, client, smtp):
    (path,) = _reset_paths(client, smtp, 1)
    owner = app.test_client()
    login(owner, "ets10250")
    profile = {
        **MINE,
        "current_password": PASSWORDS["ets10250"],
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    assert post_form(owner, "/profile/", profile).status_code == 302
    assert client.get(path).status_code == 404


def test_a_reset_by_the_administrator_revokes_outstanding_links(app, client, smtp):
    (path,) = _reset_paths(client, smtp, 1)
    admin = app.test_client()
    login(admin, "admin")
    user_id = user_named(app, "ets10250")["id"]
    page = admin.get(f"/users/show/{user_id}")
    response = admin.post(
        f"/users/action/resetpasswords/{user_id}", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 200 and "provisional-password" in response.text
    assert client.get(path).status_code == 404
    assert user_named(app, "ets10250")["must_change_password"]


def test_flask_appbuilder_password_screens_are_gone(app):
    admin = app.test_client()
    login(admin, "admin")
    user_id = user_named(app, "ets10250")["id"]
    for url in (
        "/resetpassword/form",
        f"/resetpassword/form?pk={user_id}",
        "/resetmypassword/form",
    ):
        assert admin.get(url).status_code == 404
    token = csrf_token(admin.get(f"/users/show/{user_id}").text)
    mine = admin.post(f"/users/action/resetmypassword/{user_id}", data={"csrf_token": token})
    assert (mine.status_code, urlsplit(mine.location).path) == (302, "/profile/")


def test_two_administrators_removing_each_other_at_once_leave_one(app, client):
    """The company keeps an active administrator even when its two administrators each remove
    the other's right at the same moment."""
    login(client, "ets10250")
    second = user_named(app, "ets10250.2")
    rights = client.get(f"/company-users/{second['id']}/rights")
    token = csrf_token(rights.text)
    client.post(
        f"/company-users/{second['id']}/rights",
        data={"rights": ["MemberAdmin"], "csrf_token": token},
    )
    assert "MemberAdmin" in user_named(app, "ets10250.2")["roles"]
    other = app.test_client()
    login(other, "ets10250.2", PASSWORDS["ets10250.2"])
    first = user_named(app, "ets10250")
    other_token = csrf_token(other.get("/company-users/").text)
    at_once(
        [
            lambda: client.post(
                f"/company-users/{second['id']}/rights",
                data={"rights": ["right.reports"], "csrf_token": token},
            ),
            lambda: other.post(
                f"/company-users/{first['id']}/rights",
                data={"rights": ["right.reports"], "csrf_token": other_token},
            ),
        ]
    )
    admins = [
        name
        for name in ("ets10250", "ets10250.2")
        if "MemberAdmin" in user_named(app, name)["roles"]
    ]
    assert len(admins) == 1


def test_flask_appbuilder_user_form_applies_the_password_policy(app):
    admin = app.test_client()
    login(admin, "admin")
    form = {
        "first_name": "Paul",
        "last_name": "AGENT",
        "username": "paul.agent",
        "email": "paul@asmis.example",
        "active": "y",
        "roles": "2",
    }
    weak = post_form(
        admin,
        "/users/add",
        {**form, "password": "azerty", "conf_password": "azerty"},
        follow_redirects=True,
    )
    assert "au moins 12 caractères" in weak.text
    assert user_named(app, "paul.agent") is None
    strong = post_form(admin, "/users/add", {**form, "password": STRONG, "conf_password": STRONG})
    assert strong.status_code == 302 and user_named(app, "paul.agent") is not None


def test_the_audit_log_shows_actions_in_french_not_as_codes(app, staff):
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10250"))
        audit.record("rights_changed", member=member, target="ets10250.2")
        db.session.commit()
    page = staff.get("/backofficeauditview/list/")
    assert page.status_code == 200
    assert "Droits modifiés" in page.text and "rights_changed" not in page.text


def test_back_office_shows_nothing_rather_than_none(app, staff):
    """An absence has no conclusion, a mail not sent has no error: blank cells, not "None"."""
    page = staff.get("/backofficevisitview/list/?_flt_0_outcome=ABSENT")
    assert page.status_code == 200 and "Absent" in page.text
    assert ">None<" not in page.text.replace(" ", "")


def test_provisional_credentials_typed_on_the_login_form_point_to_first_connection(app):
    client = app.test_client()
    answer = login(client, "10252", "Provisoire-10252")
    assert answer.status_code == 302
    shown = client.get(answer.location).text
    assert "Première connexion ? Créer mon compte" in shown and "une fois" in shown
    other = app.test_client()
    assert "une fois" not in other.get(login(other, "someone", "wrong-password-1").location).text


def _fail_at_once(app, username: str, count: int) -> PortalUser:
    def fail():
        with app.test_request_context():
            try:
                return app.appbuilder.sm.auth_user_db(username, "not-the-password")
            finally:
                db.session.remove()

    assert at_once([fail] * count) == [None] * count
    with app.app_context():
        return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def test_failed_logins_at_the_same_moment_all_count(app):
    """Each failure adds one in SQL: reading the count first let parallel attempts count once,
    and so dodge the lock."""
    app.config["AUTH_LOCK_THRESHOLD"] = 10
    user = _fail_at_once(app, "ets10251", 4)
    assert user.fail_login_count == 4
    assert user.locked_until is None


def test_failures_at_the_same_moment_reaching_the_threshold_lock_the_account(app):
    app.config["AUTH_LOCK_THRESHOLD"] = 3
    user = _fail_at_once(app, "ets10251", 4)
    assert user.locked_until is not None
    assert user.fail_login_count <= 1  # reset at the lock; a failure after it may count again
