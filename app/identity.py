"""The service's identity on every page (issue 9, "Identity"): its name, logo, favicon and colour,
the footer's address and contacts, and each page's own title, all read from the settings
(config.identity()), none written in a template."""

from flask import current_app, g, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.security.role_labels import role_label

# Titles of the pages that are neither FAB model views (which pass their list_title, show_title,
# add_title or edit_title) nor the default page of a menu entry (whose label is the title).
TITLES = {
    "LoginView.login": _l("Log in"),
    "AccessView.first_connection": _l("First connection"),
    "AccessView.administrator": _l("Create the portal administrator's account"),
    "AccessView.forgot_password": _l("Forgotten password"),
    "AccessView.reset": _l("Choose a new password"),
    "AccessView.confirm_email": _l("Confirm your new e-mail address"),
    "HomeView.index": _l("Home"),
    "ProfileView.edit": _l("My profile"),
    "PortalEmployeesView.add": _l("New employee"),
    "PortalEmployeesView.show": _l("Employee record"),
    "PortalVisitRequestsView.new": _l("Medical visit request"),
    "PortalUsersView.new": _l("Create a user account"),
    "PortalUsersView.rights": _l("Rights"),
    "PortalReportsView.workforce": _l("Workforce"),
    "PortalReportsView.planning": _l("Planning"),
    "PortalReportsView.conclusions": _l("Conclusions"),
    "PortalReportsView.nci": _l("Attestations de non contre-indication to renew"),
    "LegalView.notice": _l("Legal notice"),
    "LegalView.privacy": _l("Personal data"),
    "PortalCentresView.directory": _l("Our medical centres"),
    "PortalContactUsView.page": _l("Contact us"),
    "PortalContactUsView.send": _l("Contact us"),
    "PortalMessagesView.list": _l("My messages"),
    "PortalMessagesView.show": _l("My messages"),
    "PortalMessagesView.reply": _l("My messages"),
    "UnsubscribeView.confirm": _l("E-mail notices"),
    "BackofficeMessageView.list": _l("Members' messages"),
    "BackofficeMessageView.show": _l("Members' messages"),
}
SEPARATOR = " — "
BACK_OFFICE = _l("Back-office")


def static_or_url(value: str) -> str:
    """A setting naming a file under app/static/, or an absolute URL used as it is."""
    if value.startswith(("http://", "https://", "/", "data:")):
        return value
    return url_for("static", filename=value)


def _menu_labels(items, labels: dict) -> dict:
    for item in items:
        if item.baseview is not None:
            labels.setdefault(item.baseview.endpoint, item.label or item.name)
        _menu_labels(item.childs or [], labels)
    return labels


def _labels_by_endpoint() -> dict:
    """Endpoint -> its menu entry's label (lazy, translated when shown), gathered once: the menu
    does not change after start-up."""
    labels = current_app.extensions.get("portal.menu_labels")
    if labels is None:
        labels = _menu_labels(current_app.appbuilder.menu.get_list(), {})
        current_app.extensions["portal.menu_labels"] = labels
    return labels


def page_name(explicit=None) -> str:
    """The page's own name: what the view says (FAB's titles, a report's), the endpoint's title,
    or the label of the menu entry the page belongs to."""
    if explicit:
        return str(explicit)
    endpoint = request.endpoint or ""
    if endpoint in TITLES:
        return str(TITLES[endpoint])
    return str(_labels_by_endpoint().get(request.blueprint or "", ""))


def _area() -> str:
    """The member portal, or the back-office for the service's staff (no member)."""
    user = g.get("user")
    if user is not None and user.is_authenticated and getattr(user, "member_id", 0) is None:
        return str(BACK_OFFICE)
    return current_app.config["APP_NAME"]


def document_title(explicit=None) -> str:
    """`<title>`: the page, the application, the service (`Salariés — Portail adhérent — ASMIS`,
    `Adhérents — Back-office — ASMIS`)."""
    config = current_app.config
    parts = [page_name(explicit), _area(), config["SERVICE_NAME"]]
    unique = [part for i, part in enumerate(parts) if part and part not in parts[:i]]
    return SEPARATOR.join(unique)


def _context() -> dict:
    if not has_request_context():  # mails rendered after the response have no page around them
        return {}
    config = current_app.config
    return {
        "document_title": document_title,
        "service_logo": static_or_url(config["SERVICE_LOGO"]),
        "service_favicon": static_or_url(config["SERVICE_FAVICON"]),
        "page_lang": str(get_locale() or config["BABEL_DEFAULT_LOCALE"]),
    }


def init_app(app) -> None:
    app.context_processor(_context)
    # FAB's role pages (templates/appbuilder/general/widgets/roles/) show roles by their labels.
    app.add_template_filter(role_label, "role_label")
