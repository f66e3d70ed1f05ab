"""Portal: "Contactez-nous" (manual, "Contactez-nous"; issue 12): the service's coordinates and
support address, the type of request chosen in a list, then that type's form: a message (with an
invoice for a question about one, an optional PDF), or for a medical visit the way to the
employee's record. Resource PortalMessages (every member user). POSTs are rate limited per
user (CONTACT_RATE_LIMIT)."""

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.utils.limit import Limit
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from app import permissions
from app.domain.inputs import parse_id
from app.extensions import db
from app.models.contact import ContactKind
from app.models.member import Member
from app.services import ServiceError, contact, mail
from app.views.amounts import money
from app.views.common import current_member_id
from app.views.messages import MESSAGES
from app.views.params import FORM_MESSAGE

MAX_INVOICES = 100  # the newest ones in the select: older ones can be typed in the text


def _optional_id(value):
    """An id from a select ("" for none); anything else is a field error, never a 500."""
    if value in (None, "", "None"):
        return None
    found = parse_id(str(value))
    if found is None:
        raise ValueError(value)
    return found


class ContactForm(FlaskForm):
    type_id = HiddenField()
    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Message"))
    invoice_id = SelectField(
        _l("Invoice"), coerce=_optional_id, validate_choice=False, choices=[("", "")]
    )
    invoice_number = StringField(_l("Invoice number"))
    attachment = FileField(_l("Attached file (PDF)"))


def contact_limit() -> str:
    return current_app.config["CONTACT_RATE_LIMIT"]


def contact_key() -> str:
    """Rate-limit key: the user (their address when not logged in)."""
    return f"contact:{current_user.get_id() or get_remote_address()}"


def contact_limits() -> list[Limit]:
    """The per-user limit on sending a message and on replying (FAB applies it to the view's
    whole blueprint; GET pages are not counted)."""
    return [Limit(contact_limit, contact_key, methods=["POST"], cost=1)]


def invoice_choices(member_id: int) -> list[tuple[int, str]]:
    return [
        (
            invoice.id,
            f"{invoice.number} – {format_date(invoice.issued_on)} – {money(invoice.total)}",
        )
        for invoice in contact.recent_invoices(member_id, MAX_INVOICES)
    ]


class PortalContactUsView(BaseView):
    route_base = "/contact"
    default_view = "page"
    class_permission_name = permissions.PORTAL_MESSAGES
    base_permissions = ["can_list", "can_add"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.limits = contact_limits()

    def _can(self, permission: str, resource: str) -> bool:
        return self.appbuilder.sm.has_access(permission, resource)

    def _render(self, form: ContactForm, types, chosen, status: int = 200):
        invoices = []
        if chosen is not None and chosen.kind is ContactKind.INVOICE:
            if self._can("can_list", "PortalInvoices"):
                invoices = invoice_choices(current_member_id())
            form.invoice_id.choices = [("", _("-Choose-")), *invoices]
        page = self.render_template(
            "contact/page.html",
            types=types,
            chosen=chosen,
            form=form,
            invoices=invoices,
            kinds=ContactKind,
            max_body=contact.MAX_BODY,
            can_request_visit=self._can("can_add", "PortalVisitRequests"),
            can_search_employees=self._can("can_list", "PortalEmployees"),
            can_list_visits=self._can("can_list", "PortalVisitRequests"),
        )
        return page, status

    @staticmethod
    def _chosen(types, code=None, type_id=None):
        """The active type named by its code (GET) or its id (POST), else None."""
        for contact_type in types:
            if contact_type.code == code or str(contact_type.id) == str(type_id):
                return contact_type
        return None

    @expose("/", methods=["GET"])
    @has_access
    @permission_name("list")
    def page(self):
        current_member_id()
        types = contact.active_types()
        chosen = self._chosen(types, code=request.args.get("type"))
        form = ContactForm(type_id=chosen.id if chosen else None)
        return self._render(form, types, chosen)

    @expose("/", methods=["POST"])
    @has_access
    @permission_name("add")
    def send(self):
        member = db.session.get(Member, current_member_id())
        form = ContactForm()
        types = contact.active_types()
        chosen = self._chosen(types, type_id=form.type_id.data)
        if not form.validate_on_submit():
            flash(FORM_MESSAGE, "danger")
            return self._render(form, types, chosen, 400)
        try:
            message = contact.submit(member, g.user, self._draft(form), self._upload(form))
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
            return self._render(form, types, chosen, 400)
        mail.deliver_after_response(message.mail_ids)
        flash(
            _(
                "Your message has been sent to the service concerned, which will answer you as "
                "soon as possible."
            ),
            "success",
        )
        return redirect(url_for("PortalMessagesView.show", message_id=message.id))

    @staticmethod
    def _draft(form: ContactForm) -> contact.Draft:
        return contact.Draft(
            type_id=parse_id(form.type_id.data) or 0,
            subject=form.subject.data or "",
            body=form.body.data or "",
            invoice_id=form.invoice_id.data,
            invoice_number=form.invoice_number.data,
        )

    @staticmethod
    def _upload(form: ContactForm) -> contact.Upload | None:
        upload = form.attachment.data
        if not upload or not upload.filename:
            return None
        return contact.Upload(upload.filename, upload.read())
