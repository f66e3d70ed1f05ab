"""Back-office: portal accounts (unlock after repeated login failures), the audit log and the
outbox (where each mail stands, sending again the mails given up)."""

from flask import flash, g, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from app import permissions
from app.extensions import db
from app.models.account import OutboxMail
from app.models.audit import AuditEntry
from app.models.user import PortalUser
from app.security.role_labels import role_label
from app.services import accounts, mail, outbox
from app.services.outbox import Delivery
from app.views.backoffice.member_filter import MEMBER_SEARCH
from app.views.common import READ_ONLY_ROUTES, BaseModelView, EagerInterface
from app.views.labels import FORMATTERS, LABELS, audit_action, moment, yes_no


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


DELIVERY_LABELS = {
    Delivery.SENT: (_l("Delivered"), "success"),
    Delivery.WAITING: (_l("Waiting"), "default"),
    Delivery.RETRY: (_l("Retry planned"), "warning"),
    Delivery.GIVEN_UP: (_l("Given up"), "danger"),
    Delivery.PERSONAL: (_l("Personal link not sent"), "default"),
}


def delivery_label(mail: OutboxMail) -> Markup:
    """Where a mail stands, as a coloured label (a retry with its time)."""
    delivery = outbox.delivery_of(mail)
    text, colour = DELIVERY_LABELS[delivery]
    if delivery is Delivery.RETRY:
        text = _("Retry planned at %(moment)s", moment=moment(mail.next_attempt_at))
    return Markup('<span class="label label-{}" data-delivery="{}">{}</span>').format(
        colour, delivery.value, text
    )


class OutboxInterface(SQLAInterface):
    """The outbox's rows, with a "delivery" column computed from several (app.services.outbox)."""

    def _get_attr_value(self, item, col):
        if col == "delivery":
            return delivery_label(item)
        return super()._get_attr_value(item, col)


class FilterGivenUp(BaseFilter):
    """A base filter: the mails given up after their last retry (not the personal links)."""

    name = "Given up"
    arg_name = "given_up"

    def apply(self, query, value):
        return query.filter(outbox.given_up())


def short_error(error) -> str:
    return error if not error or len(error) <= 120 else error[:119] + "…"


class AdminOutboxView(BaseModelView):
    """E-mails written by the portal, for the service's administrators only (not every staff
    user: a mail may concern any member). Personal links are never kept, bodies are erased once
    sent; without an SMTP server the mails wait here. A mail that failed is retried with a
    growing delay, then given up: "Renvoyer" queues the selected ones again (issue 13)."""

    datamodel = OutboxInterface(OutboxMail)
    class_permission_name = permissions.ADMIN_OUTBOX
    list_title = show_title = _l("Outgoing e-mails")
    list_template = "backoffice/outbox_list.html"
    base_permissions = ["can_list", "can_show", "send_again"]  # FAB names actions bare
    exclude_route_methods = READ_ONLY_ROUTES - {"action_post"}  # the action on the selection
    label_columns = {
        **LABELS,
        "delivery": _l("Status"),
        "attempts": _l("Attempts"),
        "next_attempt_at": _l("Next attempt"),
    }
    list_columns = [
        "created_at", "recipient", "subject", "delivery", "attempts", "sent_at", "error",
    ]  # fmt: skip
    search_columns = ["recipient", "subject", "created_at", "sent_at"]
    show_columns = [
        "created_at", "recipient", "subject", "body", "delivery", "attempts",
        "next_attempt_at", "sent_at", "error",
    ]  # fmt: skip
    formatters_columns = {**FORMATTERS, "error": short_error}
    base_order = ("created_at", "desc")

    def render_template(self, template, **kwargs):
        if template == self.list_template:  # the count of the mails given up, over the list
            kwargs["given_up"] = outbox.given_up_total()
        return super().render_template(template, **kwargs)

    @action(
        "send_again",
        _l("Send again"),
        _l("Send the selected e-mails again?"),
        "fa-repeat",
        single=False,
    )
    def send_again(self, items):
        items = items if isinstance(items, list) else [items]
        count = mail.send_again([item.id for item in items])
        db.session.commit()
        if count:
            flash(
                ngettext("%(num)d e-mail queued again.", "%(num)d e-mails queued again.", count),
                "success",
            )
        else:
            flash(_("None of these e-mails can be sent again: only those given up can."), "warning")
        return redirect(self.get_redirect())


class AdminOutboxGivenUpView(AdminOutboxView):
    """The outbox's mails given up, which the staff home counts for the administrators."""

    list_title = _l("E-mails given up")
    base_filters = [["next_attempt_at", FilterGivenUp, None]]
