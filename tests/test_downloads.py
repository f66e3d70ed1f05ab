"""Every download of the application (a response with a Content-Disposition) is an attachment
that neither the browser nor a proxy may store (`Cache-Control: no-store`, whatever `send_file`
set) and that the browser may not sniff (issue 8, "Files").

Downloads are discovered, not listed: every GET route of the URL map, and every POST-only route
that deletes nothing, is requested as the member administrator of 10250 and as the service's
administrator, with ids of rows each of them may see; whatever answers with a Content-Disposition
is checked. KNOWN proves that the discovery reaches the downloads that exist today."""

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.base import TenantMixin
from app.models.billing import Declaration, Invoice
from app.models.centre import Centre, HealthProfessional
from app.models.contact import ContactKind, ContactType
from app.models.document import DocumentDirection
from app.models.employee import Employee
from app.models.job import Job
from app.models.member import Member
from app.models.reference import ExamType
from app.models.user import PortalUser
from app.models.visit import VisitRequest
from app.services import contact, documents, visits
from tests.conftest import csrf_token
from tests.views.test_employees import logged_in
from tests.views.test_visits import pdf_file

KNOWN = {
    "BackofficeVisitRequestView.attachment",  # the member's PDF, for staff
    "PortalEmployeeImportsView.template",  # the import's template (issue 14)
    "PortalEmployeeImportsView.errors",  # an import's rows in error
    "BackofficeEmployeeImportsView.errors",
    "BackofficeMemberView.letter",  # the first-connection letter (POST)
    "PortalVisitRequestsView.convocation",
    "PortalEmployeesView.export_xlsx",
    "PortalEmployeesView.export_xml",
    "PortalReportsView.export_workforce",
    "PortalReportsView.export_planning",
    "PortalReportsView.export_conclusions",
    "PortalDocumentsView.download",  # a document of the member (deposited or sent to it)
    "BackofficeDuerpFollowUpView.export_xlsx",  # the DUERP follow-up, for staff
    "BackofficeCampaignView.export_xlsx",  # a campaign's progress, for staff
    "BackofficeDocumentInboxView.document_file",  # a member's document, for staff
    "BackofficeDocumentView.document_file",  # any document, for staff
    "PortalInvoicesView.pdf",  # an invoice of the member (issue 11)
    "BackofficeInvoiceView.pdf",  # any invoice or credit note, for staff
    "BackofficeInvoiceView.export_xlsx",  # the invoices for the accounting software
    "BackofficeMessageView.attachment",  # a member's message's PDF, for staff (issue 12)
    "PortalMessagesView.attachment",  # the PDF of one of the member's messages
}
OUTSIDE = {"static", "appbuilder.static", "LoginView.login", "LoginView.logout"}
# POST-only routes that change or delete rows the other routes need, or end the session.
MUTATING = {"delete", "action", "action_post", "reset", "toggle", "withdraw", "relaunch"}
USERS = {"ets10250": "10250", "admin": "10252"}  # who, and whose member rows (10252: no letter yet)


@pytest.fixture
def rows(app):
    """A scheduled request of 10250 with a PDF attached, and the ids each user may see."""
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == "10250"))
        busy = select(VisitRequest.employee_id)
        employee = db.session.scalars(
            select(Employee)
            .where(Employee.member_id == member.id, Employee.id.not_in(busy))
            .where(Employee.contract_end_on.is_(None))
        ).first()
        exam = db.session.scalar(select(ExamType.id).order_by(ExamType.id).limit(1))
        request = visits.submit_request(
            member, employee, exam, None, None, visits.Attachment("a.pdf", pdf_file())
        )
        centre = db.session.scalar(select(Centre.id).limit(1))
        professional = db.session.scalar(select(HealthProfessional.id).limit(1))
        visits.schedule(request, clock.now() + timedelta(days=2), centre, professional, None)
        collaborator = db.session.scalar(
            select(PortalUser.id).where(PortalUser.username == "ets10250.2")
        )
        document = _deposited(member)
        message = _message_with_pdf(member)
        db.session.commit()
        import_id = _import_with_errors(member)
        numbers = dict(db.session.execute(select(Member.number, Member.id)).tuples().all())
        return {
            "request_id": request.id,
            "employee_id": employee.id,
            "user_id": collaborator,
            "members": {user: numbers[number] for user, number in USERS.items()},
            "own_member": numbers["10250"],
            "document_id": document.id,
            "message_id": message.id,
            "invoice_id": db.session.scalar(
                select(Invoice.id).where(Invoice.member_id == member.id).limit(1)
            ),
            "declaration_id": db.session.scalar(
                select(Declaration.id).where(Declaration.member_id == member.id).limit(1)
            ),
            "year": clock.today().year,
            "import_id": import_id,
        }


TO_SERVICE = DocumentDirection.TO_SERVICE


def _message_with_pdf(member):
    """A "Contactez-nous" message of the administrator of 10250 with a PDF (issue 12)."""
    user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
    kind = db.session.scalar(
        select(ContactType.id).where(ContactType.kind == ContactKind.GENERAL).limit(1)
    )
    draft = contact.Draft(kind, "Sujet", "Texte")
    return contact.submit(member, user, draft, contact.Upload("m.pdf", pdf_file()))


def _import_with_errors(member) -> int:
    """An import of 10250's administrator, checked, with a row in error (issue 14)."""
    from app.services import employee_import
    from tests.services.test_employee_import import csv_of, person

    user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
    found = employee_import.create(member, "l.csv", csv_of([person(600, Sexe="?")]), user)
    db.session.commit()  # the dry run runs now (in the process)
    return found.id


def _deposited(member):
    """A PDF the administrator of 10250 deposited (issue 10), for the portal's and staff's
    downloads."""
    user = db.session.scalar(select(PortalUser).where(PortalUser.username == "ets10250"))
    details = documents.Details(documents.usable_classes(TO_SERVICE, False)[0].id, "Statuts")
    return documents.deposit(member, documents.Upload("s.pdf", pdf_file()), details, user)


def _model(app, endpoint: str):
    name = endpoint.split(".")[0]
    view = next((v for v in app.appbuilder.baseviews if type(v).__name__ == name), None)
    datamodel = getattr(view, "datamodel", None)
    return view, datamodel.obj if datamodel is not None else None


def _pk(model, rows: dict, user: str):
    if model is VisitRequest:
        return rows["request_id"]
    if model is Member:
        return rows["members"][user]
    query = select(model.id)
    if issubclass(model, TenantMixin):
        query = query.where(model.member_id == rows["own_member"])
    return db.session.scalar(query.order_by(model.id).limit(1)) or 1


def _argument(arg: str, view, model, rows: dict, user: str):
    fixed = {"flag": "active", "token": "not-a-token", "filename": "any.pdf", "locale": "fr"}
    if arg in fixed:
        return fixed[arg]
    if arg == "kind":  # a campaign's e-mails
        return "invitation"
    if arg in (
        "request_id", "employee_id", "user_id", "document_id", "invoice_id", "declaration_id",
        "year", "message_id", "import_id",
    ):  # fmt: skip
        return rows[arg]
    if arg == "name":
        return next(iter(getattr(view, "actions", None) or {"none": None}))
    if arg == "group_by":
        return "username"
    if arg == "job_id":  # a background job (issue 13), any
        return db.session.scalar(select(Job.id).limit(1)) or 1
    if arg == "pk" and model is not None:
        return _pk(model, rows, user)
    pytest.fail(f"the discovery cannot fill {arg!r}: teach it", pytrace=False)


def _requests(app, rows: dict, user: str) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route the discovery requests as `user`."""
    found = []
    with app.app_context(), app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in OUTSIDE:
                continue
            if "GET" in rule.methods:
                method = "GET"
            elif rule.endpoint.rsplit(".", 1)[-1] not in MUTATING:
                method = "POST"
            else:
                continue
            view, model = _model(app, rule.endpoint)
            values = {arg: _argument(arg, view, model, rows, user) for arg in rule.arguments}
            found.append((rule.endpoint, method, url_for(rule.endpoint, **values)))
    return sorted(found, key=lambda found: found[1] == "POST")  # reading first


def test_every_download_is_a_no_store_unsniffed_attachment(app, rows):
    downloads, failures = set(), []
    for user in USERS:
        client = logged_in(app, user)
        token = csrf_token(client.get("/").text)
        for endpoint, method, url in _requests(app, rows, user):
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            response.get_data()  # streamed exports: run to the end, then close as a server does
            response.close()
            if "Content-Disposition" not in response.headers:
                continue
            downloads.add(endpoint)
            headers = response.headers
            if headers.get("Cache-Control") != "no-store":
                failures.append(f"{url}: Cache-Control {headers.get('Cache-Control')!r}")
            if headers.get("X-Content-Type-Options") != "nosniff":
                failures.append(f"{url}: X-Content-Type-Options missing")
            if not headers["Content-Disposition"].startswith("attachment;"):
                failures.append(f"{url}: {headers['Content-Disposition']!r}")
            if response.mimetype == "text/html":
                failures.append(f"{url}: served as text/html")
    assert failures == []
    assert downloads >= KNOWN, KNOWN - downloads
