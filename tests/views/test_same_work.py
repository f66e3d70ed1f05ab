"""Enumeration by timing (issue 8, item 6): the login and the forgotten-password form do the same
database work whether or not the account exists. Statement counts are deterministic; the times
themselves are measured by `python -m bench.access_timing`."""

import pytest
from sqlalchemy import event, update

from app import clock
from app.extensions import db
from app.models.user import PortalUser
from tests.conftest import csrf_token


def statements_of(app, call) -> list[str]:
    """The SQL statements (their verb and first table) a call sends to the database."""
    executed = []

    def record(_conn, _cursor, statement, *_args):
        words = statement.split()
        after = {"SELECT": "FROM", "INSERT": "INTO", "DELETE": "FROM"}.get(words[0], words[0])
        executed.append(f"{words[0]} {words[words.index(after) + 1]}")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return executed


def _set(app, username, **values):
    with app.app_context():
        db.session.execute(
            update(PortalUser).where(PortalUser.username == username).values(**values)
        )
        db.session.commit()


def _failed_login(app, username: str) -> list[str]:
    client = app.test_client()
    token = csrf_token(client.get("/login/").text)
    data = {"username": username, "password": "Not-the-password-2026", "csrf_token": token}
    executed = statements_of(app, lambda: client.post("/login/", data=data))
    assert client.get("/").status_code == 302  # not logged in
    return executed


def test_a_failed_login_costs_the_same_statements_whoever_is_named(app):
    _set(app, "ets10251", active=False)
    _set(app, "ets10250.2", locked_until=clock.now().replace(year=clock.now().year + 1))
    unknown = _failed_login(app, "nobody-here")
    for username in ("ets10250", "ets10251", "ets10250.2"):  # active, inactive, locked
        assert _failed_login(app, username) == unknown, username
    assert any(statement.startswith("UPDATE ab_user") for statement in unknown)


@pytest.mark.parametrize(
    ("number", "email"),
    [("10250", "inconnu@example.org"), ("99999", "bernard@boulangerie-demo.example")],
)
def test_the_forgotten_password_answer_does_the_same_work_as_a_match(app, number, email):
    """Before its answer leaves, the request does no lookup at all: the work (lookup, token,
    mail) runs after the response."""

    def ask(client, number, email):
        token = csrf_token(client.get("/access/forgot-password").text)
        data = {"number": number, "email": email, "csrf_token": token}
        return statements_of(app, lambda: client.post("/access/forgot-password", data=data))

    match = ask(app.test_client(), "10250", "bernard@boulangerie-demo.example")
    assert ask(app.test_client(), number, email) == match
