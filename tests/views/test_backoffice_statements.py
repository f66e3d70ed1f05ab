"""A back-office list's SQL statements do not grow with its rows: the relations a list shows are
loaded with one query each (app.views.common.EagerInterface), not row by row. A full page may
cost at most one statement more per eager relation than a one-row page (a relation the single row
lacks is not queried). Discovered from the registered views, as staff and as the
administrator."""

import re

import pytest
from flask_appbuilder import ModelView
from sqlalchemy import select

from app.extensions import db
from app.models.member import Member
from app.services import audit, members
from tests.conftest import login
from tests.views.test_same_work import statements_of

ROW = re.compile(r'<tr[^>]*>\s*<td[^>]*>\s*<input[^>]+name="rowid"|<a[^>]+href="[^"]*/show/\d+')
MUST_BE_CHECKED = {
    "BackofficeVisitRequestView",
    "BackofficeUnassignedVisitRequestView",
    "BackofficeVisitView",
    "BackofficeEmployeeView",
    "BackofficeMemberView",
    "BackofficeAuditView",
    "BackofficePortalUserView",
}


def _lists(app):
    for view in app.appbuilder.baseviews:
        if isinstance(view, ModelView) and "list" not in view.exclude_route_methods:
            yield type(view).__name__, f"{view.route_base}/list/"


def view_of(app, name):
    return next(view for view in app.appbuilder.baseviews if type(view).__name__ == name)


def _more_rows(app) -> None:
    """Rows for the lists the demo leaves short: audit entries, and a member without a team
    whose open requests then have none."""
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10251"))
        for n in range(3):
            audit.record("profile_updated", member=member, target=f"probe{n}")
        member.health_team = None
        members.follow_team(member)
        db.session.commit()


@pytest.mark.parametrize("username", ["gestion", "admin"])
def test_a_full_page_costs_the_statements_of_one_row(app, username):
    _more_rows(app)
    client = app.test_client()
    login(client, username)
    checked, growing = set(), {}
    for name, url in _lists(app):
        one, full = f"{url}?psize_{name}=1", f"{url}?psize_{name}=25"
        if client.get(full).status_code != 200:
            continue  # not this user's list (403)
        if len(ROW.findall(client.get(full).text)) < 2:
            continue  # fewer than two rows: nothing to compare
        counts = [len(statements_of(app, lambda u=u: client.get(u))) for u in (one, full)]
        checked.add(name)
        eager = len(getattr(view_of(app, name).datamodel, "relations", ()))
        if counts[1] > counts[0] + eager:
            growing[name] = counts
    assert growing == {}
    if username == "gestion":
        assert checked >= MUST_BE_CHECKED, MUST_BE_CHECKED - checked
