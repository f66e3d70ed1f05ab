"""The service's identity from the settings (issue 9, "Identity"): name, logo, favicon, colour,
address and contacts in the footer of every page, public legal pages, one title per page and the
page's language; and the French of FAB's dialogs and security administration ("English and raw
codes left": role names, help texts about OpenID, "None")."""

import re

import pytest
from flask_babel import force_locale, gettext
from lxml import html as lxml_html

import config
from app.security.role_labels import role_label
from app.views.backoffice.accounts import audit_details
from app.views.backoffice.reference import direction_label
from tests.conftest import csrf_token, make_app
from tests.views.test_employees import logged_in

IDENTITY = {
    "SERVICE_NAME": "SPST Exemple",
    "SERVICE_LEGAL_NAME": "SPST Exemple, association loi 1901",
    "SERVICE_ADDRESS": "1 place de la Gare 80000 AMIENS",
    "SERVICE_PHONE": "03 00 00 00 01",
    "SERVICE_EMAIL": "accueil@spst.example",
    "SERVICE_SUPPORT_EMAIL": "support@spst.example",
    "SERVICE_LOGO": "https://cdn.spst.example/logo.png",
    "SERVICE_FAVICON": "https://cdn.spst.example/favicon.ico",
    "SERVICE_PRIMARY_COLOUR": "#1d3c6e",
    "SERVICE_PUBLICATION_DIRECTOR": "Camille Martin",
    "SERVICE_HOST": "Hébergeur Exemple",
    "SERVICE_HOST_ADDRESS": "2 rue du Serveur 75000 PARIS",
    "DPO_EMAIL": "dpo@spst.example",
}
LEGAL = ("/legal/mentions-legales", "/legal/donnees-personnelles")


def fr(app, msgid: str, **values) -> str:
    with app.test_request_context(), force_locale("fr"):
        return gettext(msgid, **values)


def tree(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.get_data(as_text=True))


def text(element) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture
def service(databases):
    return make_app(databases.fresh(), **IDENTITY)


def test_every_page_shows_the_service_from_the_settings(service):
    client = service.test_client()
    for url in ("/login/", "/access/first-connection", *LEGAL):
        page = tree(client.get(url))
        footer = text(page.find(".//footer"))
        for key in ("SERVICE_NAME", "SERVICE_ADDRESS", "SERVICE_PHONE", "SERVICE_EMAIL"):
            assert IDENTITY[key] in footer, (url, key)
        assert IDENTITY["SERVICE_SUPPORT_EMAIL"] in footer
        hrefs = page.xpath("//footer//a/@href")
        assert set(LEGAL) <= set(hrefs), url
        assert page.xpath("//img[contains(@class,'service-logo')]/@src") == [
            IDENTITY["SERVICE_LOGO"]
        ]
        assert page.xpath("//link[@rel='icon']/@href") == [IDENTITY["SERVICE_FAVICON"]]
        style = " ".join(page.xpath("//style/text()"))
        assert "--service-primary: #1d3c6e" in style
        assert "SPST Exemple" in page.findtext(".//title")
        assert "ASMIS" not in page.text_content()


def test_the_legal_pages_are_public_and_say_who_and_why(service):
    client = service.test_client()
    notice = text(tree(client.get(LEGAL[0])).find(".//main"))
    privacy = text(tree(client.get(LEGAL[1])).find(".//main"))
    for key in ("SERVICE_LEGAL_NAME", "SERVICE_PUBLICATION_DIRECTOR", "SERVICE_HOST"):
        assert IDENTITY[key] in notice
    assert IDENTITY["SERVICE_HOST_ADDRESS"] in notice
    assert IDENTITY["DPO_EMAIL"] in privacy and IDENTITY["SERVICE_LEGAL_NAME"] in privacy
    for must in ("NIR", "L4622-2", "L4624-1", "6.1.c", "9.2.h", "CNIL"):
        assert must in privacy, must


def test_default_identity_serves_its_logo_and_favicon(client):
    page = tree(client.get("/login/"))
    for src in (*page.xpath("//img[contains(@class,'service-logo')]/@src"),
                *page.xpath("//link[@rel='icon']/@href")):  # fmt: skip
        assert src.startswith("/static/img/")
        served = client.get(src)
        assert served.status_code == 200 and served.mimetype == "image/svg+xml"


@pytest.mark.parametrize("colour", ["#ffff00", "#eeeeee", "red", "#12345", "#123456;}body{"])
def test_a_colour_too_light_or_not_a_colour_is_refused(colour):
    with pytest.raises(config.ConfigError, match="SERVICE_PRIMARY_COLOUR"):
        config.check({"SERVICE_PRIMARY_COLOUR": colour})


def test_identity_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "SPST Côte")
    monkeypatch.setenv("DPO_EMAIL", "dpo@cote.example")
    monkeypatch.setenv("SERVICE_PRIMARY_COLOUR", "#003366")
    settings = config.identity()
    assert settings["SERVICE_NAME"] == "SPST Côte" and settings["DPO_EMAIL"] == "dpo@cote.example"
    assert settings["SERVICE_PRIMARY_COLOUR"] == "#003366"
    assert settings["SERVICE_LEGAL_NAME"].startswith("SPST Côte")


def test_each_page_has_its_own_title_and_the_french_language(app):
    member = logged_in(app, "ets10250")
    titles = {}
    for url in ("/", "/employees/", "/employees/new", "/visit-requests/", "/reports/",
                "/company-users/", "/profile/", *LEGAL):  # fmt: skip
        page = tree(member.get(url))
        assert page.get("lang") == "fr", url
        titles[url] = page.findtext(".//title")
    assert len(set(titles.values())) == len(titles), titles
    for url, title in titles.items():
        assert re.fullmatch(r".+ — Portail adhérent — ASMIS", title), (url, title)
    assert titles["/employees/"].startswith("Salariés — ")
    staff = logged_in(app, "gestion")
    staff_title = tree(staff.get("/backofficememberview/list/")).findtext(".//title")
    assert re.fullmatch(r".+ — Back-office — ASMIS", staff_title), staff_title
    legal = tree(app.test_client().get(LEGAL[1]))
    assert legal.findtext(".//title").startswith(legal.findtext(".//h1"))


def test_fab_dialogs_are_in_french_and_appear_once(app):
    staff = logged_in(app, "gestion")
    for url in ("/backofficememberview/list/", "/backofficememberview/show/1"):
        page = tree(staff.get(url))
        assert len(page.xpath("//*[@id='modal-confirm']")) == 1, url
        assert len(page.xpath("//*[@id='modal-alert']")) == 1, url
        buttons = [text(b) for b in page.xpath("//*[@id='modal-confirm']//*[@class and "
                                               "contains(@class,'btn')]")]  # fmt: skip
        assert buttons == [fr(app, "Cancel"), fr(app, "Confirm")]


def test_the_administrator_sees_roles_by_their_french_labels(app):
    admin = logged_in(app, "admin")
    edit = admin.get("/users/edit/1").get_data(as_text=True)
    users = admin.get("/users/list/").get_data(as_text=True)
    roles = admin.get("/roles/list/").get_data(as_text=True)
    options = lxml_html.fromstring(edit).xpath("//select[@name='roles']/option/text()")
    assert len(options) >= 10
    assert fr(app, "Right: %(right)s", right=fr(app, "Employees (read)")) in options
    assert fr(app, "Service administrator") in options
    for page in (edit, users, roles):
        assert "right.employees.read" not in page and ">MemberAdmin<" not in page
    assert "OID" not in edit and "LDAP" not in edit and "OpenID" not in edit
    for pk in range(1, 5):  # the administrator, and accounts that never logged in
        show = text(tree(admin.get(f"/users/show/{pk}")).find(".//main"))
        assert not re.search(r"\bNone\b", show), pk


def test_audit_details_and_document_directions_are_worded(app):
    with app.test_request_context(), force_locale("fr"):
        worded = audit_details({"before": ["right.visits"], "after": [], "active": False})
        assert "right.visits" not in worded and "[" not in worded
        assert role_label("right.visits") in worded and gettext("No") in worded
        assert audit_details(None) == "" and audit_details({}) == ""
        assert direction_label("member_to_service") != "member_to_service"
        assert role_label("MemberAdmin") != "MemberAdmin" and role_label("Unknown") == "Unknown"


def test_logout_says_so_and_a_protected_page_afterwards_asks_to_log_in_again(app):
    member = logged_in(app, "ets10250")
    token = csrf_token(member.get("/employees/").get_data(as_text=True))
    out = member.post("/logout/", data={"csrf_token": token})
    assert (out.status_code, out.location) == (302, "/login/")
    after_logout = text(tree(member.get("/login/")).find(".//main"))
    back = member.get("/employees/")
    assert back.status_code == 302 and back.location.startswith("/login/")
    again = text(tree(member.get(back.location)).find(".//main"))

    assert fr(app, "You are logged out.") in after_logout
    assert fr(app, "You are logged out. Log in to open this page.") in again
    assert fr(app, "Access is Denied") not in again
