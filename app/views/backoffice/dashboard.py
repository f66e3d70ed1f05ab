"""Back-office lists the staff's dashboard links to that no menu holds: the employees overdue for
their periodic visit, over every member (issue 9, "Staff have no work queue")."""

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_

from app import clock
from app.services.employee_list import in_workforce, overdue
from app.views.backoffice.employees import BackofficeEmployeeView
from app.views.labels import FORMATTERS, LABELS, enum_label


class FilterOverdue(BaseFilter):
    """A base filter: employees of the workforce whose next visit was due before today, without
    an appointment in progress (the same rule as the member's reports and the dashboard)."""

    name = "Overdue"
    arg_name = "overdue"

    def apply(self, query, value):
        today = clock.today()
        return query.filter(and_(in_workforce(today), overdue(today)))


class BackofficeOverdueEmployeeView(BackofficeEmployeeView):
    list_title = _l("Employees overdue for their visit")
    base_filters = [["next_due_on", FilterOverdue, None]]
    list_columns = [
        "member", "last_name", "first_name", "work_post", "category", "last_exam_on",
        "next_due_on", "next_due_reason",
    ]  # fmt: skip
    order_columns = ["last_name", "first_name", "category", "last_exam_on", "next_due_on"]
    base_order = ("next_due_on", "asc")
    label_columns = {**LABELS, "next_due_reason": _l("Why it is due")}
    formatters_columns = {**FORMATTERS, "next_due_reason": enum_label}
