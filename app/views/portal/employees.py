"""Portal: the workforce ("salariés"), the employee record with its declared risks, exit, work
posts and the exports (manual, chapters 4 to 7). Resource PortalEmployees: reading with the
employees-read right, writing with "Admin Salariés" (or as administrator)."""

from flask import (
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app import clock
from app.domain.inputs import MAX_ID, parse_int
from app.exports.employees_xml import employees_xml_chunks
from app.exports.xlsx import xlsx_chunks
from app.extensions import db
from app.models.employee import Employee
from app.models.member import Member
from app.models.reference import PcsCode
from app.services import ServiceError, audit, employee_list, employees
from app.views import params
from app.views.common import current_member_id, owned
from app.views.messages import MESSAGES
from app.views.portal import employee_pages
from app.views.portal.employee_forms import EmployeeForm, WorkPostForm

RESOURCE = "PortalEmployees"
FULL_NIR_EXPORTED = "employees_exported_full_nir"  # audit action (labelled in app.views.labels)


class PortalEmployeesView(BaseView):
    route_base = "/employees"
    default_view = "list"
    class_permission_name = RESOURCE
    base_permissions = [
        "can_list", "can_show", "can_add", "can_edit", "can_export_xlsx", "can_export_xml",
        "can_add_work_post",
    ]  # fmt: skip

    def _member(self) -> Member:
        return db.session.get(Member, current_member_id())

    def can(self, permission: str) -> bool:
        return self.appbuilder.sm.has_access(permission, RESOURCE)

    @expose("/")
    @has_access
    def list(self):
        params = employee_list.ListParams.from_args(request.args)
        chosen = employee_pages.chosen_columns(request.args)
        rows, total = employee_list.page(db.session, current_member_id(), params, clock.today())
        return self.render_template(
            "employees/list.html",
            **employee_pages.list_context(self._member(), params, rows, total, chosen),
            can_add=self.can("can_add"),
            can_import=self.can("can_import"),
            can_request_visit=self.appbuilder.sm.has_access("can_add", "PortalVisitRequests"),
            can_export_full_nir=self.can("can_edit"),
        )

    def _full_nir(self, params, export_format: str) -> bool:
        """The export's explicit "NIR complet" choice (`full_nir=1`): only for who may write
        employees (403 otherwise, even forged), and audited before the file is sent (who, when,
        how many rows, which format)."""
        if request.args.get("full_nir") != "1":
            return False
        if not self.can("can_edit"):
            abort(403)
        rows = employee_list.count(db.session, current_member_id(), params, clock.today())
        audit.record(
            FULL_NIR_EXPORTED,
            actor=g.user._get_current_object(),
            member=self._member(),
            format=export_format,
            rows=rows,
        )
        db.session.commit()
        return True

    def _export(self, chunks, mimetype: str, extension: str) -> Response:
        member = self._member()
        filename = f"salaries-{member.number}-{clock.today():%Y%m%d}.{extension}"
        return Response(
            stream_with_context(chunks),
            mimetype=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @expose("/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_xlsx(self):
        params = employee_list.ListParams.from_args(request.args)
        full_nir = self._full_nir(params, "xlsx")
        rows = employee_pages.export_rows(current_member_id(), params, full_nir)
        headers, values = employee_pages.sheet(rows)
        chunks = xlsx_chunks(_("Employees"), headers, values)
        return self._export(chunks, employee_pages.XLSX_MIMETYPE, "xlsx")

    @expose("/export.xml")
    @has_access
    @permission_name("export_xml")
    def export_xml(self):
        params = employee_list.ListParams.from_args(request.args)
        full_nir = self._full_nir(params, "xml")
        rows = employee_pages.export_rows(current_member_id(), params, full_nir)
        chunks = employees_xml_chunks(self._member().number, clock.now(), rows)
        return self._export(chunks, "application/xml", "xml")

    @expose("/new", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def add(self):
        return self._form(None)

    @expose("/<int:employee_id>", methods=["GET"])
    @has_access
    @permission_name("show")
    def show(self, employee_id):
        return self._form(owned(Employee, employee_id))

    @expose("/<int:employee_id>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def edit(self, employee_id):
        return self._form(owned(Employee, employee_id))

    def _form(self, employee: Employee | None):
        member = self._member()
        form = EmployeeForm(obj=employee if request.method == "GET" else None)
        employee_pages.fill_choices(form, member, employee)
        if request.method == "POST" and form.validate():
            saved = self._save(member, form, employee)
            if saved is not None:
                flash(_("The employee is saved."), "success")
                employee_pages.flash_nir_warnings(saved)
                if request.form.get("then") == "visit":
                    return redirect(
                        url_for(employee_pages.VISIT_REQUEST_ENDPOINT, employee_id=saved.id)
                    )
                return redirect(url_for(".show", employee_id=saved.id))
        editable = self.can("can_edit") if employee else True
        return self.render_template(
            "employees/form.html",
            **employee_pages.form_context(
                member,
                form,
                employee,
                editable,
                params.id_list("risk_ids") if request.method == "POST" else None,
            ),
        )

    def _save(self, member: Member, form: EmployeeForm, employee: Employee | None):
        data = employee_pages.input_from(form, params.id_list("risk_ids"))
        version = parse_int(form.version.data, 0, MAX_ID)
        try:
            saved = employees.save_employee(member, data, g.user, employee, version)
            db.session.commit()
            return saved
        except employees.InvalidEmployeeError as error:
            db.session.rollback()
            employee_pages.show_errors(form, error)
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
        return None

    @expose("/work-posts", methods=["POST"])
    @has_access
    @permission_name("add_work_post")
    def add_work_post(self):
        form = WorkPostForm()
        if not form.validate():
            return jsonify(
                error=_("Fill in the PCS code, the designation and the description.")
            ), 400
        try:
            post = employees.create_work_post(
                self._member(), form.pcs_code.data, form.designation.data, form.description.data
            )
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            return jsonify(error=str(MESSAGES[error.code])), 400
        return jsonify(id=post.id, designation=post.designation), 201

    @expose("/pcs")
    @has_access
    @permission_name("list")
    def pcs(self):
        """PCS-ESE suggestions for keywords or the start of a code."""
        return jsonify(employee_pages.pcs_suggestions(request.args.get("q", ""), PcsCode))
