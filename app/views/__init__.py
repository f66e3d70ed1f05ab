"""Registration of every view and menu entry on one AppBuilder."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.views.amounts import money
from app.views.backoffice.accounts import (
    AdminOutboxGivenUpView,
    AdminOutboxView,
    BackofficeAuditView,
    BackofficePortalUserView,
)
from app.views.backoffice.campaigns import (
    BackofficeCampaignView,
    BackofficeDeclarationReopenView,
)
from app.views.backoffice.dashboard import BackofficeOverdueEmployeeView
from app.views.backoffice.documents import (
    BackofficeDocumentInboxView,
    BackofficeDocumentSendView,
    BackofficeDocumentToAcknowledgeView,
    BackofficeDocumentView,
)
from app.views.backoffice.duerp import BackofficeDuerpFollowUpView
from app.views.backoffice.employee_imports import BackofficeEmployeeImportsView
from app.views.backoffice.employees import BackofficeEmployeeView
from app.views.backoffice.invoices import BackofficeInvoiceView, BackofficeUnpaidInvoiceView
from app.views.backoffice.jobs import BackofficeJobView
from app.views.backoffice.members import (
    BackofficeContactView,
    BackofficeEstablishmentView,
    BackofficeMemberView,
    BackofficeMemberWithoutTeamView,
)
from app.views.backoffice.messages import BackofficeContactTypeView, BackofficeMessageView
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
from app.views.legal import LegalView
from app.views.navbar import navbar_menu
from app.views.portal.access import AccessView
from app.views.portal.centres import PortalCentresView
from app.views.portal.company import PortalCompanyView, PortalContactView, PortalEstablishmentView
from app.views.portal.contact import PortalContactUsView
from app.views.portal.declaration import PortalDeclarationView
from app.views.portal.documents import PortalDocumentsView
from app.views.portal.duerp import PortalDuerpView
from app.views.portal.employee_imports import PortalEmployeeImportsView
from app.views.portal.employees import PortalEmployeesView
from app.views.portal.invoices import PortalInvoicesView
from app.views.portal.messages import PortalMessagesView
from app.views.portal.profile import ProfileView
from app.views.portal.reports import PortalReportsView
from app.views.portal.users import PortalUsersView
from app.views.portal.visits import PortalVisitRequestsView
from app.views.postal_codes import PostalCodeView
from app.views.unsubscribe import UnsubscribeView

# Top-level categories of the back-office, few and short: the administrator's menu (FAB's
# "Security" added) fits one line at 1280 px (issue 9). Their names share the back-office prefix, so
# that the Staff role's pattern covers them; the portal's entries have no category.
MEMBERS = ("BackofficeMenuMembers", _l("Members"))
VISITS = ("BackofficeMenuVisits", _l("Visits"))
DOCUMENTS = ("BackofficeMenuDocuments", _l("Documents"))
BILLING = ("BackofficeMenuBilling", _l("Billing"))
SETTINGS = ("BackofficeMenuSettings", _l("Settings"))
PORTAL = (None, None)
SEPARATOR = "-"  # in MENU: a divider in the category of the previous entry

# (view, menu name, label, icon, category name, category label); menu names share the view's
# resource prefix so that the roles' patterns cover the menu entries too.
MENU = [
    (BackofficeMemberView, "BackofficeMembers", _l("Members"), "fa-building", *MEMBERS),
    (
        BackofficeMemberWithoutTeamView,
        "BackofficeMembersWithoutTeam",
        _l("Members without a health team"),
        "fa-exclamation-circle",
        *MEMBERS,
    ),
    (BackofficeEmployeeView, "BackofficeEmployees", _l("Employees"), "fa-users", *MEMBERS),
    (BackofficePortalUserView, "BackofficePortalUsers", _l("Portal accounts"), "fa-user", *MEMBERS),
    (
        BackofficeMessageView,
        "BackofficeMessages",
        _l("Members' messages"),
        "fa-comments",
        *MEMBERS,
    ),
    (BackofficeAuditView, "BackofficeAuditLog", _l("Audit log"), "fa-history", *MEMBERS),
    (AdminOutboxView, "AdminOutbox", _l("Outgoing e-mails"), "fa-envelope", *MEMBERS),
    (BackofficeJobView, "BackofficeJobs", _l("Background jobs"), "fa-cogs", *MEMBERS),
    (
        BackofficeUnassignedVisitRequestView,
        "BackofficeVisitRequestsWithoutTeam",
        _l("Visit requests without a health team"),
        "fa-exclamation-circle",
        *VISITS,
    ),
    (
        BackofficeVisitRequestView,
        "BackofficeVisitRequests",
        _l("Visit requests to handle"),
        "fa-inbox",
        *VISITS,
    ),
    (
        BackofficeVisitView,
        "BackofficeVisits",
        _l("Visits done and absences"),
        "fa-stethoscope",
        *VISITS,
    ),
    (
        BackofficeDocumentToAcknowledgeView,
        "BackofficeDocumentsToAcknowledge",
        _l("Documents to acknowledge"),
        "fa-inbox",
        *DOCUMENTS,
    ),
    (
        BackofficeDocumentInboxView,
        "BackofficeDocumentsReceived",
        _l("Documents received"),
        "fa-download",
        *DOCUMENTS,
    ),
    (BackofficeDocumentView, "BackofficeDocuments", _l("Every document"), "fa-folder", *DOCUMENTS),
    (
        BackofficeDocumentSendView,
        "BackofficeDocumentsSend",
        _l("Send a document"),
        "fa-paper-plane",
        *DOCUMENTS,
    ),
    (
        BackofficeDuerpFollowUpView,
        "BackofficeDuerpFollowUp",
        _l("DUERP follow-up"),
        "fa-check-square-o",
        *DOCUMENTS,
    ),
    (
        BackofficeCampaignView,
        "BackofficeCampaigns",
        _l("Declaration campaigns"),
        "fa-calendar-check-o",
        *BILLING,
    ),
    (BackofficeInvoiceView, "BackofficeInvoices", _l("Invoices"), "fa-eur", *BILLING),
    (
        BackofficeUnpaidInvoiceView,
        "BackofficeUnpaidInvoices",
        _l("Unpaid invoices"),
        "fa-exclamation-circle",
        *BILLING,
    ),
    (BackofficeCentreView, "BackofficeCentres", _l("Centres"), "fa-hospital-o", *SETTINGS),
    (BackofficeHealthTeamView, "BackofficeHealthTeams", _l("Health teams"), "fa-users", *SETTINGS),
    (
        BackofficeHealthProfessionalView,
        "BackofficeHealthProfessionals",
        _l("Health professionals"),
        "fa-user-md",
        *SETTINGS,
    ),
    SEPARATOR,
    (
        BackofficeRiskView,
        "BackofficeRisks",
        _l("Declarable risks"),
        "fa-exclamation-triangle",
        *SETTINGS,
    ),
    (BackofficeExamTypeView, "BackofficeExamTypes", _l("Exam types"), "fa-stethoscope", *SETTINGS),
    (
        BackofficeDocumentClassView,
        "BackofficeDocumentClasses",
        _l("Document classes"),
        "fa-folder",
        *SETTINGS,
    ),
    (BackofficePcsCodeView, "BackofficePcsCodes", _l("PCS-ESE codes"), "fa-briefcase", *SETTINGS),
    (
        BackofficeContactTypeView,
        "BackofficeContactTypes",
        _l("Types of request"),
        "fa-comments",
        *SETTINGS,
    ),
    (
        BackofficePostalCodeView,
        "BackofficePostalCodes",
        _l("Postal codes"),
        "fa-map-marker",
        *SETTINGS,
    ),
    # The portal's entries: a member's users only (app.permissions.for_members_only).
    (PortalCompanyView, "PortalCompany", _l("Company"), "fa-building", *PORTAL),
    (PortalEmployeesView, "PortalEmployees", _l("Employees"), "fa-users", *PORTAL),
    (
        PortalVisitRequestsView,
        "PortalVisitRequests",
        _l("Medical visits"),
        "fa-stethoscope",
        *PORTAL,
    ),
    (PortalDeclarationView, "PortalDeclaration", _l("Declaration"), "fa-check-square", *PORTAL),
    (PortalDocumentsView, "PortalDocuments", _l("Documents"), "fa-file-pdf-o", *PORTAL),
    (PortalInvoicesView, "PortalInvoices", _l("Invoices"), "fa-eur", *PORTAL),
    (PortalReportsView, "PortalReports", _l("Reports"), "fa-bar-chart", *PORTAL),
    (PortalUsersView, "PortalUsers", _l("Profiles"), "fa-id-card", *PORTAL),
]

NO_MENU = [
    AdminOutboxGivenUpView,
    BackofficeEmployeeImportsView,  # from a member's page (issue 14)
    BackofficeDeclarationReopenView,
    BackofficeVisitEventView,
    BackofficeEstablishmentView,
    BackofficeContactView,
    BackofficeRiskCategoryView,
    BackofficeDocumentSubclassView,
    BackofficeOverdueEmployeeView,
    PortalEstablishmentView,
    PortalContactView,
    # "Nos centres médicaux": no room left on the portal's one-line navbar at 1280 px (issue 12);
    # a home section and a footer link lead to it.
    PortalCentresView,
    # "Contactez-nous" and "Mes messages" (issue 12): a home section, the footer and the user menu.
    PortalContactUsView,
    PortalMessagesView,
    AccessView,
    PortalDuerpView,
    # "Importer des salariés" (issue 14): a button of the employee list.
    PortalEmployeeImportsView,
    ProfileView,
    PostalCodeView,
    LegalView,
    UnsubscribeView,
]


def register(appbuilder) -> None:
    current_app.add_template_filter(enum_label, "enum_label")
    current_app.add_template_global(money, "money")
    current_app.add_template_filter(day, "day")
    current_app.add_template_filter(moment, "moment")
    current_app.add_template_global(navbar_menu, "navbar_menu")
    for view in NO_MENU:
        appbuilder.add_view_no_menu(view)
    category = None
    for entry in MENU:
        if entry == SEPARATOR:
            appbuilder.add_separator(category)
            continue
        view, name, label, icon, category, category_label = entry
        if category:
            appbuilder.add_view(
                view, name, label=label, icon=icon, category=category, category_label=category_label
            )
        else:
            appbuilder.add_view(view, name, label=label, icon=icon)
