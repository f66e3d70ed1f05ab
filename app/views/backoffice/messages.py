"""Back-office: the members' messages of "Contactez-nous" (issue 12, "staff answer from the
back-office and the member is told by e-mail"): the queue (app.services.contact_queue), a
message's page with its thread, answering, assigning, setting the status, the attachment; and the
types of request as reference data staff edit (no delete: deactivated instead, old messages keep
their type)."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from app.extensions import db
from app.models.contact import ContactKind, ContactType, MessageStatus
from app.services import ServiceError, contact, contact_queue, mail
from app.views import downloads
from app.views.backoffice.message_forms import (
    NOBODY,
    STATUS_LABELS,
    AnswerForm,
    AssignForm,
    StatusForm,
)
from app.views.common import BaseModelView, LabelledEnumField
from app.views.labels import FORMATTERS, LABELS, yes_no
from app.views.messages import text_of
from app.views.validators import REQUIRED_MESSAGE, email_field

KIND_LABELS = {
    ContactKind.GENERAL: _l("Message"),
    ContactKind.VISIT: _l("Visit request (the employee's record)"),
    ContactKind.INVOICE: _l("Message about an invoice"),
}


def served_name(message) -> str:
    """The name an attachment is downloaded under: generated, whatever was uploaded."""
    return f"message-{message.id}.pdf"


class BackofficeMessageView(BaseView):
    route_base = "/backoffice/messages"
    default_view = "index"
    class_permission_name = "BackofficeMessages"
    base_permissions = ["can_list", "can_show", "can_edit", "can_download"]

    def _message(self, message_id: int):
        return contact_queue.message(message_id) or abort(404)

    def _show(self, message_id: int, answer=None, assign=None, status_form=None, code=200):
        found = self._message(message_id)
        assign = assign or AssignForm(formdata=None)
        assign.with_staff(contact_queue.staff_members(), g.user.id)
        if not assign.is_submitted():
            assign.assignee.data = str(found.assignee_id) if found.assignee_id else NOBODY
        return self.render_template(
            "backoffice/message_show.html",
            message=found,
            answer=answer or AnswerForm(formdata=None),
            assign=assign,
            status_form=status_form or StatusForm(formdata=None, status=found.status.value),
            statuses=STATUS_LABELS,
        ), code

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        filters = contact_queue.Filters.from_args(request.args)
        queue = contact_queue.page(filters, g.user.id)
        size = contact_queue.PAGE_SIZE
        return self.render_template(
            "backoffice/message_list.html",
            queue=queue,
            filters=filters,
            first=(filters.page - 1) * size + 1 if queue.rows else 0,
            last=(filters.page - 1) * size + len(queue.rows),
            statuses=STATUS_LABELS,
            types=contact_queue.types(),
            staff=contact_queue.staff_members(),
        )

    @expose("/<int:message_id>")
    @has_access
    @permission_name("show")
    def show(self, message_id: int):
        return self._show(message_id)

    @expose("/<int:message_id>/answer", methods=["POST"])
    @has_access
    @permission_name("edit")
    def answer(self, message_id: int):
        form = AnswerForm()
        if not form.validate():
            return self._show(message_id, answer=form, code=400)
        try:
            status = MessageStatus(form.status_after.data)
            ids = contact.answer(self._message(message_id), g.user, form.body.data, status)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            form.body.errors = [text_of(error)]
            return self._show(message_id, answer=form, code=400)
        mail.deliver_later(ids)
        if ids:
            flash(_("Your answer is recorded; the author is told by e-mail."), "success")
        else:  # the author's account is gone, or they turned this notice off
            flash(_("Your answer is recorded; the author gets no e-mail about it."), "success")
        return redirect(url_for(".show", message_id=message_id))

    @expose("/<int:message_id>/assign", methods=["POST"])
    @has_access
    @permission_name("edit")
    def assign(self, message_id: int):
        found = self._message(message_id)
        form = AssignForm().with_staff(contact_queue.staff_members(), g.user.id)
        if not form.validate():
            return self._show(message_id, assign=form, code=400)
        staff_id = None if form.assignee.data == NOBODY else int(form.assignee.data)
        try:
            contact.assign(found, staff_id, g.user)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            form.assignee.errors = [text_of(error)]
            return self._show(message_id, assign=form, code=400)
        flash(_("The message's assignee is saved."), "success")
        return redirect(url_for(".show", message_id=message_id))

    @expose("/<int:message_id>/status", methods=["POST"])
    @has_access
    @permission_name("edit")
    def status(self, message_id: int):
        found = self._message(message_id)
        form = StatusForm()
        if not form.validate():
            return self._show(message_id, status_form=form, code=400)
        contact.set_status(found, MessageStatus(form.status.data), g.user)
        db.session.commit()
        flash(_("The message's status is saved."), "success")
        return redirect(url_for(".show", message_id=message_id))

    @expose("/<int:message_id>/attachment")
    @has_access
    @permission_name("download")
    def attachment(self, message_id: int):
        found = self._message(message_id)
        if found.attachment_content_id is None:
            abort(404)
        return downloads.stored_file(
            found.attachment_content_id, found.attachment_size, served_name(found)
        )


def kind_label(kind) -> str:
    return str(KIND_LABELS.get(kind, kind or ""))


class KindField(LabelledEnumField):
    """The form of a type (ContactKind), with its labels."""

    def __init__(self, **kwargs):
        members = list(ContactKind.__members__)
        super(LabelledEnumField, self).__init__(ContactKind, members, **kwargs)
        self.choices = [(kind.name, KIND_LABELS[kind]) for kind in ContactKind]


def _kind_field():
    return KindField(
        label=_l("Form"), widget=Select2Widget(), validators=[DataRequired(REQUIRED_MESSAGE)]
    )


def _address_field():
    field = email_field(_l("Routing e-mail address"))
    field.kwargs["description"] = _l(
        "Empty: the address of the settings for this type, else the service's address."
    )
    return field


class BackofficeContactTypeView(BaseModelView):
    """The types of "Contactez-nous" (reference data): code and kind at creation only, no
    delete (a type is deactivated: its messages keep it)."""

    datamodel = SQLAInterface(ContactType)
    class_permission_name = "BackofficeContactTypes"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    exclude_route_methods = {"delete"}
    list_title = show_title = _l("Types of request")
    add_title = _l("Add a type of request")
    edit_title = _l("Edit a type of request")
    label_columns = {
        **LABELS,
        "kind": _l("Form"),
        "address": _l("Routing e-mail address"),
        "position": _l("Position"),
        "is_active": _l("Active"),
    }
    list_columns = ["position", "code", "label", "kind", "address", "is_active"]
    show_columns = list_columns
    add_columns = ["code", "label", "kind", "address", "position", "is_active"]
    edit_columns = ["label", "address", "position", "is_active"]
    search_columns = ["code", "label", "is_active"]
    base_order = ("position", "asc")
    formatters_columns = {**FORMATTERS, "kind": kind_label, "is_active": yes_no}
    add_form_extra_fields = {"kind": _kind_field(), "address": _address_field()}
    edit_form_extra_fields = {"address": _address_field()}

    def pre_add(self, item):
        item.address = (item.address or "").strip() or None

    pre_update = pre_add
