"""The back-office lists pre-filtered on one member (`?_flt_0_member=<id>`, the links of the
member's page: issue 9, "The member's page in the back-office links to its employees, accounts,
requests and history").

FAB applies a URL filter only on a column of `search_columns`, and its search form then offers
every row of the related table in a drop-down, rendered on every page of the list: with 20,000
members that is a whole table per page. `MEMBER_SEARCH` restricts the drop-down to the member the
URL names (none without the filter): one small statement per page."""

from flask import request
from flask_appbuilder.models.sqla.filters import FilterEqualFunction

from app.domain.inputs import parse_id

MEMBER_FILTER = "_flt_0_member"  # FAB's "equal to" (index 0) on the `member` relation


def filtered_member_id() -> int | None:
    """The member named by the list's filter in the URL, or None."""
    return parse_id(request.args.get(MEMBER_FILTER, ""))


MEMBER_SEARCH = {"member": [["id", FilterEqualFunction, filtered_member_id]]}
