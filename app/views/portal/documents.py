"""Portal: the documents exchanged with the service (manual, chapter 10 "Documents" and
"Déposer votre DUERP"): "Documents Adhérent" (the company's documents, both directions), the
form "Ajouter des documents de l'adhérent", and "Documents Salariés" (one employee's documents,
only for users who may see the employees). Resource PortalDocuments.

Thin views: the checks and the storage are the documents service's (app.services.documents),
the lists' queries app.services.document_list's."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.document import Document, DocumentDirection
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import DocumentClass, DocumentSubclass
from app.services import ServiceError, document_list, documents, employee_list
from app.services.collaborators import company_users
from app.services.employee_list import PAGE_SIZES
from app.views import downloads
from app.views.common import current_member_id, owned
from app.views.messages import text_of
from app.views.portal.document_forms import DocumentForm

RESOURCE = "PortalDocuments"
EMPLOYEES = "PortalEmployees"


def size_label(size: int) -> str:
    """A file's size as the service writes it: "245 Ko", "1,4 Mo"."""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, (size + 1023) // 1024)))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))


def served_name(document: Document) -> str:
    """The downloaded file's name: generated, never the uploaded one (issue 10)."""
    return f"document-{document.id}.pdf"


def _pages(params, total: int) -> dict:
    first = (params.page - 1) * params.size + 1 if total else 0
    return {
        "params": params,
        "total": total,
        "first": first,
        "last": min(params.page * params.size, total),
        "pages": max((total + params.size - 1) // params.size, 1),
        "page_sizes": PAGE_SIZES,
    }


class PortalDocumentsView(BaseView):
    route_base = "/documents"
    default_view = "list"
    class_permission_name = RESOURCE
    base_permissions = ["can_list", "can_add", "can_edit", "can_download"]

    # -- helpers ---------------------------------------------------------------------------

    def _member(self) -> Member:
        return db.session.get(Member, current_member_id())

    def _sees_employees(self) -> bool:
        return self.appbuilder.sm.has_access("can_list", EMPLOYEES)

    def _employee(self, employee_id: int) -> Employee:
        """One of the member's employees, for a user who may see them (403 otherwise)."""
        if not self._sees_employees():
            abort(403)
        return owned(Employee, employee_id)

    def _document(self, document_id: int) -> Document:
        """The member's document; an employee's only for who may see the employees."""
        document = owned(Document, document_id)
        if document.employee_id is not None and not self._sees_employees():
            abort(404)
        return document

    def _list(self, employee: Employee | None):
        params = document_list.params_of(request.args)
        member = self._member()
        employee_id = employee.id if employee is not None else None
        rows, total = document_list.page(db.session, member.id, employee_id, params)
        classes = db.session.scalars(select(DocumentClass).order_by(DocumentClass.code)).all()
        senders = [(document_list.SERVICE, _("The service"))] + [
            (user.id, f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username)
            for user in company_users(member.id)
        ]
        return self.render_template(
            "documents/list.html",
            member=member,
            employee=employee,
            rows=rows,
            class_choices=[(c.id, c.label) for c in classes],
            sender_choices=senders,
            may_withdraw=documents.may_withdraw,
            size_label=size_label,
            can_add=self.appbuilder.sm.has_access("can_add", RESOURCE),
            can_withdraw=self.appbuilder.sm.has_access("can_edit", RESOURCE),
            sees_employees=self._sees_employees(),
            endpoint=".employee" if employee is not None else ".list",
            endpoint_args={"employee_id": employee_id} if employee is not None else {},
            **_pages(params, total),
        )

    def _form(self, employee: Employee | None):
        member = self._member()
        form = DocumentForm()
        classes = documents.usable_classes(DocumentDirection.TO_SERVICE, employee is not None)
        form.class_id.choices = [(0, _("-Choose-"))] + [(c.id, c.label) for c in classes]
        subclasses = db.session.scalars(
            select(DocumentSubclass)
            .where(DocumentSubclass.class_id.in_([c.id for c in classes]))
            .order_by(DocumentSubclass.class_id, DocumentSubclass.label)
        ).all()
        groups = [
            {
                "id": c.id,
                "label": c.label,
                "subclasses": [(s.id, s.label) for s in subclasses if s.class_id == c.id],
            }
            for c in classes
        ]
        groups = [group for group in groups if group["subclasses"]]
        if request.method == "GET" and request.args.get("duerp") == "1" and employee is None:
            duerp = documents.duerp_class()
            if duerp is not None:
                form.class_id.data = duerp.id
        if request.method == "POST" and form.validate() and self._deposit(member, form, employee):
            if employee is not None:
                return redirect(url_for(".employee", employee_id=employee.id))
            return redirect(url_for(".list"))
        return self.render_template(
            "documents/new.html",
            form=form,
            member=member,
            employee=employee,
            subclass_groups=groups,
            max_mb=documents.max_bytes() // (1024 * 1024),
        )

    def _deposit(self, member: Member, form: DocumentForm, employee: Employee | None) -> bool:
        upload = form.file.data
        if not upload or not upload.filename:
            flash(_("Choose the PDF file to send."), "danger")
            return False
        # Bounded: a file over the limit is refused without being read whole.
        data = upload.stream.read(documents.max_bytes() + 1)
        details = documents.Details(
            class_id=form.class_id.data or None,
            description=form.description.data,
            subclass_id=form.subclass_id.data or None,
            number=form.number.data,
        )
        try:
            documents.deposit(
                member, documents.Upload(upload.filename, data), details, g.user, employee
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(text_of(error), "danger")
            return False
        flash(_("Your document is sent to the service."), "success")
        return True

    # -- Documents Adhérent ----------------------------------------------------------------

    @expose("/")
    @has_access
    def list(self):
        return self._list(None)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def new(self):
        return self._form(None)

    @expose("/<int:document_id>/download")
    @has_access
    @permission_name("download")
    def download(self, document_id):
        document = self._document(document_id)
        documents.mark_read(document, g.user)
        db.session.commit()
        return downloads.stored_file(
            document.content_id, document.size, served_name(document), document.content_type
        )

    @expose("/<int:document_id>/withdraw", methods=["POST"])
    @has_access
    @permission_name("edit")
    def withdraw(self, document_id):
        document = self._document(document_id)
        employee_id = document.employee_id
        try:
            documents.withdraw(document, g.user)
            db.session.commit()
            flash(_("The document is withdrawn."), "success")
        except ServiceError as error:
            db.session.rollback()
            flash(text_of(error), "danger")
        back = document_list.back_args(document_list.params_of(request.form))
        if employee_id is not None:
            return redirect(url_for(".employee", employee_id=employee_id, **back))
        return redirect(url_for(".list", **back))

    # -- Documents Salariés ----------------------------------------------------------------

    @expose("/employees/")
    @has_access
    @permission_name("list")
    def employees(self):
        if not self._sees_employees():
            abort(403)
        params = employee_list.ListParams.from_args(request.args)
        rows, total = employee_list.page(db.session, current_member_id(), params, clock.today())
        return self.render_template(
            "documents/employees.html",
            member=self._member(),
            rows=rows,
            **_pages(params, total),
        )

    @expose("/employees/<int:employee_id>/")
    @has_access
    @permission_name("list")
    def employee(self, employee_id):
        return self._list(self._employee(employee_id))

    @expose("/employees/<int:employee_id>/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def employee_new(self, employee_id):
        return self._form(self._employee(employee_id))
