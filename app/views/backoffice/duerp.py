"""Back-office: the DUERP follow-up (issue 10, "The service's side"): per active member, the
declared answers, the last deposit, the action plan, and the members to remind (11 employees or
more without a deposit within DUERP_RECENT_MONTHS); filtered, paged, exported to Excel."""

from flask import Response, request, stream_with_context
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.domain.inputs import parse_int
from app.exports.xlsx import xlsx_chunks
from app.services import duerp, duerp_followup
from app.views.portal.employee_pages import XLSX_MIMETYPE

PAGE_SIZE = 50
ANSWER_LABELS = {"yes": _l("Yes"), "no": _l("No"), "later": _l("Later"), "never": _l("Never")}


def answer_label(row: duerp_followup.Row) -> str:
    if row.answered_at is None:
        return ""
    if row.has_duerp is None:
        return str(_l("Later"))
    return _("Yes") if row.has_duerp else _("No")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _sheet(rows):
    headers = [
        _("Member number"), _("Name"), _("Employees in the workforce"), _("Last answer"),
        _("Answered on"), _("Answered by"), _("DUERP last updated on"), _("Action plan"),
        _("Last DUERP deposit"), _("To remind"),
    ]  # fmt: skip
    values = (
        (
            r.number,
            r.name,
            r.headcount,
            answer_label(r),
            r.answered_at,
            r.answered_by,
            r.updated_on,
            _yes_no(r.has_action_plan),
            r.last_deposit_at,
            _yes_no(r.overdue),
        )  # fmt: skip
        for r in rows
    )
    return headers, values


class BackofficeDuerpFollowUpView(BaseView):
    route_base = "/backoffice/duerp"
    default_view = "index"
    class_permission_name = "BackofficeDuerpFollowUp"
    base_permissions = ["can_list", "can_export_xlsx"]

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        filters = duerp_followup.Filters.from_args(request.args)
        number = (parse_int(request.args.get("page", "1"), 1, 100_000) or 1) - 1
        rows, total = duerp_followup.page(
            filters, clock.today(), duerp.recent_months(), number, PAGE_SIZE
        )
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        return self.render_template(
            "backoffice/duerp_followup.html",
            rows=rows,
            total=total,
            page=number + 1,
            pages=pages,
            first=number * PAGE_SIZE + 1 if rows else 0,
            last=number * PAGE_SIZE + len(rows) if rows else 0,
            filters=filters,
            answers=ANSWER_LABELS,
            answer_label=answer_label,
            months=duerp.recent_months(),
        )

    @expose("/export.xlsx")
    @has_access
    @permission_name("export_xlsx")
    def export_xlsx(self):
        filters = duerp_followup.Filters.from_args(request.args)
        today = clock.today()
        rows = duerp_followup.all_rows(filters, today, duerp.recent_months())
        headers, values = _sheet(rows)
        name = f"suivi-duerp-{today:%Y%m%d}.xlsx"
        return Response(
            stream_with_context(xlsx_chunks(_("DUERP follow-up"), headers, values)),
            mimetype=XLSX_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
