"""Back-office: members, establishments, and the first-connection letter."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.member import Establishment, Member
from app.models.provisioning import ProvisionalCredential
from tests.conftest import csrf_token, login, post_form

NEW_MEMBER = {
    "number": "20001",
    "name": "Menuiserie Picarde",
    "siret": "732 829 320 00074",
    "naf_code": "16.23z",
    "address": "3 rue du Bois",
    "postal_code": "80000",
    "city": "AMIENS",
    "joined_on": "2026-01-05",
    "status": "ACTIVE",
}


def _member(app, number):
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.number == number))


def test_staff_creates_a_member_with_its_head_office(app, client):
    login(client, "gestion")
    response = post_form(client, "/backofficememberview/add", NEW_MEMBER)
    assert response.status_code == 302
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "20001"))
        assert (member.name, member.siret, member.naf_code) == (
            "MENUISERIE PICARDE",
            "73282932000074",
            "1623Z",
        )
        [office] = member.establishments
        assert office.is_head_office and office.siret == "73282932000074"


def test_bad_siret_is_refused_on_the_field_and_nothing_is_saved(app, client):
    login(client, "gestion")
    response = post_form(
        client, "/backofficememberview/add", {**NEW_MEMBER, "siret": "73282932000075"}
    )
    assert response.status_code == 200
    assert "SIRET" in response.text and "clé" in response.text
    assert _member(app, "20001") is None


def test_duplicate_member_number_is_refused(app, client):
    login(client, "gestion")
    response = post_form(client, "/backofficememberview/add", {**NEW_MEMBER, "number": "10250"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Member.number == "10250")) == 1


def test_last_establishment_cannot_be_deleted(app, client):
    login(client, "gestion")
    post_form(client, "/backofficememberview/add", NEW_MEMBER)
    member = _member(app, "20001")
    with app.app_context():
        office_id = db.session.scalar(
            select(Establishment.id).where(Establishment.member_id == member.id)
        )
    response = post_form(
        client,
        f"/backofficeestablishmentview/delete/{office_id}",
        page_url=f"/backofficememberview/show/{member.id}",
        follow_redirects=True,
    )
    assert "au moins un établissement" in response.text
    with app.app_context():
        assert db.session.get(Establishment, office_id) is not None


def _letter(client, member_id):
    return post_form(
        client,
        f"/backofficememberview/letter/{member_id}",
        page_url=f"/backofficememberview/show/{member_id}",
    )


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_letter_carries_credentials_stored_hashed_and_regenerating_revokes(app, client):
    login(client, "gestion")
    member = _member(app, "10252")
    first = _letter(client, member.id)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert "attachment" in first.headers["Content-Disposition"]
    text = _pdf_text(first.data)
    assert "10252" in text and "INTERIM DEMO" in text and "Première connexion" in text
    password = re.search(r"Mot de passe provisoire\s*(\S+)", text).group(1)

    second_password = re.search(
        r"Mot de passe provisoire\s*(\S+)", _pdf_text(_letter(client, member.id).data)
    ).group(1)
    assert second_password != password
    with app.app_context():
        credentials = db.session.scalars(
            select(ProvisionalCredential)
            .where(ProvisionalCredential.member_id == member.id)
            .order_by(ProvisionalCredential.id)
        ).all()
        usable = [c for c in credentials if c.is_usable]
        assert len(usable) == 1 and len(credentials) == 3  # demo letter + two new ones
        assert check_password_hash(usable[0].password_hash, second_password)
        assert not any(second_password in c.password_hash for c in credentials)
        assert all(not check_password_hash(c.password_hash, password) for c in usable)
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEntry.action == "provisional_credentials_issued")
            )
            >= 2
        )


def test_no_letter_for_an_activated_member(app, client):
    login(client, "gestion")
    member = _member(app, "10250")
    response = _letter(client, member.id)
    assert response.status_code == 302
    assert "déjà activé" in client.get(response.headers["Location"]).text


def test_member_users_cannot_issue_letters(app, client):
    login(client, "ets10250")
    member = _member(app, "10252")
    response = post_form(client, f"/backofficememberview/letter/{member.id}", page_url="/")
    assert response.status_code == 403


def _edit_form(client, member_id: int) -> dict:
    """The member's edit form as the browser would send it unchanged."""
    from lxml import html as lxml_html

    form = lxml_html.fromstring(client.get(f"/backofficememberview/edit/{member_id}").text)
    data = {}
    for field in form.xpath("//form[@id='model_form']//*[@name]"):
        name = field.get("name")
        if field.tag == "select":
            chosen = field.xpath("option[@selected]/@value")
            data[name] = chosen[0] if chosen else ""
        elif field.get("type") == "checkbox":
            if field.get("checked") is not None:
                data[name] = field.get("value") or "y"
        elif name != "csrf_token":
            data[name] = field.get("value") or field.text or ""
    return data


def test_open_requests_follow_the_members_team(app, staff):
    """Staff take the team away, then give another: the requests not yet given an appointment
    follow (the no-team queue, then the new team); a scheduled one stays with its team."""
    from app.domain.visit_workflow import RequestStatus
    from app.models.centre import HealthTeam
    from app.models.visit import VisitRequest

    member = _member(app, "10251")
    with app.app_context():
        team_before = member.health_team_id
        other = db.session.scalar(select(HealthTeam.id).where(HealthTeam.id != team_before))

    def teams() -> dict:
        with app.app_context():
            rows = db.session.execute(
                select(VisitRequest.status, VisitRequest.health_team_id).where(
                    VisitRequest.member_id == member.id
                )
            ).all()
        return {(status, team) for status, team in rows}

    data = _edit_form(staff, member.id)
    assert data["health_team"] == str(team_before)
    response = post_form(
        staff, f"/backofficememberview/edit/{member.id}", {**data, "health_team": ""}
    )
    assert response.status_code == 302
    found = teams()
    assert {(RequestStatus.SUBMITTED, None), (RequestStatus.ACKNOWLEDGED, None)} <= found
    assert (RequestStatus.SCHEDULED, team_before) in found
    queue = staff.get("/backofficeunassignedvisitrequestview/list/").text
    assert "TRANSPORTS DEMO" in queue

    response = post_form(
        staff, f"/backofficememberview/edit/{member.id}", {**data, "health_team": str(other)}
    )
    assert response.status_code == 302
    found = teams()
    assert (RequestStatus.SUBMITTED, other) in found and (
        RequestStatus.ACKNOWLEDGED,
        other,
    ) in found
    assert (RequestStatus.SCHEDULED, team_before) in found
    assert all(team is not None for _status, team in found)


def test_a_member_is_never_deleted(app, client):
    """Its invoices, which are never deleted, would go with it (issue 11): a member that leaves
    is resigned. The delete route and action are refused, the member stays."""
    login(client, "gestion")
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10251"))
    page = client.get(f"/backofficememberview/show/{member_id}")
    assert page.status_code == 200
    assert f"/backofficememberview/delete/{member_id}" not in page.get_data(as_text=True)
    response = client.post(
        f"/backofficememberview/delete/{member_id}",
        data={"csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.status_code in (302, 403, 404, 405)
    with app.app_context():
        assert db.session.get(Member, member_id) is not None
