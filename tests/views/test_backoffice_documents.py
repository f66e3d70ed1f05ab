"""The service's side of the documents (issue 10): the inbox and its acknowledgement, the staff
download that marks nothing read, sending to members or to one employee with the portal contacts'
e-mails, and the refusals that leave nothing behind."""

import io
import time

import pytest
from sqlalchemy import func, select

from app.demo.documents import pdf
from app.extensions import db
from app.models.account import OutboxMail
from app.models.document import Document, DocumentContent, DocumentDirection
from app.models.member import Member, MemberStatus
from app.models.reference import DocumentClass
from app.models.user import PortalUser
from app.permissions import ROLE_MEMBER_ADMIN
from app.services import documents
from tests.conftest import csrf_token
from tests.views.test_documents import _employee
from tests.views.test_same_work import statements_of

SEND = "/backoffice/documents/send/"
INBOX = "/backofficedocumentinboxview"
EVERY = "/backofficedocumentview"


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _class_id(code: str) -> int:
    return db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == code))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def deposit(app, number: str = "10250", description: str = "Courrier au service") -> int:
    with app.app_context():
        upload = documents.Upload("courrier.pdf", pdf("Courrier", description))
        details = documents.Details(_class_id("ADM"), description)
        document = documents.deposit(_member(number), upload, details, None)
        db.session.commit()
        return document.id


def _send_form(client, data: dict, url: str = SEND, file: bytes | None = None):
    token = csrf_token(client.get(url).text)
    form = {"csrf_token": token, "subclass_id": "0", "number": "", **data}
    form["file"] = (io.BytesIO(pdf("Notice annuelle") if file is None else file), "notice.pdf")
    return client.post(url, data=form, content_type="multipart/form-data")


def _fe(app) -> str:
    with app.app_context():
        return str(_class_id("FE"))


def test_staff_acknowledge_once_and_record_who(app, staff):
    document_id = deposit(app)
    token = csrf_token(staff.get(f"{INBOX}/list/").text)
    url = f"{INBOX}/action/acknowledge/{document_id}"
    assert staff.post(url, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        first = db.session.get(Document, document_id)
        at, by = first.acknowledged_at, first.acknowledged_by.username
    assert at is not None and by == "gestion"
    assert staff.post(url, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(Document, document_id).acknowledged_at == at


def test_acknowledge_several_rows_from_the_list(app, staff):
    ids = [deposit(app, description=f"Courrier {n}") for n in range(3)]
    token = csrf_token(staff.get(f"{INBOX}/list/").text)
    response = staff.post(
        f"{INBOX}/action_post",
        data={"csrf_token": token, "action": "acknowledge", "rowid": [str(i) for i in ids]},
    )
    assert response.status_code == 302
    with app.app_context():
        assert _count(Document, Document.id.in_(ids), Document.acknowledged_at.is_(None)) == 0


def test_a_document_sent_by_the_service_cannot_be_acknowledged_from_the_inbox(app, staff):
    with app.app_context():
        sent = documents.send(
            [_member("10250")],
            documents.Upload("n.pdf", pdf("Notice")),
            documents.Details(_class_id("FE"), "Notice"),
            None,
        )[0]
        db.session.commit()
        sent_id = sent.id
    token = csrf_token(staff.get(f"{INBOX}/list/").text)
    response = staff.post(f"{INBOX}/action/acknowledge/{sent_id}", data={"csrf_token": token})
    assert response.status_code == 404  # not a row of the inbox (its base filter)


def test_inbox_lists_new_documents_first(app, staff):
    older = deposit(app, description="Premier courrier")
    newer = deposit(app, description="Second courrier")
    with app.app_context():
        db.session.get(Document, newer).acknowledged_at = db.session.get(Document, older).sent_at
        db.session.commit()
    page = staff.get(f"{INBOX}/list/").text
    assert page.index("Premier courrier") < page.index("Second courrier")
    assert page.count("label label-warning") >= 1  # «Nouveau»


def test_staff_download_streams_the_file_and_marks_nothing_read(app, staff):
    data = pdf("Fiche d'entreprise")
    with app.app_context():
        sent = documents.send(
            [_member("10250")],
            documents.Upload("fiche.pdf", data),
            documents.Details(_class_id("FE"), "Fiche"),
            None,
        )[0]
        db.session.commit()
        sent_id = sent.id
    response = staff.get(f"{EVERY}/{sent_id}/download")
    assert response.status_code == 200
    assert response.data == data
    served = f'attachment; filename="document-{sent_id}.pdf"'
    assert response.headers["Content-Disposition"] == served
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    with app.app_context():
        assert db.session.get(Document, sent_id).read_at is None
    received = deposit(app)
    assert staff.get(f"{INBOX}/{received}/download").status_code == 200
    assert staff.get(f"{INBOX}/{sent_id}/download").status_code == 404  # not received


def test_member_users_get_403_on_every_back_office_route(app, member):
    document_id = deposit(app)
    for url in (
        f"{INBOX}/list/",
        f"{INBOX}/show/{document_id}",
        f"{INBOX}/{document_id}/download",
        f"{EVERY}/list/",
        f"{EVERY}/{document_id}/download",
        "/backofficedocumenttoacknowledgeview/list/",
        SEND,
        "/backoffice/duerp/",
        "/backoffice/duerp/export.xlsx",
    ):
        assert member.get(url).status_code == 403, url
    token = csrf_token(member.get("/", follow_redirects=True).text)
    action = member.post(f"{INBOX}/action/acknowledge/{document_id}", data={"csrf_token": token})
    assert action.status_code == 403
    assert member.post(SEND, data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Document, document_id).acknowledged_at is None


def test_sending_to_several_members_stores_one_content_and_mails_their_contacts(app, staff):
    with app.app_context():
        # Issue 12: the portal contacts and the administrators get the notice by default (no
        # demo user has chosen otherwise; tests/views/test_notifications.py for the choices).
        users = db.session.scalars(
            select(PortalUser).where(
                PortalUser.member_id.in_(
                    select(Member.id).where(Member.number.in_(("10250", "10251")))
                ),
                PortalUser.active.is_(True),
                PortalUser.email.is_not(None),
            )
        ).all()
        contacts = len(
            {
                (u.member_id, u.email)
                for u in users
                if u.is_portal_contact or any(r.name == ROLE_MEMBER_ADMIN for r in u.roles)
            }
        )
        contents, mails = _count(DocumentContent), _count(OutboxMail)
    assert contacts >= 2
    response = _send_form(
        staff,
        {"class_id": _fe(app), "description": "Notice annuelle", "recipients": "10250,\n10251"},
    )
    assert response.status_code == 302
    with app.app_context():
        sent = db.session.scalars(
            select(Document).where(Document.description == "Notice annuelle")
        ).all()
        assert sorted(d.member.number for d in sent) == ["10250", "10251"]
        assert {d.direction for d in sent} == {DocumentDirection.TO_MEMBER}
        assert len({d.content_id for d in sent}) == 1
        assert _count(DocumentContent) == contents + 1
        new_mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()[mails:]
    assert len(new_mails) == contacts
    assert all("http://portal.test/documents/" in m.body for m in new_mails)
    assert all("Notice annuelle" not in m.body for m in new_mails)  # says nothing of the content
    assert any("10250" in m.subject for m in new_mails)


@pytest.mark.parametrize(
    "change, shown",
    [
        ({"recipients": "10250 99999 88888"}, "99999, 88888"),
        ({"recipients": ""}, "alert-danger"),
    ],
)
def test_unknown_member_numbers_are_refused_and_nothing_is_saved(app, staff, change, shown):
    with app.app_context():
        before = _count(Document), _count(DocumentContent), _count(OutboxMail)
    form = {"class_id": _fe(app), "description": "Notice", **change}
    response = _send_form(staff, form)
    assert response.status_code == 200
    assert shown in response.text
    with app.app_context():
        assert (_count(Document), _count(DocumentContent), _count(OutboxMail)) == before


@pytest.mark.parametrize(
    "data", [b"", b"<html>not a pdf</html>", pdf("Tronque")[:-200]], ids=["empty", "html", "cut"]
)
def test_a_bad_pdf_is_refused_and_nothing_is_saved(app, staff, data):
    with app.app_context():
        before = _count(Document), _count(DocumentContent), _count(OutboxMail)
    form = {"class_id": _fe(app), "description": "Notice", "recipients": "10250"}
    response = _send_form(staff, form, file=data)
    assert response.status_code == 200
    assert "alert-danger" in response.text
    with app.app_context():
        assert (_count(Document), _count(DocumentContent), _count(OutboxMail)) == before


def test_a_document_for_one_employee_goes_to_its_member_only(app, staff):
    employee_id = _employee(app, "10250")
    url = f"{SEND}?employee_id={employee_id}"
    page = staff.get(url).text
    assert "10250" in page
    with app.app_context():
        attestation = str(_class_id("ATT"))
    form = {"class_id": attestation, "description": "Attestation", "recipients": "10250"}
    assert _send_form(staff, form, url=url).status_code == 302
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.description == "Attestation"))
        assert document.employee_id == employee_id
        assert document.member.number == "10250"


def test_the_employee_page_links_to_sending_about_it(app, staff):
    employee_id = _employee(app, "10250")
    page = staff.get(f"/backofficeemployeeview/show/{employee_id}").text
    assert f"/backoffice/documents/send/?employee_id={employee_id}" in page


def test_an_employee_of_another_member_is_refused(app, staff):
    employee_id = _employee(app, "10251")
    url = f"{SEND}?employee_id={employee_id}"
    with app.app_context():
        attestation = str(_class_id("ATT"))
        before = _count(Document), _count(DocumentContent)
    form = {"class_id": attestation, "description": "Attestation", "recipients": "10250"}
    response = _send_form(staff, form, url=url)
    assert response.status_code == 200
    assert "alert-danger" in response.text
    with app.app_context():
        assert (_count(Document), _count(DocumentContent)) == before


def test_an_unknown_employee_is_404(staff):
    assert staff.get(f"{SEND}?employee_id=999999").status_code == 404
    assert staff.get(f"{SEND}?employee_id=abc").status_code == 404


def test_the_member_page_links_to_sending_with_its_number(app, staff):
    with app.app_context():
        member_id = _member("10250").id
    page = staff.get(f"/backofficememberview/show/{member_id}").text
    assert f"/backoffice/documents/send/?member_id={member_id}" in page
    form = staff.get(f"{SEND}?member_id={member_id}").text
    assert "10250</textarea>" in form


def test_the_member_page_lists_its_documents_in_constant_statements(app, staff):
    deposit(app, description="Premier envoi")
    with app.app_context():
        url = f"/backofficememberview/show/{_member('10250').id}"
    before = len(statements_of(app, lambda: staff.get(url)))
    for n in range(4):
        deposit(app, description=f"Envoi {n}")
    assert len(statements_of(app, lambda: staff.get(url))) == before
    page = staff.get(url).text
    assert "Premier envoi" in page and "Envoi 3" in page


def test_sending_to_every_active_member(app, staff):
    with app.app_context():
        active = _count(Member, Member.status == MemberStatus.ACTIVE)
    started = time.perf_counter()
    form = {"class_id": _fe(app), "description": "Notice à tous", "all_active": "y"}
    assert _send_form(staff, form).status_code == 302
    elapsed = time.perf_counter() - started
    with app.app_context():
        assert _count(Document, Document.description == "Notice à tous") == active
    print(f"sent to {active} active members in {elapsed:.2f} s")


@pytest.mark.parametrize("path", [f"{INBOX}/list/", f"{EVERY}/list/"])
def test_a_list_costs_the_same_statements_for_one_row_and_many(app, staff, path):
    deposit(app, "10251")
    small = len(statements_of(app, lambda: staff.get(path)))
    for n in range(6):
        deposit(app, "10250" if n % 2 else "10251", description=f"Lot {n}")
    many = len(statements_of(app, lambda: staff.get(path)))
    assert many == small
