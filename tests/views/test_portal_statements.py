"""Every portal page's SQL statements (issue 13, "Throughput"): as the member's administrator, a
page costs the same number of statements with the demo's few rows as with many more of every kind
it shows (employees, requests, visits, documents, invoices, declarations, messages and replies,
accounts, establishments, contacts), and at most 12; an anonymous page costs one statement (the
public role's grants, read once per request). Every GET page of the portal's views is either
measured here or named in NOT_MEASURED with the reason."""

from datetime import timedelta

from sqlalchemy import select

from app import clock, permissions
from app.domain.notifications import Notice
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.centre import Centre, HealthProfessional
from app.models.employee import Employee
from app.models.member import Contact, Establishment, Member
from app.models.reference import ExamType
from app.models.user import PortalUser
from app.models.visit import Visit, VisitOutcome, VisitRequest
from app.services import accounts
from app.services.notifications import unsubscribe_token
from app.views.portal.employee_pages import CHOOSABLE
from tests.views.test_contact_portal import _add_replies, add_messages
from tests.views.test_declaration import _grow_history
from tests.views.test_documents import _many as add_documents
from tests.views.test_employees import _add_employees, logged_in
from tests.views.test_member_home import _grow as add_overdue_and_awaiting
from tests.views.test_portal_invoices import _many as add_invoices
from tests.views.test_same_work import statements_of
from tests.views.test_visit_request_list import _add_requests

MAX_STATEMENTS = 12
MANY = 30
NUMBER = "10250"

# name -> URL, with the ids of `_ids`; lists at their largest page size, so that every added row
# is on the page.
PAGES = {
    "home": "/",
    "company": "/portalcompanyview/show/{member}",
    "company edit": "/portalcompanyview/edit/{member}",
    "establishments": "/portalestablishmentview/list/?psize_PortalEstablishmentView=100",
    "contacts": "/portalcontactview/list/?psize_PortalContactView=100",
    "contact add": "/portalcontactview/add",
    "employees": "/employees/?size=100",
    "employees, all columns": "/employees/?size=100&cols=" + ",".join(sorted(CHOOSABLE)),
    "employee new": "/employees/new",
    "employee record": "/employees/{employee}",
    "employee imports": "/employees/imports/",
    "an import's report": "/employees/imports/{employee_import}?show=all",
    "visit requests": "/visit-requests/?size=100",
    "visit request new": "/visit-requests/new?employee_id={employee}",
    "declaration": "/declaration/",
    "documents": "/documents/?size=100",
    "document new": "/documents/new",
    "employees' documents": "/documents/employees/?size=100",
    "an employee's documents": "/documents/employees/{employee}/",
    "an employee's document new": "/documents/employees/{employee}/new",
    "invoices": "/invoices/?size=100",
    "profiles": "/company-users/",
    "profile new": "/company-users/new",
    "a profile's rights": "/company-users/{collaborator}/rights",
    "my profile": "/profile/",
    "centres": "/centres/",
    "contact us": "/contact/",
    "my messages": "/messages/?size=100",
    "a message": "/messages/{message}",
    "DUERP question": "/duerp/",
    "legal notice": "/legal/mentions-legales",
    "personal data": "/legal/donnees-personnelles",
}
ANONYMOUS = ["/login/", "/access/first-connection", "/access/forgot-password"]

# GET routes of the portal's views that are not pages (files, JSON, redirects) or not this test's.
NOT_MEASURED = {
    "PortalReportsView": "the reports pages (issue 13's reports work, tests/views/test_reports.py)",
    "PortalEmployeesView.export_xlsx": "a file",
    "PortalEmployeesView.export_xml": "a file",
    "PortalEmployeesView.pcs": "JSON suggestions",
    "PortalEmployeeImportsView.template": "a file",
    "PortalEmployeeImportsView.errors": "a file",
    "PortalEmployeeImportsView.state": "JSON for the page's script",
    "PortalDocumentsView.download": "a file",
    "PortalInvoicesView.pdf": "a file",
    "PortalMessagesView.attachment": "a file",
    "PortalVisitRequestsView.convocation": "a file",
    "PortalCompanyView.mine": "a redirect to the company page",
    "PortalCompanyView.list": "a redirect to the company page",
    "PortalEstablishmentView.show": "one row",
    "PortalContactView.show": "one row",
    "PortalContactView.edit": "one row",
    "PortalContactView.delete": "a POST action",
    "PortalCompanyView.show": "measured by its URL (company)",
}


def _ids(app) -> dict[str, int]:
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == NUMBER))
        employee = db.session.scalar(
            select(Employee.id).where(Employee.member_id == member.id).order_by(Employee.id)
        )
        collaborator = db.session.scalar(
            select(PortalUser.id).where(PortalUser.username == f"ets{NUMBER}.2")
        )
    from tests.views.test_contact_portal import make_message

    return {
        "member": member.id,
        "employee": employee,
        "employee_import": _import(app),
        "collaborator": collaborator,
        "message": make_message(app, f"ets{NUMBER}"),
    }


def _import(app, rows: int = 3) -> int:
    """An import of the member, checked: `rows` rows, one in error."""
    from tests.services.test_employee_import import checked, csv_of, person

    with app.app_context():
        people = [person(300 + n) for n in range(rows - 1)] + [person(399, Sexe="?")]
        return checked(csv_of(people)).id


def _grow_import(app, import_id: int, count: int) -> None:
    """More rows in the import's report, of every outcome, and more imports of the member."""
    from app.models.employee_import import EmployeeImportRow, RowAction

    with app.app_context():
        sample = db.session.scalars(
            select(EmployeeImportRow).where(EmployeeImportRow.import_id == import_id)
        ).all()
        actions = list(RowAction)
        for n in range(count):
            model = sample[n % len(sample)]
            db.session.add(
                EmployeeImportRow(
                    import_id=import_id,
                    member_id=model.member_id,
                    line=100 + n,
                    action=actions[n % len(actions)],
                    name=f"LIGNE {n}",
                    category="SI",
                    values=model.values,
                    cells=model.cells,
                    errors=[["sex", "import_bad_sex", {}]] if n % 2 else None,
                    notes=[["work_post", "import_new_post", {"designation": "Vendeur"}]],
                )
            )
        db.session.commit()
    for _n in range(12):
        _import(app)


def _grow_record(app, employee_id: int, count: int) -> None:
    """Requests, visits done and absences of one employee, each with another centre, exam type
    and professional (loading them row by row would show)."""
    with app.app_context():
        employee = db.session.get(Employee, employee_id)
        exams = db.session.scalars(select(ExamType).order_by(ExamType.id)).all()
        centres = db.session.scalars(select(Centre).order_by(Centre.id)).all()
        professionals = db.session.scalars(select(HealthProfessional)).all()
        start = clock.now() - timedelta(days=400)
        for n in range(count):
            request = VisitRequest(
                member_id=employee.member_id,
                employee_id=employee.id,
                exam_type_id=exams[n % len(exams)].id,
                motive="Demande",
                status=RequestStatus.DONE,
                requested_at=start + timedelta(days=n),
                scheduled_at=start + timedelta(days=n + 3),
                centre_id=centres[n % len(centres)].id,
                health_team_id=employee.member.health_team_id,
            )
            db.session.add(request)
            db.session.flush()
            db.session.add(
                Visit(
                    member_id=employee.member_id,
                    employee_id=employee.id,
                    request_id=request.id,
                    exam_type_id=exams[n % len(exams)].id,
                    visit_on=(start + timedelta(days=n + 3)).date(),
                    outcome=VisitOutcome.SEEN if n % 2 else VisitOutcome.ABSENT,
                    professional_id=professionals[n % len(professionals)].id,
                    recorded_at=start + timedelta(days=n + 3),
                )
            )
        db.session.commit()


def _grow_company(app, count: int) -> None:
    """Establishments, contacts and collaborators holding every combination of rights."""
    rights = sorted(permissions.PORTAL_RIGHT_ROLES)
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.number == NUMBER))
        for n in range(count):
            db.session.add(
                Establishment(member_id=member.id, siret="73282932000074", name=f"SITE {n}")
            )
            db.session.add(Contact(member_id=member.id, last_name=f"CONTACT{n}"))
            accounts.create_user(
                username=f"probe{n}.{NUMBER}",
                password="Probe-password-2026",
                roles=[permissions.ROLE_MEMBER, rights[n % len(rights)], rights[n // 2 % 7]],
                first_name="Probe",
                last_name=f"PROBE{n}",
                email=f"probe{n}@example.com",
                member_id=member.id,
            )
        db.session.commit()


def _grow(app, ids: dict[str, int]) -> None:
    _add_employees(app, NUMBER, 60)
    add_overdue_and_awaiting(app, NUMBER, MANY)
    _add_requests(app, NUMBER, 60)
    _grow_record(app, ids["employee"], MANY)
    add_documents(app, NUMBER, MANY)
    add_documents(app, NUMBER, MANY, employee_id=ids["employee"])
    add_invoices(app, NUMBER, MANY)
    _grow_history(app, NUMBER, 10)
    add_messages(app, f"ets{NUMBER}", MANY)
    _add_replies(app, ids["message"], [f"ets{NUMBER}", f"ets{NUMBER}.2"] * 10)
    _grow_company(app, MANY)
    _grow_import(app, ids["employee_import"], 60)


def _counts(app, client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name  # also the warm-up
        counts[name] = len(statements_of(app, lambda u=url: client.get(u)))
    return counts


def test_every_portal_page_costs_the_same_few_statements_whatever_the_members_size(app):
    ids = _ids(app)
    urls = {name: url.format(**ids) for name, url in PAGES.items()}
    client = logged_in(app, f"ets{NUMBER}")

    few = _counts(app, client, urls)
    _grow(app, ids)
    many = _counts(app, client, urls)

    assert len(client.get(urls["employees"]).text) > len(client.get(urls["legal notice"]).text)
    assert {name: (few[name], many[name]) for name in urls if few[name] != many[name]} == {}
    assert {name: n for name, n in many.items() if n > MAX_STATEMENTS} == {}


def test_every_portal_page_is_measured(app):
    """A new page of the portal is added to PAGES (or to NOT_MEASURED with a reason)."""
    measured = {url.split("?")[0].split("{")[0].rstrip("/") for url in PAGES.values()}
    missing = []
    for rule in app.url_map.iter_rules():
        view_class, _dot, method = rule.endpoint.partition(".")
        portal = view_class.startswith("Portal") or view_class in ("ProfileView", "LegalView")
        if not portal or "GET" not in rule.methods:
            continue
        if view_class in NOT_MEASURED or rule.endpoint in NOT_MEASURED:
            continue
        prefix = rule.rule.split("<")[0].rstrip("/")
        if not any(url == prefix or url.startswith(prefix + "/") for url in measured if url):
            missing.append(rule.endpoint)
    assert missing == []


def test_an_anonymous_page_costs_one_statement(app):
    """The public role's grants, read once for the page's menu and footer (16 statements each
    before, two per check)."""
    client = app.test_client()
    for url in ANONYMOUS:
        client.get(url)
        executed = statements_of(app, lambda u=url: client.get(u))
        assert executed == ["SELECT ab_permission_view"], url


def test_the_unsubscribe_page_costs_its_user_and_choices_besides(app):
    with app.app_context():
        user_id = db.session.scalar(select(PortalUser.id).where(PortalUser.username == "ets10250"))
        url = f"/notifications/unsubscribe/{unsubscribe_token(user_id, Notice.CAMPAIGN)}"
    client = app.test_client()
    assert client.get(url).status_code == 200
    executed = statements_of(app, lambda: client.get(url))
    assert executed.count("SELECT ab_permission_view") == 1, executed
    assert len(executed) <= 4, executed  # the user, its roles and notice choices


def test_a_page_costs_one_statement_for_the_user_and_its_rights(app):
    """The user, its roles, groups and member are read in one statement at each request (three
    before), and the checks of the page's menu, sections and footer read nothing more."""
    client = logged_in(app, f"ets{NUMBER}")
    client.get("/legal/mentions-legales")
    executed = statements_of(app, lambda: client.get("/legal/mentions-legales"))
    assert executed == ["SELECT ab_user"]


def _grant_public(app, permission: str, resource: str, granted: bool) -> None:
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role(permissions.ROLE_PUBLIC)
        grant = sm.add_permission_view_menu(permission, resource)
        if granted:
            sm.add_permission_role(role, grant)
        else:
            sm.del_permission_role(role, grant)
        db.session.commit()


def test_a_right_of_the_public_role_takes_effect_at_the_next_request(app):
    """The public role's grants are read once per request, never kept longer: a grant by the
    service's administrator shows at the next page, and so does its withdrawal."""
    client = app.test_client()
    page = client.get("/login/").text
    assert "footer-centres" not in page
    assert 'href="/employees/"' not in page

    _grant_public(app, "can_list", permissions.PORTAL_CENTRES, True)
    _grant_public(app, "menu_access", "PortalEmployees", True)  # the navbar's entry
    page = client.get("/login/").text
    assert "footer-centres" in page
    assert 'href="/employees/"' in page

    _grant_public(app, "can_list", permissions.PORTAL_CENTRES, False)
    _grant_public(app, "menu_access", "PortalEmployees", False)
    page = client.get("/login/").text
    assert "footer-centres" not in page
    assert 'href="/employees/"' not in page


def test_the_menu_follows_each_users_rights(app):
    """The navbar's menu is kept per set of rights: the administrator and a collaborator in
    the same process each get theirs."""
    administrator = logged_in(app, f"ets{NUMBER}")
    collaborator = logged_in(app, f"ets{NUMBER}.2")
    for _ in range(2):
        assert 'href="/company-users/"' in _navbar(administrator.get("/legal/mentions-legales"))
        assert 'href="/company-users/"' not in _navbar(collaborator.get("/legal/mentions-legales"))
        assert 'href="/employees/"' in _navbar(collaborator.get("/legal/mentions-legales"))


def _navbar(response) -> str:
    text = response.text
    return text[text.index('<ul class="nav navbar-nav">') : text.index("navbar-right")]


def test_a_right_withdrawn_from_a_collaborator_takes_effect_at_the_next_request(app):
    collaborator = logged_in(app, f"ets{NUMBER}.2")
    assert collaborator.get("/visit-requests/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(PortalUser).where(PortalUser.username == f"ets{NUMBER}.2"))
        user.roles = [role for role in user.roles if role.name != "right.visits"]
        db.session.commit()

    assert collaborator.get("/visit-requests/").status_code != 200
    assert 'href="/visit-requests/"' not in collaborator.get("/").text  # menu and sections


def test_templates_are_compiled_once(app):
    """Outside `flask run --debug`, Jinja does not look at the template files again at each page
    (auto_reload off) and keeps each compiled template."""
    assert app.debug is False
    assert app.jinja_env.auto_reload is False
    with app.test_request_context():
        layout = app.jinja_env.get_template("layout.html")
        assert app.jinja_env.get_template("layout.html") is layout
