"""The employee import's pages (issue 14), shared by the member's portal and the service's
back-office: upload, report, «Importer», the file of rows in error, the template. A subclass says
where the pages live (its routes, layout and links) and whose imports the user may open."""

from flask import Response, flash, g, jsonify, redirect, request, stream_with_context, url_for
from flask_appbuilder import BaseView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select

from app.extensions import db
from app.imports.template import template_chunks
from app.models.employee_import import EmployeeImport
from app.models.member import Establishment, Member
from app.models.reference import PcsCode
from app.models.risk import Risk
from app.services import ServiceError, employee_import
from app.services.employee_list import parse_page
from app.views import import_report
from app.views.messages import MESSAGES
from app.views.portal.employee_pages import XLSX_MIMETYPE

RECENT = 10


class ImportForm(FlaskForm):
    file = FileField(_l("File (xlsx, CSV or DSN)"))


class ImportPages(BaseView):
    layout = "portal_layout.html"

    def link(self, name: str, **values) -> str:
        """The URL of one of these pages (`name`: new, show, state, apply, errors, template)."""
        return url_for(f"{type(self).__name__}.{name}", **values)

    def employees_url(self, member: Member) -> str:
        raise NotImplementedError

    def employee_url(self, employee_id: int) -> str:
        raise NotImplementedError

    def new_values(self, member: Member) -> dict:
        """The query of the upload page and the template for this member."""
        return {}

    def _context(self, member: Member) -> dict:
        return {
            "member": member,
            "layout": self.layout,
            "link": self.link,
            "employees_url": self.employees_url(member),
            "employee_url": self.employee_url,
            "new_url": self.link("new", **self.new_values(member)),
            "template_url": self.link("template", **self.new_values(member)),
        }

    def _new(self, member: Member):
        form = ImportForm()
        if request.method == "POST" and form.validate():
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(_("Choose the file to import."), "danger")
            else:
                try:
                    found = employee_import.create(member, upload.filename, upload.read(), g.user)
                    db.session.commit()
                    return redirect(self.link("show", import_id=found.id))
                except ServiceError as error:
                    db.session.rollback()
                    flash(str(MESSAGES[error.code]) % error.params, "danger")
        recent = db.session.scalars(
            select(EmployeeImport)
            .where(EmployeeImport.member_id == member.id)
            .order_by(EmployeeImport.created_at.desc())
            .limit(RECENT)
        ).all()
        return self.render_template(
            "employees/import_new.html",
            **self._context(member),
            form=form,
            recent=recent,
            statuses=import_report.STATUSES,
            max_rows=employee_import.max_rows(),
            max_megabytes=employee_import.max_megabytes(),
        ), 400 if request.method == "POST" else 200

    def _template(self, member_id: int) -> Response:
        risks = db.session.execute(select(Risk.code, Risk.label).order_by(Risk.code)).all()
        pcs = db.session.execute(select(PcsCode.code, PcsCode.label).order_by(PcsCode.code)).all()
        siret = db.session.scalar(
            select(Establishment.siret)
            .where(Establishment.member_id == member_id)
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

    def _show(self, found: EmployeeImport, code: int = 200):
        shown = request.args.get("show") or ("error" if found.in_error else None)
        if shown not in import_report.SHOWN:
            shown = None
        page = parse_page(request.args.get("page"))
        rows, total = import_report.rows_page(found, shown, page)
        return self.render_template(
            "employees/import_show.html",
            **self._context(db.session.get(Member, found.member_id)),
            found=found,
            rows=rows,
            total=total,
            page=page,
            pages=max(1, -(-total // import_report.PAGE_SIZE)),
            shown=shown,
            state=import_report.state(found),
            report=import_report,
        ), code

    def _state(self, found: EmployeeImport):
        return jsonify(import_report.state(found))

    def _apply(self, found: EmployeeImport):
        try:  # the CSRF token is checked by CSRFProtect
            employee_import.start_apply(found, g.user)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            flash(MESSAGES[error.code], "danger")
            return self._show(found, 409)
        flash(_("The import is under way: you may leave this page, it goes on."), "success")
        return redirect(self.link("show", import_id=found.id))
