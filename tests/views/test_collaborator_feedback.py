"""Toggling a collaborator's flags on the profiles page (issue 9, "No feedback, lost place"): a
message names the person and says what changed, and the page comes back on that person's row."""

import pytest
from flask_babel import force_locale
from lxml import html as lxml_html
from sqlalchemy import select

from app.extensions import db
from app.models.user import PortalUser
from app.views.portal.users import TOGGLED
from tests.conftest import csrf_token
from tests.views.test_employees import logged_in

USERS = "/company-users/"


def _target(app):
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250.2"))
        return user.id, f"{user.first_name} {user.last_name} (ets10250.2)"


def _state(app, user_id):
    with app.app_context():
        user = db.session.get(PortalUser, user_id)
        return {
            "active": user.active,
            "contact": user.is_portal_contact,
            "employees": any(role.name == "right.employees.write" for role in user.roles),
        }


def _french(app, flag, value, name):
    with app.test_request_context(), force_locale("fr"):
        return str(TOGGLED[flag, value]) % {"name": name}


def _alerts(page: str) -> list[tuple[str, str]]:
    tree = lxml_html.fromstring(page)
    for button in tree.xpath("//div[contains(@class, 'alert')]//button"):
        button.drop_tree()
    return [
        (div.get("class"), " ".join(div.text_content().split()))
        for div in tree.xpath("//div[contains(concat(' ', @class, ' '), ' alert ')]")
    ]


@pytest.mark.parametrize(
    ("flag", "value"),
    [("active", False), ("contact", True), ("employees", True), ("employees", False)],
)
def test_a_toggle_names_the_person_and_returns_to_the_row(app, flag, value):
    client = logged_in(app, "ets10250")
    user_id, name = _target(app)
    token = csrf_token(client.get(USERS).text)

    response = client.post(
        f"{USERS}{user_id}/toggle/{flag}",
        data={"value": "1" if value else "0", "csrf_token": token},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{USERS}#user-{user_id}")
    assert _state(app, user_id)[flag] is value
    page = client.get(USERS).text
    assert f'id="user-{user_id}"' in page
    expected = _french(app, flag, value, name)
    assert name in expected
    assert any("alert-success" in css and text == expected for css, text in _alerts(page)), (
        _alerts(page),
        expected,
    )


def test_a_refused_toggle_says_why_and_names_no_change(app):
    """The last administrator cannot deactivate themself: the refusal, no success message."""
    client = logged_in(app, "ets10250")
    with app.app_context():
        admin_id = db.session.scalar(select(PortalUser.id).where(PortalUser.username == "ets10250"))
    token = csrf_token(client.get(USERS).text)

    response = client.post(
        f"{USERS}{admin_id}/toggle/active", data={"value": "0", "csrf_token": token}
    )

    assert response.status_code == 302
    assert _state(app, admin_id)["active"] is True
    alerts = _alerts(client.get(USERS).text)
    assert alerts and all("alert-success" not in css for css, _text in alerts)


def test_every_flag_and_value_has_its_message():
    assert set(TOGGLED) == {
        (flag, value) for flag in ("active", "contact", "employees") for value in (True, False)
    }
    assert all("%(name)s" in str(message._args[0]) for message in TOGGLED.values())
