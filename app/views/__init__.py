"""Registration of every view and menu entry on one AppBuilder."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.views.backoffice.accounts import (
    AdminOutboxView,
    BackofficeAuditView,
    BackofficePortalUserView,
)
from app.views.backoffice.employees import BackofficeEmployeeView
from app.views.backoffice.members import (
    BackofficeContactView,
    BackofficeEstablishmentView,
    BackofficeMemberView,
    BackofficeMemberWithoutTeamView,
)
from app.views.backoffice.organisation import (
    BackofficeCentreView,
    BackofficeHealthProfessionalView,
    BackofficeHealthTeamView,
)
from app.views.backoffice.reference import (
    BackofficeDocumentClassView,
    BackofficeDocumentSubclassView,
    BackofficeExamTypeView,
    BackofficePcsCodeView,
    BackofficePostalCodeView,
    BackofficeRiskCategoryView,
    BackofficeRiskView,
)
from app.views.backoffice.visits import (
    BackofficeUnassignedVisitRequestView,
    BackofficeVisitEventView,
    BackofficeVisitRequestView,
    BackofficeVisitView,
)
from app.views.labels import day, enum_label, moment
from app.views.portal.access import AccessView
from app.views.portal.company import PortalCompanyView, PortalContactView, PortalEstablishmentView
from app.views.portal.employees import PortalEmployeesView
from app.views.portal.profile import ProfileView
from app.views.portal.reports import PortalReportsView
from app.views.portal.users import PortalUsersView
from app.views.portal.visits import PortalVisitRequestsView

# (view, menu name, label, icon, category name, category label); menu names share the view's
# resource prefix so that the roles' patterns cover the menu entries too.
MENU = [
    (
        BackofficeMemberView,
        "BackofficeMembers",
        _l("Members"),
        "fa-building",
        "BackofficeMenuMembers",
        _l("Members"),
    ),
    (
        BackofficeUnassignedVisitRequestView,
        "BackofficeVisitRequestsWithoutTeam",
        _l("Visit requests without a health team"),
        "fa-exclamation-circle",
        "BackofficeMenuVisits",
        _l("Visits"),
    ),
    (
        BackofficeVisitRequestView,
        "BackofficeVisitRequests",
        _l("Visit requests to handle"),
        "fa-inbox",
        "BackofficeMenuVisits",
        _l("Visits"),
    ),
    (
        BackofficeMemberWithoutTeamView,
        "BackofficeMembersWithoutTeam",
        _l("Members without a health team"),
        "fa-exclamation-circle",
        "BackofficeMenuMembers",
        _l("Members"),
    ),
    (
        BackofficeVisitView,
        "BackofficeVisits",
        _l("Visits done and absences"),
        "fa-stethoscope",
        "BackofficeMenuVisits",
        _l("Visits"),
    ),
    (
        BackofficeEmployeeView,
        "BackofficeEmployees",
        _l("Employees"),
        "fa-users",
        "BackofficeMenuMembers",
        _l("Members"),
    ),
    (
        BackofficePortalUserView,
        "BackofficePortalUsers",
        _l("Portal accounts"),
        "fa-user",
        "BackofficeMenuMembers",
        _l("Members"),
    ),
    (
        BackofficeCentreView,
        "BackofficeCentres",
        _l("Centres"),
        "fa-hospital-o",
        "BackofficeMenuOrganisation",
        _l("Organisation"),
    ),
    (
        BackofficeHealthTeamView,
        "BackofficeHealthTeams",
        _l("Health teams"),
        "fa-users",
        "BackofficeMenuOrganisation",
        _l("Organisation"),
    ),
    (
        BackofficeHealthProfessionalView,
        "BackofficeHealthProfessionals",
        _l("Health professionals"),
        "fa-user-md",
        "BackofficeMenuOrganisation",
        _l("Organisation"),
    ),
    (
        BackofficeRiskView,
        "BackofficeRisks",
        _l("Declarable risks"),
        "fa-exclamation-triangle",
        "BackofficeMenuReference",
        _l("Reference data"),
    ),
    (
        BackofficeExamTypeView,
        "BackofficeExamTypes",
        _l("Exam types"),
        "fa-stethoscope",
        "BackofficeMenuReference",
        _l("Reference data"),
    ),
    (
        BackofficeDocumentClassView,
        "BackofficeDocumentClasses",
        _l("Document classes"),
        "fa-folder",
        "BackofficeMenuReference",
        _l("Reference data"),
    ),
    (
        BackofficePcsCodeView,
        "BackofficePcsCodes",
        _l("PCS-ESE codes"),
        "fa-briefcase",
        "BackofficeMenuReference",
        _l("Reference data"),
    ),
    (
        BackofficePostalCodeView,
        "BackofficePostalCodes",
        _l("Postal codes"),
        "fa-map-marker",
        "BackofficeMenuReference",
        _l("Reference data"),
    ),
    (
        BackofficeAuditView,
        "BackofficeAuditLog",
        _l("Audit log"),
        "fa-history",
        "BackofficeMenuMembers",
        _l("Members"),
    ),
    (
        AdminOutboxView,
        "AdminOutbox",
        _l("Outgoing e-mails"),
        "fa-envelope",
        "BackofficeMenuMembers",
        _l("Members"),
    ),
    (PortalCompanyView, "PortalCompany", _l("Company"), "fa-building", None, None),
    (PortalEmployeesView, "PortalEmployees", _l("Employees"), "fa-users", None, None),
    (
        PortalVisitRequestsView,
        "PortalVisitRequests",
        _l("Medical visits"),
        "fa-stethoscope",
        None,
        None,
    ),
    (PortalReportsView, "PortalReports", _l("Reports"), "fa-bar-chart", None, None),
    (PortalUsersView, "PortalUsers", _l("Profiles"), "fa-id-card", None, None),
]

NO_MENU = [
    BackofficeVisitEventView,
    BackofficeEstablishmentView,
    BackofficeContactView,
    BackofficeRiskCategoryView,
    BackofficeDocumentSubclassView,
    PortalEstablishmentView,
    PortalContactView,
    AccessView,
    ProfileView,
]


def register(appbuilder) -> None:
    current_app.add_template_filter(enum_label, "enum_label")
    current_app.add_template_filter(day, "day")
    current_app.add_template_filter(moment, "moment")
    for view in NO_MENU:
        appbuilder.add_view_no_menu(view)
    for view, name, label, icon, category, category_label in MENU:
        if category:
            appbuilder.add_view(
                view, name, label=label, icon=icon, category=category, category_label=category_label
            )
        else:
            appbuilder.add_view(view, name, label=label, icon=icon)
