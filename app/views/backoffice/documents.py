"""Back-office: the documents members sent to the service (to acknowledge), every document with
whether the member read it, a staff download that marks nothing read, and sending a document to
members or to one employee (issue 10, "The service's side")."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import permission_name
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import case, select

from app.domain.inputs import parse_id
from app.extensions import db
from app.models.document import Document, DocumentDirection
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import DocumentSubclass
from app.services import ServiceError, document_sending, documents, mail
from app.views import downloads
from app.views.backoffice.document_forms import DocumentSendForm
from app.views.backoffice.member_filter import MEMBER_SEARCH
from app.views.common import READ_ONLY_ROUTES, BaseModelView, EagerInterface, FilterIsNull
from app.views.labels import FORMATTERS, LABELS, moment, text_or_blank
from app.views.messages import text_of

DIRECTIONS = {
    DocumentDirection.TO_SERVICE: _l("Received from the member"),
    DocumentDirection.TO_MEMBER: _l("Sent by the service"),
}


def _size(value) -> str:
    return _("%(size)s KB", size=format_decimal(max(value or 0, 1) / 1024, "#,##0.#"))


def _new_or_moment(value):
    if value is None:
        return Markup('<span class="label label-warning">{}</span>').format(_("New"))
    return moment(value)


class InboxInterface(EagerInterface):
    """The default order (newest first) puts the documents not acknowledged yet before the
    others: they are the service's work."""

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column == "sent_at" and order_direction == "desc":
            query = query.order_by(case((Document.acknowledged_at.is_(None), 0), else_=1))
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)


class DocumentFileMixin:
    @expose("/<int:pk>/download")
    @has_access
    @permission_name("download")
    def document_file(self, pk):
        """The stored file, streamed, for staff: it marks nothing read (that is the member's
        first download, app.services.documents.mark_read)."""
        document = self.datamodel.get(pk, self._base_filters)
        if document is None:
            abort(404)
        return downloads.stored_file(
            document.content_id, document.size, f"document-{document.id}.pdf", document.content_type
        )


# Empty relations and texts show as nothing rather than FAB's "None".
BLANK = dict.fromkeys(
    ("employee", "subclass", "number", "sent_by", "acknowledged_by", "read_by"), text_or_blank
)
LIST_LABELS = {
    **LABELS,
    "sent_at": _l("Date"),
    "employee": _l("Employee"),
    "description": _l("Description"),
    "filename": _l("File name"),
    "size": _l("Size"),
    "subclass": _l("Document sub-class"),
    "number": _l("Document number"),
    "sent_by": _l("Sent by"),
    "acknowledged_at": _l("Acknowledged on"),
    "acknowledged_by": _l("Acknowledged by"),
    "read_at": _l("Read by the member on"),
    "read_by": _l("Read by"),
    "direction": _l("Direction"),
}


class BackofficeDocumentInboxView(DocumentFileMixin, BaseModelView):
    datamodel = InboxInterface(Document, "member", "employee", "acknowledged_by")
    class_permission_name = "BackofficeDocumentsReceived"
    list_title = _l("Documents received from members")
    show_title = _l("Document received")
    base_permissions = ["can_list", "can_show", "can_download", "acknowledge"]
    exclude_route_methods = {"download", "add", "edit", "delete"}
    base_filters = [["direction", FilterEqual, DocumentDirection.TO_SERVICE]]
    list_columns = [
        "sent_at", "member", "employee", "document_class", "description", "filename", "size",
        "acknowledged_at", "acknowledged_by",
    ]  # fmt: skip
    show_columns = [
        "sent_at", "member", "employee", "document_class", "subclass", "number", "description",
        "filename", "size", "sent_by", "acknowledged_at", "acknowledged_by",
    ]  # fmt: skip
    search_columns = ["member", "document_class", "sent_at", "acknowledged_at", "description"]
    search_form_query_rel_fields = MEMBER_SEARCH
    order_columns = ["sent_at", "acknowledged_at", "size"]
    base_order = ("sent_at", "desc")
    label_columns = LIST_LABELS
    formatters_columns = {**FORMATTERS, **BLANK, "size": _size, "acknowledged_at": _new_or_moment}

    @action("acknowledge", _l("Acknowledge receipt"), "", "fa-check")
    def acknowledge(self, items):
        several = isinstance(items, list)
        done = 0
        for item in items if several else [items]:
            try:
                done += documents.acknowledge(item, g.user)
            except ServiceError as error:
                flash(text_of(error), "warning")
        db.session.commit()
        flash(
            ngettext(
                "%(num)d document acknowledged: the member sees «received by the service».",
                "%(num)d documents acknowledged: the member sees «received by the service».",
                done,
            ),
            "success",
        )
        return redirect(url_for(".list") if several else url_for(".show", pk=items.id))


class BackofficeDocumentToAcknowledgeView(BackofficeDocumentInboxView):
    list_title = _l("Documents to acknowledge")
    base_filters = [
        ["direction", FilterEqual, DocumentDirection.TO_SERVICE],
        ["acknowledged_at", FilterIsNull, None],
    ]


class BackofficeDocumentView(DocumentFileMixin, BaseModelView):
    """Every document, both directions: what the service sent and when the member read it."""

    datamodel = EagerInterface(Document, "member", "employee", "read_by", "acknowledged_by")
    class_permission_name = "BackofficeDocuments"
    list_title = show_title = _l("Every document")
    base_permissions = ["can_list", "can_show", "can_download"]
    exclude_route_methods = READ_ONLY_ROUTES
    list_columns = [
        "sent_at", "direction", "member", "employee", "document_class", "description", "size",
        "read_at", "read_by", "acknowledged_at",
    ]  # fmt: skip
    show_columns = [
        "sent_at", "direction", "member", "employee", "document_class", "subclass", "number",
        "description", "filename", "size", "sent_by", "read_at", "read_by", "acknowledged_at",
        "acknowledged_by",
    ]  # fmt: skip
    search_columns = ["member", "document_class", "sent_at", "read_at", "description"]
    search_form_query_rel_fields = MEMBER_SEARCH
    order_columns = ["sent_at", "read_at", "acknowledged_at", "size"]
    base_order = ("sent_at", "desc")
    label_columns = LIST_LABELS
    formatters_columns = {
        **FORMATTERS,
        **BLANK,
        "size": _size,
        "direction": lambda value: DIRECTIONS.get(value, ""),
        "read_at": moment,
        "acknowledged_at": moment,
    }


def _upload(upload) -> documents.Upload:
    return documents.Upload(getattr(upload, "filename", None), upload.read() if upload else b"")


class BackofficeDocumentSendView(BaseView):
    route_base = "/backoffice/documents/send"
    default_view = "index"
    class_permission_name = "BackofficeDocumentsSend"
    base_permissions = ["can_send"]

    def _employee(self) -> Employee | None:
        if "employee_id" not in request.args:
            return None
        employee_id = parse_id(request.args["employee_id"])
        employee = db.session.get(Employee, employee_id) if employee_id else None
        if employee is None:
            abort(404)
        return employee

    def _preset(self, employee: Employee | None) -> str:
        """The recipient the page was opened for: an employee's member, or a member (its page's
        "Send a document" link)."""
        if employee is not None:
            return employee.member.number
        member = db.session.get(Member, parse_id(request.args.get("member_id", "")) or 0)
        return member.number if member else ""

    def _choices(self, form: DocumentSendForm, employee: Employee | None) -> None:
        classes = documents.usable_classes(DocumentDirection.TO_MEMBER, employee is not None)
        form.class_id.choices = [(0, "")] + [(c.id, c.label) for c in classes]
        labels = {c.id: c.label for c in classes}
        subclasses = db.session.scalars(
            select(DocumentSubclass)
            .where(DocumentSubclass.class_id.in_(labels))
            .order_by(DocumentSubclass.class_id, DocumentSubclass.label)
        )
        form.subclass_id.choices = [(0, "-")] + [
            (s.id, f"{labels[s.class_id]} : {s.label}") for s in subclasses
        ]

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("send")
    def index(self):
        employee = self._employee()
        form = DocumentSendForm()
        self._choices(form, employee)
        if not form.is_submitted():
            form.recipients.data = self._preset(employee)
        if form.validate_on_submit():
            sent = self._send(form, employee)
            if sent is not None:
                return redirect(url_for("BackofficeDocumentView.list"))
        return self.render_template("backoffice/document_send.html", form=form, employee=employee)

    def _send(self, form: DocumentSendForm, employee: Employee | None):
        upload = form.file.data
        try:
            outcome = document_sending.send(
                form.all_active.data,
                form.recipients.data,
                _upload(upload),
                documents.Details(
                    form.class_id.data or None,
                    form.description.data,
                    form.subclass_id.data or None,
                    form.number.data,
                ),
                g.user,
                employee=employee,
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(text_of(error), "danger")
            return None
        if outcome.job_id is not None:  # many members: a background job writes the documents
            text = _("Sending in progress to %(num)d members.", num=outcome.members)
            link = url_for("BackofficeJobView.show", job_id=outcome.job_id)
            follow = _("Follow the sending")
            flash(Markup('{} <a href="{}">{}</a>').format(text, link, follow), "info")
            return outcome
        mail.deliver_later(outcome.mails)
        flash(
            _(
                "The document is sent to %(num)d member(s); %(mails)d e-mail(s) to their users "
                "who receive this notice are in the outbox.",
                num=outcome.members,
                mails=len(outcome.mails),
            ),
            "success",
        )
        return outcome
