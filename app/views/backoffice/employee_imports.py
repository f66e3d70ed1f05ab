"""Back-office: the service imports employees for a member (issue 14: a member who sends its
list or its DSN by e-mail, a member joining the service), from the member's page; the same
pages as the member's own, over every member's imports."""

from flask import abort, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from app.domain.inputs import parse_id
from app.extensions import db
from app.models.employee_import import EmployeeImport
from app.models.member import Member
from app.views import import_report
from app.views.import_pages import ImportPages


def _import(import_id: int) -> EmployeeImport:
    return db.session.get(EmployeeImport, import_id) or abort(404)


def _member() -> Member:
    return db.session.get(Member, parse_id(request.args.get("member_id", "")) or 0) or abort(404)


class BackofficeEmployeeImportsView(ImportPages):
    route_base = "/backoffice/employee-imports"
    default_view = "new"
    class_permission_name = "BackofficeEmployeeImports"
    base_permissions = ["can_list", "can_add"]
    layout = "appbuilder/base.html"

    def employees_url(self, member: Member) -> str:
        return url_for("BackofficeEmployeeView.list", _flt_0_member=member.id)

    def employee_url(self, employee_id: int) -> str:
        return url_for("BackofficeEmployeeView.show", pk=employee_id)

    def new_values(self, member: Member) -> dict:
        return {"member_id": member.id}

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def new(self):
        return self._new(_member())

    @expose("/template.xlsx")
    @has_access
    @permission_name("list")
    def template(self):
        return self._template(_member().id)

    @expose("/<int:import_id>")
    @has_access
    @permission_name("list")
    def show(self, import_id: int):
        return self._show(_import(import_id))

    @expose("/<int:import_id>/state")
    @has_access
    @permission_name("list")
    def state(self, import_id: int):
        return self._state(_import(import_id))

    @expose("/<int:import_id>/apply", methods=["POST"])
    @has_access
    @permission_name("add")
    def apply(self, import_id: int):
        return self._apply(_import(import_id))

    @expose("/<int:import_id>/errors.xlsx")
    @has_access
    @permission_name("list")
    def errors(self, import_id: int):
        return import_report.error_file(_import(import_id))
