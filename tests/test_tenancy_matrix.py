"""Cross-tenant matrix: logged in as a user of member A, request every registered route, by GET and
by POST (with a valid CSRF token, so that CSRF is not what refuses), with member B's ids and forged
member fields. Routes are discovered from the URL map: a route whose arguments the matrix cannot
fill makes it fail, so every later view joins the matrix by being registered.

Expected: 403/404/405 wherever B's ids are in the URL; elsewhere no page shows B's data; and
afterwards B's rows are exactly as before."""

import io
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import g, url_for
from sqlalchemy import select

from app import clock
from app.domain.notifications import Notice
from app.domain.visit_workflow import OPEN
from app.extensions import db
from app.models.account import EmailChangeToken, PasswordResetToken
from app.models.audit import AuditEntry
from app.models.base import MemberScoped, TenantMixin
from app.models.billing import Campaign, CampaignMailing, Declaration, Invoice, MailingKind
from app.models.centre import Centre, HealthProfessional
from app.models.contact import ContactKind, ContactMessage, ContactReply, ContactType, MessageStatus
from app.models.document import Document, DocumentDirection, DuerpAnswer
from app.models.employee import Employee
from app.models.employee_import import EmployeeImport
from app.models.job import Job
from app.models.member import Contact, Establishment, Member
from app.models.provisioning import ProvisionalCredential
from app.models.reference import ExamType
from app.models.user import PortalUser
from app.models.visit import Conclusion, Visit, VisitEvent, VisitRequest
from app.security.tenancy import UNRESTRICTED, Scope
from app.services import (
    audit,
    contact,
    documents,
    duerp,
    employee_import,
    notifications,
    tokens,
    visits,
)
from tests.conftest import csrf_token, login
from tests.views.test_visits import pdf_file

B_NUMBER = "10250"
# Strings that only appear in member B's data.
B_MARKERS = (
    "BOULANGERIE DEMO",
    "10250000600014",
    "boulangerie-demo.example",
    "ets10250",
    "Manutentionnaire/Cariste",  # a work post only member B declared
    "QUESTION-OF-B",  # the subject of member B's message (issue 12)
)
# Routes outside the matrix, with the reason; anything else must be fillable.
OUTSIDE = {
    "static": "static files",
    "appbuilder.static": "FAB's static files",
    "LoginView.login": "public login form (tests/test_security.py)",
    "LoginView.logout": "ends the session of the matrix itself (tests/test_security.py)",
    "LocaleView.index": "language switch, no data (tests/test_security.py)",
}
DENIED = {403, 404, 405}
# Public pages without data (their refusals are tested in tests/views/test_access.py).
PUBLIC = {"HomeView.index", "AccessView.first_connection", "AccessView.forgot_password"}
PUBLIC |= {"LegalView.notice", "LegalView.privacy"}  # the legal pages (issue 9, "Identity")
PUBLIC |= {"healthz"}  # the load balancer's probe: no data (issue 13, tests/test_operations.py)
B_ID_ARGS = {"pk", "user_id", "employee_id", "request_id", "document_id", "invoice_id"}
B_ID_ARGS |= {"declaration_id", "message_id", "import_id"}
LOGIN_OR_HOME = {"/", "/login/"}  # "/" itself sends anonymous users to the login form


def _b_ids() -> dict:
    """One id owned by member B per model, and any id for the service's own models."""
    member = db.session.scalar(select(Member).where(Member.number == B_NUMBER))
    entry = audit.record("matrix_probe", member=member, target=member.number)
    db.session.flush()
    ids = {
        Member: member.id,
        Establishment: member.establishments[0].id,
        Contact: member.contacts[0].id,
        PortalUser: db.session.scalar(
            select(PortalUser.id).where(PortalUser.member_id == member.id).limit(1)
        ),
        AuditEntry: entry.id,
        Employee: db.session.scalar(
            select(Employee.id).where(Employee.member_id == member.id).limit(1)
        ),
    }
    ids.update(_b_visit(member, db.session.get(Employee, ids[Employee])))
    ids.update(_b_documents(member, db.session.get(Employee, ids[Employee])))
    ids.update(_b_billing(member))
    ids.update(_b_contact(member))
    ids[EmployeeImport] = _b_import(member)
    user = db.session.get(PortalUser, ids[PortalUser])
    tokens.issue(PasswordResetToken, user, timedelta(hours=1))
    tokens.issue(EmailChangeToken, user, timedelta(hours=1), new_email="b@example.org")
    now = clock.now()  # B's letter, spent long ago
    db.session.add(
        ProvisionalCredential(member_id=member.id, password_hash="x", issued_at=now, used_at=now)
    )
    return ids


def _b_visit(member, employee) -> dict:
    """A request of member B, scheduled then done, with its event and its visit."""
    busy = select(VisitRequest.exam_type_id).where(
        VisitRequest.employee_id == employee.id, VisitRequest.status.in_(OPEN)
    )
    exam = db.session.scalar(select(ExamType.id).where(ExamType.id.not_in(busy)).limit(1))
    centre = db.session.scalar(select(Centre.id).limit(1))
    professional = db.session.scalar(select(HealthProfessional.id).limit(1))
    done = visits.submit_request(member, employee, exam, "B's past request", None)
    visits.schedule(done, clock.now() + timedelta(days=1), centre, professional, None)
    done.scheduled_at = clock.now() - timedelta(days=1)
    visit = visits.record_outcome(done, None, seen=True, conclusion=Conclusion.FIT)
    # After the first is done: one request in progress per employee and exam type.
    request = visits.submit_request(member, employee, exam, "B's request", None)
    visits.schedule(request, clock.now() + timedelta(days=3), centre, professional, None)
    return {
        VisitRequest: request.id,
        VisitEvent: request.events[0].id,
        Visit: visit.id,
    }


def _b_documents(member, employee) -> dict:
    """B's documents (issue 10): one its administrator deposited, one the service sent it, one
    about its employee; the first is the id used in URLs."""
    user = db.session.scalar(select(PortalUser).where(PortalUser.member_id == member.id).limit(1))
    company = documents.usable_classes(DocumentDirection.TO_SERVICE, for_employee=False)[0]
    about_employee = documents.usable_classes(DocumentDirection.TO_MEMBER, for_employee=True)[0]
    deposited = documents.deposit(
        member,
        documents.Upload("b.pdf", pdf_file("B")),
        documents.Details(company.id, "B's statutes"),
        user,
    )
    documents.send(
        [member],
        documents.Upload("fiche.pdf", pdf_file("B")),
        documents.Details(company.id, "B's notice"),
        None,
    )
    documents.send(
        [member],
        documents.Upload("avis.pdf", pdf_file("B")),
        documents.Details(about_employee.id, "B's employee"),
        None,
        employee,
    )
    answer = duerp.record_answer(member, user, False)  # B's answer to the DUERP question
    return {Document: deposited.id, DuerpAnswer: answer.id}


def _b_billing(member) -> dict:
    """B's declaration of this year and its invoice (demo data, issue 11), and the campaign's
    invitation queued for B."""
    declaration = db.session.scalar(
        select(Declaration)
        .where(Declaration.member_id == member.id)
        .order_by(Declaration.id.desc())
    )
    campaign = db.session.scalar(select(Campaign).where(Campaign.year == declaration.year))
    db.session.add(
        CampaignMailing(
            campaign_id=campaign.id,
            member_id=member.id,
            kind=MailingKind.INVITATION,
            queued_at=clock.now(),
            recipients=1,
        )
    )
    return {Declaration: declaration.id, Invoice: declaration.invoice_id}


def _b_contact(member) -> dict:
    """B's message to the service, with a PDF, answered by the service; a notice choice and a
    reminder sent (issue 12)."""
    user = db.session.scalar(select(PortalUser).where(PortalUser.member_id == member.id).limit(1))
    staff = db.session.scalar(select(PortalUser).where(PortalUser.member_id.is_(None)).limit(1))
    kind = db.session.scalar(select(ContactType).where(ContactType.kind == ContactKind.GENERAL))
    message = contact.submit(
        member,
        user,
        contact.Draft(kind.id, "QUESTION-OF-B", "B's text"),
        contact.Upload("b.pdf", pdf_file("B")),
    )
    contact.answer(message, staff, "Answer to B", MessageStatus.IN_PROGRESS)
    notifications.set_choice(user, Notice.CAMPAIGN, False)  # B's user's choice, B's reminder
    notifications.record_sent(Notice.DUERP_REMINDER, member.id, str(clock.today().year), 1)
    return {ContactMessage: message.id, ContactReply: message.replies[0].id}


def _b_import(member) -> int:
    """B's import of employees (issue 14), waiting to be checked: the matrix's commit starts
    its dry run, so B's report rows exist when member A probes."""
    from tests.services.test_employee_import import csv_of, person

    user = db.session.scalar(select(PortalUser).where(PortalUser.member_id == member.id).limit(1))
    found = employee_import.create(member, "b.csv", csv_of([person(500), person(501)]), user)
    return found.id


def _any_id(model):
    return db.session.scalar(select(model.id).limit(1))


def _snapshot(member_id: int) -> dict:
    """Every column of every row of member B (tenant tables, its member row and its users)."""

    def rows(model, criterion):
        found = db.session.scalars(select(model).where(criterion).order_by(model.id)).all()
        return [
            {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "changed_on"}
            for row in found
        ]

    snapshot = {"member": rows(Member, Member.id == member_id)}
    for model in _member_scoped_models():
        snapshot[model.__tablename__] = rows(model, model.member_id == member_id)
    return snapshot


def _member_owned_models() -> list:
    """Every mapped model whose table has a member_id column (for a table shared by FAB's base
    `User` and our `PortalUser`, the latter: FAB's security manager uses it as its user model)."""
    return [
        mapper.class_
        for mapper in Member.registry.mappers
        if "member_id" in mapper.class_.__table__.columns
        and len(list(mapper.self_and_descendants)) == 1
    ]


def _member_scoped_models() -> list:
    return [model for model in _member_owned_models() if issubclass(model, MemberScoped)]


def _view_model(app, endpoint: str):
    view_name = endpoint.split(".")[0]
    for view in app.appbuilder.baseviews:
        if type(view).__name__ == view_name:
            datamodel = getattr(view, "datamodel", None)
            return view, (datamodel.obj if datamodel is not None else None)
    return None, None


def _pk(model, ids):
    if model is None:
        return None
    if issubclass(model, TenantMixin | Member) or model is PortalUser:
        return ids.get(model)
    return _any_id(model) or 1


# How to fill each URL argument: from member B's ids, or with a harmless value.
ARGUMENTS = {
    "pk": lambda view, model, ids: _pk(model, ids),
    "user_id": lambda view, model, ids: ids[PortalUser],
    "employee_id": lambda view, model, ids: ids[Employee],
    "request_id": lambda view, model, ids: ids[VisitRequest],
    "document_id": lambda view, model, ids: ids[Document],
    "invoice_id": lambda view, model, ids: ids[Invoice],
    "declaration_id": lambda view, model, ids: ids[Declaration],
    "message_id": lambda view, model, ids: ids[ContactMessage],
    "import_id": lambda view, model, ids: ids[EmployeeImport],
    "job_id": lambda view, model, ids: _any_id(Job) or 1,  # the service's background jobs
    "year": lambda view, model, ids: clock.today().year,
    "kind": lambda view, model, ids: "invitation",  # a campaign's e-mails (staff only)
    "name": lambda view, model, ids: next(iter(getattr(view, "actions", {}) or {"unknown": 0})),
    "flag": lambda view, model, ids: "active",
    "token": lambda view, model, ids: "not-a-token",
    "filename": lambda view, model, ids: "any.pdf",
    "group_by": lambda view, model, ids: "username",
}


def _fill(app, rule, ids) -> tuple[list[str] | None, str | None]:
    """The URLs to request for `rule`, or the reason the matrix cannot fill it."""
    view, model = _view_model(app, rule.endpoint)
    values = {}
    for arg in rule.arguments:
        if arg not in ARGUMENTS:
            return None, f"unknown argument {arg!r}"
        values[arg] = ARGUMENTS[arg](view, model, ids)
        if values[arg] is None:
            return None, f"no id of member B for {arg} of {rule.endpoint}"
    with app.test_request_context():
        return [url_for(rule.endpoint, **values)], None


def _text(response) -> str:
    """The response as text; an xlsx (a zip of XML parts) is unpacked."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


def _forged_form(member_id: int, ids: dict) -> dict:
    return {
        "member": str(member_id),
        "member_id": str(member_id),
        "name": "HACKED",
        "last_name": "HACKED",
        "siret": "73282932000074",
        "number": "99999",
        "action": "unlock",
        "rowid": [str(ids[PortalUser]), str(ids[Contact])],
        "delete": "1",
    }


@pytest.fixture
def matrix(app):
    with app.app_context():
        ids = _b_ids()
        db.session.commit()
        before = _snapshot(ids[Member])
        routes, unreachable = [], []
        for rule in app.url_map.iter_rules():
            if rule.endpoint in OUTSIDE:
                continue
            urls, reason = _fill(app, rule, ids)
            if urls is None:
                unreachable.append(f"{rule.rule}: {reason}")
            else:
                routes.append((rule, urls))
    return ids, before, routes, unreachable


def test_every_route_is_reachable_by_the_matrix(matrix):
    _ids, _before, routes, unreachable = matrix
    assert unreachable == []
    assert len(routes) > 50


@pytest.mark.parametrize("username", ["ets10251"])
def test_member_a_never_reaches_member_b(app, client, matrix, username):
    ids, before, routes, _unreachable = matrix
    assert login(client, username).status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    token = csrf_token(home.get_data(as_text=True))
    failures = []
    for rule, urls in routes:
        for url in urls:
            for method in sorted(rule.methods & {"GET", "POST"}):
                data = {**_forged_form(ids[Member], ids), "csrf_token": token}
                response = client.open(url, method=method, data=data if method == "POST" else None)
                body = _text(response)
                if rule.arguments & B_ID_ARGS and response.status_code not in DENIED:
                    failures.append(f"{method} {url}: {response.status_code} with B's id")
                elif response.status_code >= 500:
                    failures.append(f"{method} {url}: {response.status_code}")
                elif any(marker in body for marker in B_MARKERS):
                    failures.append(f"{method} {url}: shows member B's data")
    assert failures == []
    with app.app_context():
        assert _snapshot(ids[Member]) == before
        forged = db.session.scalars(select(Contact).where(Contact.last_name == "HACKED")).all()
        assert all(contact.member_id != ids[Member] for contact in forged)


def _path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def test_anonymous_reaches_no_route(app, client, matrix):
    _ids, _before, routes, _unreachable = matrix
    failures = []
    for rule, urls in routes:
        if rule.endpoint in PUBLIC:
            continue
        for url in urls:
            response = client.get(url) if "GET" in rule.methods else client.post(url)
            if response.status_code not in {302, 400, 401, 403, 404, 405}:
                failures.append(f"{url}: {response.status_code}")
            elif response.status_code == 302 and _path(response) not in LOGIN_OR_HOME:
                failures.append(f"{url}: redirects to {response.headers['Location']}")
    assert failures == []


def test_provisional_credentials_of_b_are_never_listed_to_a(app, client):
    with app.app_context():
        assert db.session.scalar(select(ProvisionalCredential.id).limit(1)) is not None
    login(client, "ets10251")
    assert "Provisoire" not in client.get("/portalcompanyview/mine/", follow_redirects=True).text


def test_every_member_owned_model_is_under_the_guard(app, matrix):
    """A model with a member_id that escapes the guard fails here: it must carry MemberScoped
    (or TenantMixin), and a member user's query of it must return only the member's rows, even
    with no explicit filter. Each model needs a row of member B (add one to `_b_ids`)."""
    ids, _before, _routes, _unreachable = matrix
    with app.app_context():
        member_a = db.session.scalar(select(Member.id).where(Member.number == "10251"))
    owned = _member_owned_models()
    assert {PortalUser, AuditEntry, Employee, VisitRequest, EmailChangeToken} <= set(owned)
    assert [model.__name__ for model in owned if not issubclass(model, MemberScoped)] == []
    with app.test_request_context():
        g.tenant_scope = UNRESTRICTED
        without_b = [
            model.__name__
            for model in owned
            if db.session.scalar(select(model.id).where(model.member_id == ids[Member]).limit(1))
            is None
        ]
        assert without_b == []
        g.tenant_scope = Scope(member_id=member_a)
        leaks = {
            model.__name__: owners
            for model in owned
            if (owners := {row.member_id for row in db.session.scalars(select(model))} - {member_a})
        }
        assert db.session.scalars(select(Member.id)).all() == [member_a]
        db.session.rollback()
    assert leaks == {}
