"""Back-office: every member's employees (read-only: members keep their records up to date)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models.employee import Employee
from app.views.backoffice.member_filter import MEMBER_SEARCH
from app.views.common import READ_ONLY_ROUTES, BaseModelView, EagerInterface


class KeysFirstInterface(EagerInterface):
    """The page's keys first, then their rows (issue 13): the keys of a deep page of 300,000
    employees come from a walk of the sort's index alone (ix_employee_name for the default
    order), where reading every skipped row took PostgreSQL 0.7 s on the last page."""

    def apply_all(self, query, *args, **kwargs):
        paged = super().apply_all(query, *args, **kwargs)
        if paged._limit_clause is None:
            return paged
        keys = paged.with_entities(Employee.id).options().subquery()
        return (
            query.filter(Employee.id.in_(select(keys.c.id)))
            .order_by(*paged._order_by_clauses)
            .options(*(selectinload(getattr(self.obj, name)) for name in self.relations))
        )


class BackofficeEmployeeView(BaseModelView):
    datamodel = KeysFirstInterface(Employee, "member", "work_post", "establishment")
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
