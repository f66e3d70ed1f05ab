"""Portal: "Importer des salariés" (issue 14), from the employee list, with the employees' write
right (permission `can_import` of PortalEmployees). Upload a spreadsheet or a DSN, follow the
dry run, read the report, then "Importer"; the rows in error come back as an xlsx to fix."""

from flask import url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name

from app.extensions import db
from app.models.employee_import import EmployeeImport
from app.models.member import Member
from app.views import import_report
from app.views.common import current_member_id, owned
from app.views.import_pages import ImportPages
from app.views.portal.employees import RESOURCE


class PortalEmployeeImportsView(ImportPages):
    route_base = "/employees/imports"
    default_view = "new"
    class_permission_name = RESOURCE
    base_permissions = ["can_import"]

    def employees_url(self, member: Member) -> str:
        return url_for("PortalEmployeesView.list")

    def employee_url(self, employee_id: int) -> str:
        return url_for("PortalEmployeesView.show", employee_id=employee_id)

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def new(self):
        return self._new(db.session.get(Member, current_member_id()))

    @expose("/template.xlsx")
    @has_access
    @permission_name("import")
    def template(self):
        return self._template(current_member_id())

    @expose("/<int:import_id>")
    @has_access
    @permission_name("import")
    def show(self, import_id: int):
        return self._show(owned(EmployeeImport, import_id))

    @expose("/<int:import_id>/state")
    @has_access
    @permission_name("import")
    def state(self, import_id: int):
        return self._state(owned(EmployeeImport, import_id))

    @expose("/<int:import_id>/apply", methods=["POST"])
    @has_access
    @permission_name("import")
    def apply(self, import_id: int):
        return self._apply(owned(EmployeeImport, import_id))

    @expose("/<int:import_id>/errors.xlsx")
    @has_access
    @permission_name("import")
    def errors(self, import_id: int):
        return import_report.error_file(owned(EmployeeImport, import_id))
