"""Back-office: portal accounts (unlock after repeated login failures) and the audit log."""

from flask import flash, g, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app import permissions
from app.extensions import db
from app.models.account import OutboxMail
from app.models.audit import AuditEntry
from app.models.user import PortalUser
from app.security.role_labels import role_label
from app.services import accounts
from app.views.backoffice.member_filter import MEMBER_SEARCH
from app.views.common import READ_ONLY_ROUTES, BaseModelView, EagerInterface
from app.views.labels import FORMATTERS, LABELS, audit_action, yes_no


class BackofficePortalUserView(BaseModelView):
    datamodel = EagerInterface(PortalUser, "member")
    class_permission_name = "BackofficePortalUsers"
    list_title = show_title = _l("Portal accounts")
    base_permissions = ["can_list", "can_show", "unlock"]  # FAB names action permissions bare
    exclude_route_methods = {"download", "add", "edit", "delete"}
    list_columns = ["username", "last_name", "first_name", "member", "active", "locked_until"]
    search_columns = [
        "username", "last_name", "first_name", "email", "active", "locked_until", "member",
    ]  # fmt: skip
    search_form_query_rel_fields = MEMBER_SEARCH  # the member's page links here filtered
    show_columns = [
        "username",
        "last_name",
        "first_name",
        "email",
        "phone",
        "member",
        "active",
        "is_portal_contact",
        "must_change_password",
        "last_login",
        "locked_until",
    ]
    base_order = ("username", "asc")

    @action("unlock", _l("Unlock"), _l("Unlock the selected accounts?"), "fa-unlock")
    def unlock(self, items):
        items = items if isinstance(items, list) else [items]
        for user in items:
            accounts.unlock(user, actor=g.user)
        db.session.commit()
        flash(_l("Account unlocked."), "success")
        return redirect(self.get_redirect())


# The details an audit entry may carry (app.services.audit.record(**details)), as staff read them.
DETAIL_LABELS = {
    "active": LABELS["active"],
    "contact": LABELS["is_portal_contact"],
    "before": _l("Before"),
    "after": _l("After"),
    "rights": _l("Rights"),
    "revoked_previous": _l("Earlier letters revoked"),
    "scheduled_at": LABELS["scheduled_at"],
    "contract_end_on": LABELS["contract_end_on"],
    "format": _l("Format"),
    "rows": _l("Rows exported"),
}


def _detail_value(value) -> str:
    if isinstance(value, bool):
        return str(yes_no(value))
    if isinstance(value, list):  # role names (rights before and after a change)
        return ", ".join(role_label(item) for item in value) or "-"
    return str(value)


def audit_details(details) -> str:
    """`{'before': ['right.visits'], 'after': []}` as `Avant : Droit : Demandes… ; Après : -`."""
    if not details:
        return ""
    if not isinstance(details, dict):
        return str(details)
    return " ; ".join(
        f"{DETAIL_LABELS.get(key, key)} : {_detail_value(value)}" for key, value in details.items()
    )


class BackofficeAuditView(BaseModelView):
    datamodel = EagerInterface(AuditEntry, "actor", "member")
    class_permission_name = "BackofficeAuditLog"
    list_title = show_title = _l("Audit log")
    base_permissions = ["can_list", "can_show"]
    exclude_route_methods = READ_ONLY_ROUTES
    list_columns = ["at", "actor", "member", "action", "target"]
    search_columns = ["at", "action", "target", "member"]
    search_form_query_rel_fields = MEMBER_SEARCH  # the member's page links here filtered
    show_columns = ["at", "actor", "member", "action", "target", "details"]
    base_order = ("at", "desc")
    formatters_columns = {**FORMATTERS, "action": audit_action, "details": audit_details}


class AdminOutboxView(BaseModelView):
    """E-mails written by the portal, for the service's administrators only (not every staff
    user: a mail may concern any member). Personal links are never kept, bodies are erased once
    sent; without an SMTP server the mails wait here."""

    datamodel = SQLAInterface(OutboxMail)
    class_permission_name = permissions.ADMIN_OUTBOX
    list_title = show_title = _l("Outgoing e-mails")
    base_permissions = ["can_list", "can_show"]
    exclude_route_methods = READ_ONLY_ROUTES
    list_columns = ["created_at", "recipient", "subject", "sent_at", "error"]
    search_columns = ["recipient", "subject", "created_at", "sent_at"]
    show_columns = ["created_at", "recipient", "subject", "body", "sent_at", "error"]
    base_order = ("created_at", "desc")
