"""The member's documents (issue 10; manual, chapter 10 "Documents"): the list of the company's
documents and of one employee's, the form "Ajouter des documents de l'adhérent", downloads and
withdrawals. Every refused file leaves no row behind; another member's document is a 404; a
collaborator without the documents right gets 403 everywhere."""

import io
import re
from datetime import timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import delete, event, select

from app import clock
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.document import Document, DocumentContent, DocumentDirection
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import DocumentClass, DocumentSubclass
from app.models.user import PortalUser
from app.services import collaborators, documents
from app.views.messages import MESSAGES
from tests.conftest import csrf_token
from tests.views.test_employees import alerts, logged_in
from tests.views.test_visit_attachments import POLYGLOTS, encrypted_pdf, wording
from tests.views.test_visits import count, pdf_file

LIST = "/documents/"
NEW = "/documents/new"


@pytest.fixture(autouse=True)
def no_documents(app):
    """Each test starts from members without documents (the demo gives 10250 some) and counts
    what it deposits itself."""
    with app.app_context():
        contents = list(db.session.scalars(select(Document.content_id)))
        db.session.execute(delete(Document))
        db.session.execute(delete(DocumentContent).where(DocumentContent.id.in_(contents)))
        db.session.commit()


def _class_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == code))


def _member(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.number == number))


def _employee(app, number: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Employee.id)
            .join(Member, Member.id == Employee.member_id)
            .where(Member.number == number)
            .order_by(Employee.id)
            .limit(1)
        )


def deposit(client, content: bytes, url: str = NEW, filename: str = "scan.pdf", **fields):
    token = csrf_token(client.get(url).text)
    data = {
        "csrf_token": token,
        "description": "Statuts de la société",
        "number": "",
        "subclass_id": "",
        "file": (io.BytesIO(content), filename),
        **fields,
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def stored(app) -> tuple[int, int]:
    return count(app, Document), count(app, DocumentContent)


def rows_of(page: str) -> list[dict]:
    tree = lxml_html.fromstring(page)
    found = []
    for tr in tree.xpath("//table[contains(@class, 'documents')]/tbody/tr[@data-document]"):
        found.append(
            {
                "id": int(tr.get("data-document")),
                "text": " ".join(tr.text_content().split()),
                "new": bool(tr.xpath(".//span[contains(@class, 'new-document')]")),
                "withdraw": bool(tr.xpath(".//button[contains(@class, 'withdraw')]")),
            }
        )
    return found


def sent_by_service(app, number: str = "10250", employee_id=None, code="ADM") -> int:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        employee = db.session.get(Employee, employee_id) if employee_id else None
        details = documents.Details(_class_id(app, code), "Fiche d'entreprise 2026")
        (document,) = documents.send(
            [member], documents.Upload("fiche.pdf", pdf_file("Fiche")), details, None, employee
        )
        db.session.commit()
        return document.id


@pytest.fixture
def adm(app):
    return _class_id(app, "ADM")


# -- refusals: nothing left behind ------------------------------------------------------------


def _refused(app, client, content: bytes, adm: int, filename="scan.pdf") -> list[str]:
    before = stored(app)
    response = deposit(client, content, class_id=adm, filename=filename)
    assert response.status_code == 200
    assert stored(app) == before
    return alerts(response.text)


@pytest.mark.parametrize("filename", sorted(POLYGLOTS))
def test_a_polyglot_is_refused_and_leaves_nothing(app, member, adm, filename):
    shown = _refused(app, member, POLYGLOTS[filename], adm, filename)
    assert wording(MESSAGES["attachment_unreadable"]) in shown, shown


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00 not a pdf", "attachment_not_pdf"),
        (b"", "attachment_empty"),
        (pdf_file()[:200], "attachment_truncated"),
        (encrypted_pdf("user-secret"), "attachment_encrypted"),
    ],
    ids=["not-a-pdf", "empty", "truncated", "encrypted"],
)
def test_a_bad_file_is_refused_with_its_reason(app, member, adm, content, code):
    shown = _refused(app, member, content, adm)
    assert wording(MESSAGES[code]) in shown, shown


def test_a_file_over_the_limit_is_refused(app, member, adm):
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    big = pdf_file() + b"%" + b"x" * (1024 * 1024) + b"\n%%EOF\n"
    shown = _refused(app, member, big, adm)
    assert wording(MESSAGES["document_too_large"]) % {"mb": 1} in shown, shown


def test_a_request_over_the_server_limit_gets_the_french_413_page(app, member, adm):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = stored(app)
    response = deposit(member, b"%PDF-" + b"x" * (128 * 1024), class_id=adm)
    assert response.status_code == 413
    assert '<html lang="fr">' in response.text and "Erreur 413" in response.text
    assert stored(app) == before


def test_a_missing_file_class_or_description_is_refused(app, member, adm):
    before = stored(app)
    no_file = member.post(
        NEW,
        data={"csrf_token": csrf_token(member.get(NEW).text), "description": "x", "class_id": adm},
    )
    assert no_file.status_code == 200 and alerts(no_file.text)
    no_class = deposit(member, pdf_file(), class_id="")
    assert wording(MESSAGES["document_class_not_allowed"]) in alerts(no_class.text)
    service_only = deposit(member, pdf_file(), class_id=_class_id(app, "FE"))
    assert wording(MESSAGES["document_class_not_allowed"]) in alerts(service_only.text)
    employee_class = deposit(member, pdf_file(), class_id=_class_id(app, "SAL"))
    assert wording(MESSAGES["document_class_not_allowed"]) in alerts(employee_class.text)
    with app.app_context():
        foreign_sub = db.session.scalar(
            select(DocumentSubclass.id).where(DocumentSubclass.class_id != adm).limit(1)
        )
    mismatch = deposit(member, pdf_file(), class_id=adm, subclass_id=foreign_sub)
    assert wording(MESSAGES["document_subclass_mismatch"]) in alerts(mismatch.text)
    blank = deposit(member, pdf_file(), class_id=adm, description="   ")
    assert blank.status_code == 200
    assert stored(app) == before


# -- deposits, the list, downloads -------------------------------------------------------------


def test_a_deposit_is_listed_and_downloaded_byte_for_byte(app, member, adm):
    pdf = pdf_file("Statuts")
    uploaded = "<img src=x onerror=alert(1)>.html"
    response = deposit(member, pdf, class_id=adm, number="K-12", filename=uploaded)
    assert response.status_code == 302, alerts(response.text)
    assert response.headers["Location"].endswith(LIST)
    with app.app_context():
        document = db.session.scalar(select(Document).order_by(Document.id.desc()).limit(1))
        assert document.member_id == _member(app, "10250")
        assert document.direction is DocumentDirection.TO_SERVICE
        assert (document.employee_id, document.number, document.size) == (None, "K-12", len(pdf))
        document_id = document.id
    page = member.get(LIST).text
    (row,) = [r for r in rows_of(page) if r["id"] == document_id]
    assert "Statuts de la société" in row["text"] and "K-12" in row["text"]
    assert row["withdraw"] and not row["new"]
    assert "&lt;img src=x onerror=alert(1)&gt;.html" in page and "<img src=x" not in page

    download = member.get(f"/documents/{document_id}/download")

    assert download.status_code == 200 and download.data == pdf
    headers = download.headers
    assert headers["Content-Disposition"] == f'attachment; filename="document-{document_id}.pdf"'
    assert download.mimetype == "application/pdf"
    assert headers["Content-Length"] == str(len(pdf))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


def test_a_forged_member_field_is_ignored(app, member, adm):
    other = _member(app, "10251")
    response = deposit(member, pdf_file(), class_id=adm, member_id=other, member=other)
    assert response.status_code == 302
    with app.app_context():
        owners = set(db.session.scalars(select(Document.member_id)))
    assert owners == {_member(app, "10250")}


def test_the_duerp_link_presets_the_class(app, member):
    page = member.get(f"{NEW}?duerp=1").text
    tree = lxml_html.fromstring(page)
    (chosen,) = tree.xpath("//select[@name='class_id']/option[@selected]")
    assert chosen.get("value") == str(_class_id(app, "AMT"))
    assert "10250 - BOULANGERIE DEMO" in page


def test_the_first_download_of_a_service_document_marks_it_read(app, member):
    document_id = sent_by_service(app)
    (row,) = [r for r in rows_of(member.get(LIST).text) if r["id"] == document_id]
    assert row["new"] and not row["withdraw"]
    assert member.get(f"/documents/{document_id}/download").status_code == 200
    with app.app_context():
        document = db.session.get(Document, document_id)
        first = document.read_at
        user = db.session.scalar(select(PortalUser.id).where(PortalUser.username == "ets10250"))
        assert first is not None and document.read_by_id == user
    (row,) = [r for r in rows_of(member.get(LIST).text) if r["id"] == document_id]
    assert not row["new"]
    member.get(f"/documents/{document_id}/download")
    with app.app_context():
        assert db.session.get(Document, document_id).read_at == first


def test_withdraw_before_acknowledgement_only(app, member, adm):
    assert deposit(member, pdf_file(), class_id=adm).status_code == 302
    assert deposit(member, pdf_file(), class_id=adm, description="Kbis").status_code == 302
    with app.app_context():
        first, second = db.session.scalars(select(Document.id).order_by(Document.id)).all()
        contents = {db.session.get(Document, d).content_id for d in (first, second)}
        documents.acknowledge(db.session.get(Document, second), None)
        db.session.commit()
    token = csrf_token(member.get(LIST).text)

    back = {"f_description": "statuts", "sort": "size", "desc": "0", "page": "1", "size": "10"}
    withdrawn = member.post(f"/documents/{first}/withdraw", data={"csrf_token": token, **back})
    assert "f_description=statuts" in withdrawn.location and "size=10" in withdrawn.location
    refused = member.post(f"/documents/{second}/withdraw", data={"csrf_token": token})

    assert withdrawn.status_code == refused.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Document.id)).all() == [second]
        kept = select(DocumentContent.id).where(DocumentContent.id.in_(contents))
        assert db.session.scalars(kept).all() == [db.session.get(Document, second).content_id]
        assert db.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == "document_withdrawn", AuditEntry.target == f"document:{first}"
            )
        )
    page = member.get(LIST).text
    assert "received by the service on" in page or "reçu par le service le" in page


def test_a_duerp_version_cannot_be_withdrawn(app, member):
    assert deposit(member, pdf_file(), class_id=_class_id(app, "AMT")).status_code == 302
    with app.app_context():
        (document_id,) = db.session.scalars(select(Document.id)).all()
    (row,) = rows_of(member.get(LIST).text)
    assert not row["withdraw"]
    token = csrf_token(member.get(LIST).text)
    member.post(f"/documents/{document_id}/withdraw", data={"csrf_token": token})
    assert count(app, Document) == 1


def test_filters_sort_and_counts(app, member, adm):
    for name in ("Alpha", "Bravo", "Charlie"):
        assert deposit(member, pdf_file(), class_id=adm, description=name).status_code == 302
    sent_by_service(app)
    page = member.get(LIST).text
    assert "1 - 4" in page
    descriptions = [r["text"] for r in rows_of(page)]
    assert "Fiche" in descriptions[0]  # newest first
    filtered = member.get(LIST, query_string={"f_description": "brav"}).text
    assert [r["text"].split()[0] for r in rows_of(filtered)]
    assert len(rows_of(filtered)) == 1 and "Bravo" in rows_of(filtered)[0]["text"]
    service = rows_of(member.get(LIST, query_string={"f_sent_by": "service"}).text)
    assert len(service) == 1
    by_name = rows_of(member.get(LIST, query_string={"sort": "description", "desc": "0"}).text)
    assert [r["text"] for r in by_name][0].count("Alpha")
    today = clock.today().strftime("%d/%m/%Y")
    assert len(rows_of(member.get(LIST, query_string={"f_sent_at": today}).text)) == 4
    assert rows_of(member.get(LIST, query_string={"f_sent_at": "nonsense"}).text) == []
    assert rows_of(member.get(LIST, query_string={"f_document_class": "x"}).text) == []


def _statements(app, client, url: str) -> tuple[int, int]:
    with app.app_context():
        engine = db.engine
    executed = []

    def counted(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    assert client.get(url).status_code == 200
    event.listen(engine, "before_cursor_execute", counted)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert response.status_code == 200
    return len(executed), len(rows_of(response.text))


def _many(app, number: str, how_many: int, employee_id=None) -> None:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == number))
        user = db.session.scalar(select(PortalUser).where(PortalUser.member_id == member.id))
        content = DocumentContent(data=pdf_file())
        db.session.add(content)
        code = "SAL" if employee_id else "ADM"
        for index in range(how_many):
            db.session.add(
                Document(
                    member_id=member.id,
                    employee_id=employee_id,
                    direction=DocumentDirection.TO_SERVICE
                    if index % 2
                    else DocumentDirection.TO_MEMBER,
                    class_id=_class_id(app, code),
                    description=f"Document {index}",
                    filename="x.pdf",
                    content_type="application/pdf",
                    size=1000,
                    sha256="0" * 64,
                    # a content sent to a member reaches it once (uq_document_sent_once)
                    content=content if index % 2 else DocumentContent(data=content.data),
                    sent_at=clock.now() - timedelta(minutes=index),
                    sent_by_id=user.id if index % 2 else None,
                    acknowledged_at=clock.now() if index % 4 == 1 else None,
                )
            )
        db.session.commit()


def test_the_list_costs_the_same_statements_whatever_the_number_of_documents(app, member):
    _many(app, "10250", 3)
    small, small_rows = _statements(app, member, f"{LIST}?size=25")
    _many(app, "10250", 120)
    large, large_rows = _statements(app, member, f"{LIST}?size=25")
    large_100, rows_100 = _statements(app, member, f"{LIST}?size=100&sort=sent_by")
    assert (small_rows, large_rows, rows_100) == (3, 25, 100)
    assert small == large == large_100


def test_the_employee_record_costs_the_same_whatever_its_documents(app, member):
    employee_id = _employee(app, "10250")
    url = f"/employees/{employee_id}"
    _many(app, "10250", 2, employee_id)
    small, _rows = _statements(app, member, url)
    _many(app, "10250", 30, employee_id)
    large, _rows = _statements(app, member, url)
    assert small == large
    page = member.get(url).text
    assert "Document 0" in page
    assert f"/documents/employees/{employee_id}/" in page


# -- tenancy and rights ------------------------------------------------------------------------


def test_another_members_document_is_a_404(app, member):
    other = sent_by_service(app, "10251")
    token = csrf_token(member.get(LIST).text)
    assert member.get(f"/documents/{other}/download").status_code == 404
    assert (
        member.post(f"/documents/{other}/withdraw", data={"csrf_token": token}).status_code == 404
    )
    foreign = _employee(app, "10251")
    assert member.get(f"/documents/employees/{foreign}/").status_code == 404
    assert member.get(f"/documents/employees/{foreign}/new").status_code == 404
    with app.app_context():
        assert db.session.get(Document, other).read_at is None


def test_a_collaborator_without_the_documents_right_is_refused_everywhere(app):
    document_id = sent_by_service(app)
    employee_id = _employee(app, "10250")
    client = logged_in(app, "ets10250.2")
    token = csrf_token(client.get("/").text)
    for url in (
        LIST,
        NEW,
        f"/documents/{document_id}/download",
        "/documents/employees/",
        f"/documents/employees/{employee_id}/",
        f"/documents/employees/{employee_id}/new",
    ):
        assert client.get(url).status_code == 403, url
    withdraw = client.post(f"/documents/{document_id}/withdraw", data={"csrf_token": token})
    assert withdraw.status_code == 403
    assert count(app, Document) == 1
    home = client.get("/").text
    assert "/documents/" not in home


def _documents_only(app) -> None:
    """ets10250.2 with the documents right and no employees right."""
    with app.app_context():
        admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250.2"))
        collaborators.set_rights(admin, user, {"right.documents"})
        db.session.commit()


def test_without_the_employees_right_no_employee_document(app):
    employee_id = _employee(app, "10250")
    employee_document = sent_by_service(app, employee_id=employee_id, code="SAL")
    company_document = sent_by_service(app)
    _documents_only(app)
    client = logged_in(app, "ets10250.2")
    assert client.get(LIST).status_code == 200
    assert "tab-employee-documents" not in client.get(LIST).text
    assert client.get(f"/documents/{company_document}/download").status_code == 200
    assert client.get(f"/documents/{employee_document}/download").status_code == 404
    assert client.get("/documents/employees/").status_code == 403
    assert client.get(f"/documents/employees/{employee_id}/").status_code == 403
    assert client.get(f"/documents/employees/{employee_id}/new").status_code == 403


def test_an_employee_document_is_deposited_from_the_employee_pages(app, member):
    employee_id = _employee(app, "10250")
    chooser = member.get("/documents/employees/")
    assert chooser.status_code == 200
    assert f"/documents/employees/{employee_id}/" in chooser.text
    url = f"/documents/employees/{employee_id}/new"
    refused = deposit(member, pdf_file(), url=url, class_id=_class_id(app, "ADM"))
    assert wording(MESSAGES["document_class_not_allowed"]) in alerts(refused.text)
    response = deposit(member, pdf_file(), url=url, class_id=_class_id(app, "SAL"))
    assert response.status_code == 302, alerts(response.text)
    with app.app_context():
        (document,) = db.session.scalars(select(Document)).all()
        assert document.employee_id == employee_id
    listed = member.get(f"/documents/employees/{employee_id}/").text
    assert len(rows_of(listed)) == 1
    assert rows_of(member.get(LIST).text) == []  # not among the company's documents


def test_sizes_are_written_in_french_units(app):
    from app.views.portal.documents import size_label

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert re.fullmatch(r"\d+ (Ko|KB)", size_label(2000))
        assert re.fullmatch(r"1[,.]5 (Mo|MB)", size_label(1536 * 1024))


def test_a_subclass_of_the_chosen_class_is_kept_and_shown(app, member, adm):
    with app.app_context():
        subclass_id, label = db.session.execute(
            select(DocumentSubclass.id, DocumentSubclass.label)
            .where(DocumentSubclass.class_id == adm)
            .limit(1)
        ).one()
    response = deposit(member, pdf_file(), class_id=adm, subclass_id=subclass_id)
    assert response.status_code == 302, alerts(response.text)
    with app.app_context():
        (document,) = db.session.scalars(select(Document)).all()
        assert document.subclass_id == subclass_id
    (row,) = rows_of(member.get(LIST).text)
    assert label in row["text"]


def test_the_home_card_and_the_menu_lead_to_the_documents(app, member):
    # Without a DUERP deposit, the first home page after login is the DUERP question.
    assert member.get("/").location.endswith("/duerp/")
    home = lxml_html.fromstring(member.get("/").text)
    assert home.xpath("//a[@href='/documents/']")


def test_the_employee_chooser_costs_the_same_statements_for_10_rows_and_25(app, member):
    few, _rows = _statements(app, member, "/documents/employees/?size=10")
    many, _rows = _statements(app, member, "/documents/employees/?size=25")
    shown = member.get("/documents/employees/?size=25").text
    assert shown.count("/documents/employees/") > member.get(
        "/documents/employees/?size=10"
    ).text.count("/documents/employees/")
    assert few == many
