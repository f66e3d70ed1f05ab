"""Portal: the reports (manual, chapter 9 "Rapports"): the workforce with its next visit due, the
planning (appointments in progress, employees seen, employees absent) and the conclusions of the
health assessments; each filtered, sorted, paged and exported to Excel like the workforce list.
Also the attestations de non contre-indication ending soon or ended (issue 12; the NCI reminder's
link; app.services.nci). Resource PortalReports, read only (the "Rapports" right)."""

from flask import Response, request, stream_with_context
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from app import clock
from app.domain.follow_up import FollowUp
from app.exports.xlsx import xlsx_chunks
from app.extensions import db
from app.models.member import Member
from app.services import nci, reports
from app.services.employee_list import PAGE_SIZES, parse_page, parse_size
from app.services.reports import Kind
from app.views.common import current_member_id
from app.views.labels import LABELS, enum_label, yes_no
from app.views.portal.employee_pages import XLSX_MIMETYPE

RESOURCE = "PortalReports"
TITLES = {
    "workforce": _l("Workforce"),
    "planned": _l("Appointments in progress"),
    "seen": _l("Employees seen"),
    "absent": _l("Employees absent"),
    "conclusions": _l("Conclusions of the health assessments"),
}
HEADERS = {
    "name": _l("Name and first name"),
    "category": LABELS["category"],
    "last_exam_on": LABELS["last_exam_on"],
    "next_due_on": LABELS["next_due_on"],
    "appointment": LABELS["scheduled_at"],
    "scheduled_at": LABELS["scheduled_at"],
    "centre": LABELS["centre"],
    "exam_type": _l("Exam type"),
    "visit_on": LABELS["visit_on"],
    "conclusion": LABELS["conclusion"],
    "recommendations": LABELS["recommendations"],
}
# Names of the exported files (French, like the workforce's "salaries-...").
FILES = {
    "workforce": "effectif",
    "planned": "rendez-vous",
    "seen": "salaries-vus",
    "absent": "salaries-absents",
    "conclusions": "conclusions",
}
ENDPOINTS = {
    "workforce": ("PortalReportsView.workforce", "PortalReportsView.export_workforce"),
    "planning": ("PortalReportsView.planning", "PortalReportsView.export_planning"),
    "conclusions": ("PortalReportsView.conclusions", "PortalReportsView.export_conclusions"),
}


def _display(column: reports.Column) -> str:
    """How the template shows a cell: the category by its code, like the workforce list."""
    return "code" if column.enum is FollowUp else column.kind.value


def _choices(column: reports.Column, exam_types: list) -> list | None:
    if column.kind is Kind.ENUM:
        return [(member.name, enum_label(member)) for member in column.enum]
    if column.kind is Kind.ID:
        return [(str(exam_id), label) for exam_id, label in exam_types]
    return None


def columns_of(report: reports.Report) -> list[dict]:
    exam_types = (
        reports.exam_types(db.session)
        if any(column.kind is Kind.ID for column in report.columns)
        else []
    )
    return [
        {
            "key": column.key,
            "label": HEADERS[column.key],
            "display": _display(column),
            "choices": _choices(column, exam_types),
        }
        for column in report.columns
    ]


def page_context(section: str, report, params, rows, total: int) -> dict:
    first = (params.page - 1) * params.size + 1 if total else 0
    endpoint, export_endpoint = ENDPOINTS[section]
    return {
        "section": section,
        "report": report.name,
        "title": TITLES[report.name],
        "params": params,
        "rows": rows,
        "total": total,
        "first": first,
        "last": min(params.page * params.size, total),
        "pages": max((total + params.size - 1) // params.size, 1),
        "columns": columns_of(report),
        "page_sizes": PAGE_SIZES,
        "endpoint": endpoint,
        "export_endpoint": export_endpoint,
        # Kept by the filter form and by "Remove the filter": the planning's choice.
        "keep": {"view": report.name} if section == "planning" else {},
        "planning": list(reports.PLANNING),
        "titles": TITLES,
    }


def _value(column: reports.Column, value):
    if value is None or column.kind is not Kind.ENUM:
        return value
    return value.value if column.enum is FollowUp else str(enum_label(value))


def sheet(report: reports.Report, rows):
    """The header and the rows of a report's Excel file (same columns as the page)."""
    headers = [str(HEADERS[column.key]) for column in report.columns]
    if report is reports.WORKFORCE:
        headers += [str(_l("Reason of the due date")), str(_l("Overdue"))]

    def values(row):
        shown = [_value(column, row._mapping[column.key]) for column in report.columns]
        if report is reports.WORKFORCE:
            reason = row.next_due_reason
            shown += [str(enum_label(reason)) if reason else None, str(yes_no(row.overdue))]
        return shown

    return headers, (values(row) for row in rows)


def _planning_report() -> reports.Report:
    return reports.PLANNING.get(request.args.get("view", ""), reports.PLANNED)


class PortalReportsView(BaseView):
    route_base = "/reports"
    default_view = "index"
    class_permission_name = RESOURCE
    base_permissions = ["can_list", "can_export_xlsx"]

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        return self.render_template("reports/index.html")

    def _page(self, section: str, report: reports.Report):
        params = reports.ReportParams.from_args(report, request.args)
        rows, total = reports.page(db.session, current_member_id(), report, params, clock.today())
        return self.render_template(
            f"reports/{section}.html",
            **page_context(section, report, params, rows, total),
            can_show_employee=self.appbuilder.sm.has_access("can_show", "PortalEmployees"),
        )

    @expose("/workforce")
    @has_access
    @permission_name("list")
    def workforce(self):
        return self._page("workforce", reports.WORKFORCE)

    @expose("/planning")
    @has_access
    @permission_name("list")
    def planning(self):
        return self._page("planning", _planning_report())

    @expose("/conclusions")
    @has_access
    @permission_name("list")
    def conclusions(self):
        return self._page("conclusions", reports.CONCLUSIONS)

    @expose("/nci")
    @has_access
    @permission_name("list")
    def nci(self):
        settings = nci.Settings.from_config()
        size = parse_size(request.args.get("size"), 50)
        number = parse_page(request.args.get("page"))
        rows, total = nci.page(current_member_id(), clock.today(), settings, number - 1, size)
        return self.render_template(
            "reports/nci.html",
            rows=rows,
            total=total,
            page=number,
            pages=max((total + size - 1) // size, 1),
            size=size,
            settings=settings,
            can_show_employee=self.appbuilder.sm.has_access("can_show", "PortalEmployees"),
        )

    def _export(self, report: reports.Report) -> Response:
        member_id = current_member_id()
        params = reports.ReportParams.from_args(report, request.args)
        today = clock.today()
        rows = reports.all_rows(db.session, member_id, report, params, today)
        headers, values = sheet(report, rows)
        number = db.session.get(Member, member_id).number
        filename = f"{FILES[report.name]}-{number}-{today:%Y%m%d}.xlsx"
        return Response(
            stream_with_context(xlsx_chunks(str(TITLES[report.name]), headers, values)),
            mimetype=XLSX_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @expose("/workforce/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_workforce(self):
        return self._export(reports.WORKFORCE)

    @expose("/planning/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_planning(self):
        return self._export(_planning_report())

    @expose("/conclusions/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_conclusions(self):
        return self._export(reports.CONCLUSIONS)
