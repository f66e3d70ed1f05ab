"""The sections of the portal home (manual, "Utiliser votre portail adhérent"), each shown to a
user who holds the right on its resource. Sections whose screens come with later issues show as
"coming soon" rather than as a dead link."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from app import permissions


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
    ),
    Section("PortalInvoices", _l("Invoices"), _l("Your invoices, to download as PDF."), "fa-eur"),
    Section(
        "PortalUsers",
        _l("Profiles"),
        _l("Your collaborators' accounts and their rights."),
        "fa-id-card",
        "PortalUsersView.list",
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
