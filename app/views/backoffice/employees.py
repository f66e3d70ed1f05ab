"""Back-office: every member's employees (read-only: members keep their records up to date)."""

from flask_babel import lazy_gettext as _l

from app.models.employee import Employee
from app.views.backoffice.member_filter import MEMBER_SEARCH
from app.views.common import READ_ONLY_ROUTES, BaseModelView, EagerInterface


class BackofficeEmployeeView(BaseModelView):
    datamodel = EagerInterface(Employee, "member", "work_post", "establishment")
    class_permission_name = "BackofficeEmployees"
    list_title = show_title = _l("Employees")
    show_template = "backoffice/employee_show.html"  # with "Send a document" (issue 10)
    base_permissions = ["can_list", "can_show"]
    exclude_route_methods = READ_ONLY_ROUTES
    list_columns = [
        "member", "last_name", "first_name", "birth_date", "work_post", "establishment",
        "category", "hired_on", "contract_end_on", "last_exam_on",
    ]  # fmt: skip
    search_columns = [
        "last_name", "first_name", "birth_date", "category", "contract_end_on", "member",
    ]  # fmt: skip
    search_form_query_rel_fields = MEMBER_SEARCH  # the member's page links here filtered
    order_columns = ["last_name", "first_name", "birth_date", "category", "hired_on"]
    base_order = ("last_name", "asc")
    show_columns = [
        "id", "member", "last_name", "first_name", "birth_name", "sex", "birth_date", "language",
        "address", "postal_code", "city", "country", "work_post", "complementary_info",
        "establishment", "contract", "hired_on", "post_entry_on", "contract_end_on", "category",
        "category_on", "previous_category", "category_changed_on", "last_exam_on",
    ]  # fmt: skip
