"""Access without a session: the first connection with the provisional credentials of the letter
(member 10252, INTERIM DEMO), and the forgotten password, whose e-mail goes through a real SMTP
server on loopback (aiosmtpd) or waits in the outbox for staff when no server is configured.

Outcomes first (statuses, rows, mails); the French wording of the messages is checked last in each
test, against translations/fr/LC_MESSAGES/messages.po."""

import html
import re
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select, update

from app import clock
from app.extensions import db
from app.models.account import OutboxMail, PasswordResetToken
from app.models.member import Member
from app.models.provisioning import ProvisionalCredential
from app.models.user import PortalUser
from app.permissions import ROLE_MEMBER, ROLE_MEMBER_ADMIN
from app.services import mail as mail_service
from app.services.access import RESET_TOKEN_LIFETIME
from app.views.messages import MESSAGES
from tests.conftest import PASSWORDS, csrf_token, login, post_form

FIRST_CONNECTION = "/access/first-connection"
ACCOUNT = "/access/first-connection/account"
FORGOT = "/access/forgot-password"
PROVISIONAL = {"identifier": "10252", "password": "Provisoire-10252"}
STRONG = "Trois chouettes lisent Proust sous la pluie"
NEW_PASSWORD = "Le boulanger pétrit sa pâte avant l'aube"
ADMIN = {
    "last_name": "DURAND",
    "first_name": "Sophie",
    "email": "sophie.durand@interim-demo.example",
    "phone": "03 22 00 00 03",
    "username": "agence.interim",
    "password": STRONG,
    "confirm": STRONG,
}
BERNARD = "bernard@boulangerie-demo.example"  # portal contact of 10250 (ets10250)
CAMILLE = "camille@boulangerie-demo.example"  # collaborator of 10250, not a portal contact
RESET_LINK = re.compile(r"https?://\S+/access/reset/[\w-]+")

# msgids of the views' own messages (the services' ones come from app.views.messages.MESSAGES)
ACCOUNT_CREATED = "Your account is created. Log in with your new identifier."
RESET_REQUESTED = (
    "If this number and this e-mail address match a portal contact, a message with a link to "
    "choose a new password has just been sent. The link is valid for one hour."
)
PASSWORD_CHANGED = "Your password is changed. Log in with it."
PASSWORDS_DIFFER = "The two passwords differ."
MAIL_SUBJECT = "Your member portal password"
TOO_MANY = "Too many attempts. Please wait a few minutes before trying again."


# --- French wording and page text -------------------------------------------------------------

PO_FILE = Path(__file__).resolve().parents[2] / "translations/fr/LC_MESSAGES/messages.po"


@cache
def _catalogue():
    with PO_FILE.open("rb") as fileobj:
        return read_po(fileobj, locale="fr")


def french(msgid) -> str:
    """The French of a msgid (or of a lazy_gettext string, which holds its msgid) in the .po."""
    msgid = msgid._args[0] if hasattr(msgid, "_args") else msgid
    entry = _catalogue().get(msgid)
    if entry is None or not entry.string:
        pytest.fail(f"not translated in {PO_FILE.name}: {msgid!r}", pytrace=False)
    return " ".join(entry.string.split())


def _text(fragment: str) -> str:
    fragment = re.sub(r"<button.*?</button>|<[^>]+>", " ", fragment, flags=re.S)
    return " ".join(html.unescape(fragment).split())


def messages(page: str) -> list[str]:
    """The flashed messages and the field errors of a page, as the user reads them."""
    found = re.findall(r'<div class="alert[^"]*">(.*?)</div>', page, re.S)
    found += re.findall(r'<span class="help-block">(.*?)</span>', page, re.S)
    return [_text(fragment) for fragment in found]


def page_text(page: str) -> str:
    return _text(page)


# --- database -----------------------------------------------------------------------------------


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def user_named(app, username: str) -> dict | None:
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
        if user is None:
            return None
        return {
            "roles": {role.name for role in user.roles},
            "member": user.member.number if user.member else None,
            "is_portal_contact": user.is_portal_contact,
            "email": user.email,
            "names": (user.last_name, user.first_name),
            "phone": user.phone,
            "password_hash": user.password,
            "id": user.id,
            "must_change_password": user.must_change_password,
        }


def credential_10252(app) -> ProvisionalCredential:
    with app.app_context():
        return db.session.scalar(
            select(ProvisionalCredential)
            .join(Member, Member.id == ProvisionalCredential.member_id)
            .where(Member.number == "10252")
        )


def users_of_10252(app) -> int:
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10252"))
    return count(app, PortalUser, PortalUser.member_id == member_id)


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def tokens(app) -> list[PasswordResetToken]:
    with app.app_context():
        return db.session.scalars(select(PasswordResetToken)).all()


# --- flows --------------------------------------------------------------------------------------


def first_connection(client, remote_addr: str = "127.0.0.1", **changes):
    data = {**PROVISIONAL, **changes}
    return post_form(client, FIRST_CONNECTION, data, environ_base={"REMOTE_ADDR": remote_addr})


def create_account(client, **changes):
    return post_form(client, ACCOUNT, {**ADMIN, **changes})


def ask_reset(client, number: str, email: str, **kw):
    """Ask for a link; the work runs once the answer is out, as under a WSGI server."""
    response = post_form(client, FORGOT, {"number": number, "email": email}, **kw)
    response.close()
    return response


def reset_path(body: str) -> str:
    match = RESET_LINK.search(body)
    assert match, f"no reset link in the mail:\n{body}"
    return urlsplit(match.group(0)).path


def mailed_reset_path(smtp, expected: int = 1) -> str:
    """The link of the last mail the SMTP server received (the outbox never keeps it)."""
    _recipients, mail = smtp.wait(expected)[-1]
    return reset_path(mail.get_content())


def logs_in(app, username: str, password: str) -> bool:
    response = login(app.test_client(), username, password)
    assert response.status_code == 302
    return response.location == "/"


# --- first connection ---------------------------------------------------------------------------


def test_first_connection_creates_the_administrator_who_then_logs_in(app, client):
    step1 = first_connection(client)
    assert (step1.status_code, step1.location) == (302, ACCOUNT)
    form = client.get(ACCOUNT)
    assert form.status_code == 200 and "INTERIM DEMO" in form.text

    step2 = create_account(client)
    assert (step2.status_code, step2.location) == (302, "/login/")
    user = user_named(app, "agence.interim")
    assert user is not None
    assert user["roles"] == {ROLE_MEMBER, ROLE_MEMBER_ADMIN}
    assert user["member"] == "10252" and user["is_portal_contact"] is True
    assert (user["email"], user["names"], user["phone"]) == (
        ADMIN["email"],
        ("DURAND", "Sophie"),
        ADMIN["phone"],
    )
    assert credential_10252(app).used_at is not None
    login_page = client.get("/login/")

    response = login(client, "agence.interim", STRONG)
    assert (response.status_code, response.location) == (302, "/")
    # The first connection's DUERP question (10252 has none), once: then the home page.
    assert client.get("/").location == "/duerp/"
    home = client.get("/")
    assert home.status_code == 200 and "INTERIM DEMO" in home.text

    assert french(ACCOUNT_CREATED) in messages(login_page.text)


def account_step_gone(client) -> bool:
    """The account step without a checked letter (Back after the account was created, or typed
    directly) sends to the login page with a message, not to a 404 (issue 9)."""
    response = client.get(ACCOUNT)
    return (response.status_code, response.location) == (302, "/login/")


def test_provisional_credentials_work_only_once(app, client):
    first_connection(client)
    assert create_account(client).status_code == 302

    other = app.test_client()
    again = first_connection(other)
    assert again.status_code == 200
    assert account_step_gone(other)
    replay = post_form(other, ACCOUNT, {**ADMIN, "username": "agence.bis"}, FIRST_CONNECTION)
    assert (replay.status_code, replay.location) == (302, "/login/")
    assert users_of_10252(app) == 1 and user_named(app, "agence.bis") is None

    assert messages(again.text) == [french(MESSAGES["bad_provisional"])]


def test_wrong_password_and_unknown_number_get_the_same_neutral_answer(app):
    answers = []
    for identifier, password in (
        ("10252", "Provisoire-10253"),  # right member, wrong password
        ("99999", "Provisoire-10252"),  # unknown member number
        ("10250", "Provisoire-10252"),  # member already activated (no letter)
    ):
        client = app.test_client()
        response = first_connection(client, identifier=identifier, password=password)
        assert response.status_code == 200
        assert account_step_gone(client)  # no step 2 in this session
        answers.append(messages(response.text))

    assert answers[0] == answers[1] == answers[2] and len(answers[0]) == 1
    assert credential_10252(app).used_at is None and users_of_10252(app) == 0

    assert answers[0] == [french(MESSAGES["bad_provisional"])]


@pytest.mark.parametrize(
    ("changes", "msgid"),
    [
        ({"username": "10252"}, MESSAGES["identifier_is_member_number"]),
        ({"username": "ets10250"}, MESSAGES["identifier_taken"]),
        ({"username": "ETS10250"}, MESSAGES["identifier_taken"]),
        ({"password": "motdepasse123", "confirm": "motdepasse123"}, MESSAGES["password_guessable"]),
        ({"password": "Court-7x!", "confirm": "Court-7x!"}, MESSAGES["password_too_short"]),
        ({"confirm": STRONG + "!"}, PASSWORDS_DIFFER),
    ],
    ids=[
        "identifier-is-member-number",
        "identifier-taken",
        "identifier-taken-other-case",
        "password-guessable",
        "password-too-short",
        "confirmation-differs",
    ],
)
def test_account_step_refuses_with_a_message_and_keeps_the_credential(app, client, changes, msgid):
    first_connection(client)
    users_before = count(app, PortalUser)

    response = create_account(client, **changes)
    assert response.status_code == 200
    assert count(app, PortalUser) == users_before and users_of_10252(app) == 0
    assert credential_10252(app).used_at is None
    shown = messages(response.text)

    # The credential is still usable: the same session completes the step once corrected.
    assert create_account(client).status_code == 302
    assert users_of_10252(app) == 1

    assert french(msgid) in shown


def test_an_address_used_by_another_members_account_is_accepted(app, client):
    """One accountant may serve several companies: e-mail addresses are not unique."""
    first_connection(client)
    assert create_account(client, email=BERNARD.upper()).status_code == 302
    assert users_of_10252(app) == 1


def test_account_step_without_the_first_step_sends_to_the_login_page(app, client):
    assert account_step_gone(client)
    forged = post_form(client, ACCOUNT, ADMIN, page_url=FIRST_CONNECTION)
    assert (forged.status_code, forged.location) == (302, "/login/")
    assert users_of_10252(app) == 0 and credential_10252(app).used_at is None


def test_first_connection_is_rate_limited_per_ip(app, client):
    statuses = [
        first_connection(client, identifier=f"9{n:04d}", password="Provisoire-0000").status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    blocked = first_connection(client)  # even the right credentials, from this address
    assert blocked.status_code == 429
    assert account_step_gone(client)
    assert credential_10252(app).used_at is None

    assert french(TOO_MANY) in page_text(blocked.text)


def test_first_connection_is_rate_limited_per_member_number(app, client):
    """Guessing a letter's password from many addresses: the 11th try on one number is refused."""
    statuses = [
        first_connection(
            client, remote_addr=f"192.0.2.{n + 1}", password=f"Provisoire-{n:04d}"
        ).status_code
        for n in range(10)
    ]
    blocked = first_connection(client, remote_addr="192.0.2.50")
    assert statuses == [200] * 10 and blocked.status_code == 429
    assert account_step_gone(client)
    assert credential_10252(app).used_at is None

    assert french(TOO_MANY) in page_text(blocked.text)


# --- forgotten password -------------------------------------------------------------------------


def test_forgotten_password_mail_link_sets_a_new_password_once(app, client, smtp):
    before = logs_in(app, "ets10250", PASSWORDS["ets10250"])
    assert before

    response = ask_reset(client, "10250", BERNARD)
    assert (response.status_code, response.location) == (302, "/login/")
    ((recipients, mail),) = smtp.wait()
    assert recipients == [BERNARD] and mail["To"] == BERNARD
    body = mail.get_content()
    assert "ets10250" in body and "Bonjour Bernard," in body and "dans l'heure" in body
    path = reset_path(body)

    form = client.get(path)
    assert form.status_code == 200
    done = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert (done.status_code, done.location) == (302, "/login/")
    assert logs_in(app, "ets10250", NEW_PASSWORD)
    assert not logs_in(app, "ets10250", PASSWORDS["ets10250"])

    # Single use: the link is spent.
    second = client.get(path)
    assert second.status_code == 404
    replay = post_form(client, path, {"password": STRONG, "confirm": STRONG}, page_url=FORGOT)
    assert replay.status_code == 404
    assert logs_in(app, "ets10250", NEW_PASSWORD)

    (row,) = outbox(app)
    assert row.recipient == BERNARD and row.sent_at is not None and row.error is None
    assert row.body is None  # erased once sent
    (token,) = tokens(app)
    assert token.used_at is not None
    assert token.expires_at - token.created_at == RESET_TOKEN_LIFETIME

    assert str(mail["Subject"]) == french(MAIL_SUBJECT)
    assert french(MESSAGES["bad_token"]) in page_text(second.text)


def test_reset_link_in_the_mail_points_to_the_portal_not_to_the_request_host(app, client, smtp):
    """The link is built from the configured PORTAL_URL: a forged Host header must not turn the
    mail into a link to another site carrying a valid token (password-reset poisoning)."""
    forged = "http://attacker.example"
    page = client.get(FORGOT, base_url=forged)
    response = client.post(
        FORGOT,
        base_url=forged,
        data={"number": "10250", "email": BERNARD, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    response.close()
    ((_recipients, mail),) = smtp.wait()
    link = RESET_LINK.search(mail.get_content()).group(0)
    assert link.startswith(app.config["PORTAL_URL"] + "/access/reset/"), link


def test_forgotten_password_answers_the_same_whether_or_not_it_matches(app):
    answers, produced = [], []
    for number, address in (
        ("10250", BERNARD),  # the portal contact: a mail and a token
        ("10250", "inconnu@boulangerie-demo.example"),  # wrong e-mail
        ("99999", BERNARD),  # unknown number
        ("10250", CAMILLE),  # a user of the member, but not its portal contact
    ):
        client = app.test_client()
        response = ask_reset(client, number, address)
        landing = client.get(response.location)
        answers.append(
            (response.status_code, response.location, response.text, messages(landing.text))
        )
        produced.append((len(outbox(app)), len(tokens(app))))

    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][:2] == (302, "/login/") and len(answers[0][3]) == 1
    assert produced == [(1, 1)] * 4  # only the first request wrote a mail and a token
    assert outbox(app)[0].recipient == BERNARD

    assert answers[0][3] == [french(RESET_REQUESTED)]


def test_an_expired_link_is_refused_and_the_password_is_unchanged(app, client, smtp):
    ask_reset(client, "10250", BERNARD)
    path = mailed_reset_path(smtp)
    assert client.get(path).status_code == 200
    hash_before = user_named(app, "ets10250")["password_hash"]
    with app.app_context():
        db.session.execute(
            update(PasswordResetToken).values(expires_at=clock.now() - timedelta(seconds=1))
        )
        db.session.commit()

    expired = client.get(path)
    assert expired.status_code == 404
    attempt = post_form(
        client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page_url=FORGOT
    )
    assert attempt.status_code == 404
    assert user_named(app, "ets10250")["password_hash"] == hash_before
    assert logs_in(app, "ets10250", PASSWORDS["ets10250"])
    assert tokens(app)[0].used_at is None

    assert french(MESSAGES["bad_token"]) in page_text(expired.text)


def test_a_password_reset_ends_the_sessions_opened_before(app, client, smtp):
    elsewhere = app.test_client()
    login(elsewhere, "ets10250")
    assert elsewhere.get("/").status_code == 200

    ask_reset(client, "10250", BERNARD)
    path = mailed_reset_path(smtp)
    done = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert (done.status_code, done.location) == (302, "/login/")

    ended = elsewhere.get("/")
    assert ended.status_code == 302 and urlsplit(ended.location).path == "/login/"
    login_page = client.get("/login/")

    assert french(PASSWORD_CHANGED) in messages(login_page.text)


def test_without_smtp_server_the_mail_waits_in_the_outbox_without_its_link(app, client):
    """The outbox is for the service's administrators only, and never holds a reset link."""
    app.config["MAIL_SERVER"] = ""
    response = ask_reset(client, "10250", BERNARD)
    assert response.status_code == 302
    (row,) = outbox(app)
    assert row.recipient == BERNARD and row.sent_at is None and row.error is None
    assert "/access/reset/" not in row.body and mail_service.SECRET_PLACEHOLDER in row.body

    admin = app.test_client()
    login(admin, "admin")
    listing = admin.get("/adminoutboxview/list/")
    assert listing.status_code == 200 and BERNARD in listing.text
    shown = admin.get(f"/adminoutboxview/show/{row.id}")
    assert shown.status_code == 200 and "/access/reset/" not in shown.text

    for username in ("gestion", "ets10250"):  # staff and members: no outbox
        other = app.test_client()
        login(other, username)
        assert other.get("/adminoutboxview/list/").status_code == 403
        assert other.get(f"/adminoutboxview/show/{row.id}").status_code == 403


def test_a_sent_mail_leaves_no_body_in_the_outbox(app, client, smtp):
    ask_reset(client, "10250", BERNARD)
    assert "/access/reset/" in mailed_reset_path(smtp)
    (row,) = outbox(app)
    assert row.sent_at is not None and row.body is None


def test_forgotten_password_is_rate_limited_per_number(app, client):
    statuses = [
        ask_reset(
            client,
            "10250",
            f"essai{n}@example.org",
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
        ).status_code
        for n in range(10)
    ]
    blocked = ask_reset(client, "10250", BERNARD, environ_base={"REMOTE_ADDR": "192.0.2.50"})
    assert statuses == [302] * 10 and blocked.status_code == 429
    assert outbox(app) == [] and tokens(app) == []  # the right pair came too late
    other = ask_reset(client, "10251", "x@example.org", environ_base={"REMOTE_ADDR": "192.0.2.51"})
    assert other.status_code == 302  # another number is still answered

    assert french(TOO_MANY) in page_text(blocked.text)
