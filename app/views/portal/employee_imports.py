"""Portal: "Importer des salariés" (issue 14), from the employee list, with the employees' write
right (permission `can_import` of PortalEmployees). Upload a spreadsheet or a DSN, follow the
dry run, read the report, then "Importer"; the rows in error come back as an xlsx to fix."""

from flask import Response, flash, g, jsonify, redirect, request, stream_with_context, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.imports.template import template_chunks
from app.models.employee_import import EmployeeImport
from app.models.member import Establishment, Member
from app.models.reference import PcsCode
from app.models.risk import Risk
from app.services import ServiceError, employee_import
from app.services.employee_list import parse_page
from app.views import import_report
from app.views.common import current_member_id, owned
from app.views.messages import MESSAGES
from app.views.portal.employee_pages import XLSX_MIMETYPE
from app.views.portal.employees import RESOURCE

RECENT = 10


class ImportForm(FlaskForm):
    file = FileField(_l("File (xlsx, CSV or DSN)"))


class PortalEmployeeImportsView(BaseView):
    route_base = "/employees/imports"
    default_view = "new"
    class_permission_name = RESOURCE
    base_permissions = ["can_import"]

    def _member(self) -> Member:
        return db.session.get(Member, current_member_id())

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def new(self):
        member, form = self._member(), ImportForm()
        if request.method == "POST" and form.validate():
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(_("Choose the file to import."), "danger")
            else:
                try:
                    found = employee_import.create(member, upload.filename, upload.read(), g.user)
                    db.session.commit()
                    return redirect(url_for(".show", import_id=found.id))
                except ServiceError as error:
                    db.session.rollback()
                    flash(str(MESSAGES[error.code]) % error.params, "danger")
        recent = db.session.scalars(
            select(EmployeeImport)
            .where(EmployeeImport.member_id == member.id)
            .order_by(EmployeeImport.created_at.desc())
            .limit(RECENT)
        ).all()
        status = 400 if request.method == "POST" else 200
        return self.render_template(
            "employees/import_new.html",
            member=member,
            form=form,
            recent=recent,
            statuses=import_report.STATUSES,
            max_rows=employee_import.max_rows(),
            max_megabytes=employee_import.max_megabytes(),
        ), status

    @expose("/template.xlsx")
    @has_access
    @permission_name("import")
    def template(self):
        risks = db.session.execute(select(Risk.code, Risk.label).order_by(Risk.code)).all()
        pcs = db.session.execute(select(PcsCode.code, PcsCode.label).order_by(PcsCode.code)).all()
        siret = db.session.scalar(
            select(Establishment.siret)
            .where(Establishment.member_id == current_member_id())
            .order_by(Establishment.id)
            .limit(1)
        )
        chunks = template_chunks(
            [tuple(row) for row in risks], [tuple(row) for row in pcs], siret=siret
        )
        return Response(
            stream_with_context(chunks),
            mimetype=XLSX_MIMETYPE,
            headers={"Content-Disposition": 'attachment; filename="modele-import-salaries.xlsx"'},
        )

    @expose("/<int:import_id>")
    @has_access
    @permission_name("import")
    def show(self, import_id: int):
        found = owned(EmployeeImport, import_id)
        shown = request.args.get("show") or ("error" if found.in_error else None)
        if shown not in import_report.SHOWN:
            shown = None
        page = parse_page(request.args.get("page"))
        rows, total = import_report.rows_page(found, shown, page)
        return self.render_template(
            "employees/import_show.html",
            found=found,
            member=self._member(),
            rows=rows,
            total=total,
            page=page,
            pages=max(1, -(-total // import_report.PAGE_SIZE)),
            shown=shown,
            state=import_report.state(found),
            report=import_report,
            today=clock.today(),
        )

    @expose("/<int:import_id>/state")
    @has_access
    @permission_name("import")
    def state(self, import_id: int):
        return jsonify(import_report.state(owned(EmployeeImport, import_id)))

    @expose("/<int:import_id>/apply", methods=["POST"])
    @has_access
    @permission_name("import")
    def apply(self, import_id: int):
        found = owned(EmployeeImport, import_id)  # the CSRF token is checked by CSRFProtect
        try:
            employee_import.start_apply(found, g.user)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
            return self.show(import_id), 409
        flash(_("The import is under way: you may leave this page, it goes on."), "success")
        return redirect(url_for(".show", import_id=import_id))

    @expose("/<int:import_id>/errors.xlsx")
    @has_access
    @permission_name("import")
    def errors(self, import_id: int):
        return import_report.error_file(owned(EmployeeImport, import_id))
