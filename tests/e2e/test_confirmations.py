"""Irreversible actions ask first, in French (issue 9, "Irreversible actions in one click"):
cancelling a visit request, resetting a password and deleting an account. Dismissing the dialog
changes nothing; accepting it acts."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from tests.conftest import PASSWORDS

pytestmark = pytest.mark.e2e


def _login(page, live_server):
    page.goto(f"{live_server}/login/")
    page.fill("input[name=username]", "ets10250")
    page.fill("input[name=password]", PASSWORDS["ets10250"])
    page.click("form[name=login] [type=submit]")
    page.wait_for_load_state()


def _answer(page, accept: bool, seen: list):
    def handle(dialog):
        seen.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", handle)


def _status(app, request_id):
    with app.app_context():
        return db.session.get(VisitRequest, request_id).status


def test_cancelling_a_request_asks_first(app, live_server, page):
    _login(page, live_server)
    page.goto(f"{live_server}/visit-requests/")
    form = page.locator("form[data-confirm]").first
    request_id = int(re.search(r"/(\d+)/", form.get_attribute("action")).group(1))
    assert _status(app, request_id) in (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED)

    seen = []
    _answer(page, False, seen)
    form.locator("button").click()
    page.wait_for_timeout(300)
    assert seen and "Annuler cette demande" in seen[0]
    assert _status(app, request_id) is not RequestStatus.CANCELLED

    _answer(page, True, seen)
    form.locator("button").click()
    page.wait_for_load_state()
    expect(page.locator(".alert").first).to_be_visible()
    assert _status(app, request_id) is RequestStatus.CANCELLED


def test_deleting_an_account_and_resetting_a_password_ask_first(app, live_server, page):
    _login(page, live_server)
    page.goto(f"{live_server}/company-users/")
    row = page.locator("tr[data-username='ets10250.2']")
    seen = []
    _answer(page, False, seen)
    row.locator("form[action$='/delete'] button").click()
    page.wait_for_timeout(300)
    _answer(page, False, seen)
    row.locator("form[action$='/reset'] button").click()
    page.wait_for_timeout(300)
    assert "Supprimer définitivement le compte ets10250.2" in seen[0]
    assert "Réinitialiser le mot de passe de ets10250.2" in seen[1]
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250.2"))
        assert user is not None and not user.must_change_password

    _answer(page, True, seen)
    row.locator("form[action$='/delete'] button").click()
    page.wait_for_load_state()
    with app.app_context():
        gone = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250.2"))
    assert gone is None
