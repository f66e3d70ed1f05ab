"""The sections of the portal home (manual, "Utiliser votre portail adhérent"), each shown to a
user who holds the right on its resource. Sections whose screens come with later issues show as
"coming soon" rather than as a dead link. Above them, the user's to-do list."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app import clock, permissions
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.services import dashboard, declaration_screen


@dataclass(frozen=True)
class Section:
    resource: str
    title: str
    description: str
    icon: str
    endpoint: str | None = None


SECTIONS = (
    Section(
        permissions.PORTAL_COMPANY,
        _l("Company"),
        _l("Administrative data, establishments, contacts and your health team."),
        "fa-building",
        "PortalCompanyView.mine",
    ),
    Section(
        "PortalEmployees",
        _l("Employees"),
        _l("Your workforce, declared risks and follow-up categories."),
        "fa-users",
        "PortalEmployeesView.list",
    ),
    Section(
        "PortalVisitRequests",
        _l("Medical visits"),
        _l("Request a medical visit and follow your requests."),
        "fa-stethoscope",
        "PortalVisitRequestsView.list",
    ),
    Section(
        "PortalDeclaration",
        _l("Declaration"),
        _l("Confirm your yearly workforce declaration."),
        "fa-check-square",
        "PortalDeclarationView.page",
    ),
    Section(
        "PortalReports",
        _l("Reports"),
        _l("Workforce, planning and conclusions of health assessments."),
        "fa-bar-chart",
        "PortalReportsView.index",
    ),
    Section(
        "PortalDocuments",
        _l("Documents"),
        _l("Your DUERP and the documents exchanged with the service."),
        "fa-file-pdf-o",
        "PortalDocumentsView.list",
    ),
    Section(
        "PortalInvoices",
        _l("Invoices"),
        _l("Your invoices, to download as PDF."),
        "fa-eur",
        "PortalInvoicesView.list",
    ),
    Section(
        "PortalUsers",
        _l("Profiles"),
        _l("Your collaborators' accounts and their rights."),
        "fa-id-card",
        "PortalUsersView.list",
    ),
    Section(
        permissions.PORTAL_CENTRES,
        _l("Our medical centres"),
        _l("The service's sites near you, your centre and your health team."),
        "fa-map-marker",
        "PortalCentresView.directory",
    ),
    Section(
        permissions.PORTAL_MESSAGES,
        _l("Contact us"),
        _l("Write to the service and follow the answers to your messages."),
        "fa-envelope",
        "PortalContactUsView.page",
    ),
)


def portal_sections(security_manager) -> list[dict]:
    """The sections the current user may open, with their URL (None while not yet available)."""
    return [
        {
            "title": section.title,
            "description": section.description,
            "icon": section.icon,
            "url": url_for(section.endpoint) if section.endpoint else None,
        }
        for section in SECTIONS
        if security_manager.has_access("can_list", section.resource)
    ]


@dataclass(frozen=True)
class TodoItem:
    kind: str  # overdue, changed, redeclare, awaiting, declaration (a CSS class, and for the tests)
    text: str
    url: str | None = None
    parts: tuple[tuple[str, str], ...] = ()  # (text, url) details, e.g. by status


def member_todo_items(security_manager, member_id: int) -> list[TodoItem]:
    """The member home's to-do list (issue 9, "The member's home says what to do"): each item
    only when there is something to do and the user may open the section it concerns."""

    def may(resource: str) -> bool:
        return security_manager.has_access("can_list", resource)

    reports = may("PortalReports")
    todo = dashboard.member_todo(
        db.session,
        member_id,
        clock.today(),
        late=reports or may("PortalEmployees"),
        employees=may("PortalEmployees"),
        visits=may("PortalVisitRequests"),
    )
    items = []
    if todo.overdue:
        text = ngettext(
            "%(num)d employee is overdue for a visit.",
            "%(num)d employees are overdue for a visit.",
            todo.overdue,
        )
        if reports:
            url = url_for("PortalReportsView.workforce", overdue="1")
        else:
            url = url_for("PortalEmployeesView.list", overdue="1")
        items.append(TodoItem("overdue", text, url))
    if todo.changed:
        text = ngettext(
            "%(num)d employee changed follow-up category with the regulations: check the "
            "declared risks.",
            "%(num)d employees changed follow-up category with the regulations: check their "
            "declared risks.",
            todo.changed,
        )
        items.append(TodoItem("changed", text, url_for("PortalEmployeesView.list", changed="1")))
    if todo.redeclare:
        text = ngettext(
            "%(num)d employee still carries a withdrawn risk item: declare the risks again.",
            "%(num)d employees still carry a withdrawn risk item: declare their risks again.",
            todo.redeclare,
        )
        items.append(
            TodoItem("redeclare", text, url_for("PortalEmployeesView.list", redeclare="1"))
        )
    if todo.to_declare:
        text = ngettext(
            "%(num)d imported employee has no risks declared yet: declare them.",
            "%(num)d imported employees have no risks declared yet: declare them.",
            todo.to_declare,
        )
        items.append(
            TodoItem("to_declare", text, url_for("PortalEmployeesView.list", to_declare="1"))
        )
    if todo.awaiting_total:
        items.append(_awaiting(todo.awaiting, todo.awaiting_total))
    if may("PortalDeclaration"):
        year = declaration_screen.to_confirm(member_id, clock.today())
        if year is not None:
            text = _("Your %(year)d workforce declaration is to confirm.", year=year)
            items.append(TodoItem("declaration", text, url_for("PortalDeclarationView.page")))
    return items


def _awaiting(by_status: dict[RequestStatus, int], total: int) -> TodoItem:
    text = ngettext(
        "%(num)d visit request awaits an appointment:",
        "%(num)d visit requests await an appointment:",
        total,
    )
    wording = {
        RequestStatus.SUBMITTED: lambda n: ngettext(
            "%(num)d sent to the team", "%(num)d sent to the team", n
        ),
        RequestStatus.ACKNOWLEDGED: lambda n: ngettext(
            "%(num)d acknowledged by the team", "%(num)d acknowledged by the team", n
        ),
    }
    parts = tuple(
        (wording[status](count), url_for("PortalVisitRequestsView.list", status=status.name))
        for status, count in by_status.items()
    )
    return TodoItem("awaiting", text, None, parts)
