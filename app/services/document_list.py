"""The member's documents ("Documents Adhérent", or one employee's "Documents Salariés"; manual,
chapter 10): both directions in one list, newest first, a filter per column (a date or a part of
it, the class as a choice, words of the number or description, who sent it), sort by any column
and pages of a chosen size, like the portal's other lists.

Each page costs a fixed number of statements (a count and one joined select), whatever the
number of documents.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from app.domain.inputs import date_range, parse_id
from app.models.document import Document, DocumentDirection
from app.models.reference import DocumentClass
from app.models.user import PortalUser
from app.services.list_params import ListParams
from app.services.text_search import contains

SERVICE = "service"  # the "sent by" filter's choice for the service's documents
COLUMNS = ("sent_at", "document_class", "number", "description", "sent_by", "size")
SORTS = {
    "sent_at": Document.sent_at,
    "document_class": DocumentClass.code,
    "number": Document.number,
    "description": Document.description,
    "sent_by": PortalUser.last_name,
    "size": Document.size,
}
FILTERED = ("sent_at", "document_class", "number", "description", "sent_by")


def back_args(params: ListParams) -> dict:
    """The query string that shows this page of the list again (after a withdrawal)."""
    return {
        **{f"f_{name}": value for name, value in params.filters.items()},
        "sort": params.sort,
        "desc": "1" if params.descending else "0",
        "page": params.page,
        "size": params.size,
    }


def _conditions(params: ListParams) -> list:
    conditions = []
    for name, value in params.filters.items():
        if name == "sent_at":
            bounds = date_range(value)
            if bounds is None:
                conditions.append(False)
            else:
                start = datetime.combine(bounds[0], time.min)
                end = datetime.combine(bounds[1] + timedelta(days=1), time.min)
                conditions.append(and_(Document.sent_at >= start, Document.sent_at < end))
        elif name == "document_class":
            choice = parse_id(value)
            conditions.append(Document.class_id == choice if choice else False)
        elif name in ("number", "description"):
            conditions.append(contains(getattr(Document, name), value))
        elif name == "sent_by":
            if value == SERVICE:
                conditions.append(Document.direction == DocumentDirection.TO_MEMBER)
            else:
                user = parse_id(value)
                conditions.append(
                    and_(
                        Document.direction == DocumentDirection.TO_SERVICE,
                        Document.sent_by_id == user,
                    )
                    if user
                    else False
                )
    return conditions


def _scope(member_id: int, employee_id: int | None) -> list:
    employee = (
        Document.employee_id.is_(None)
        if employee_id is None
        else Document.employee_id == employee_id
    )
    return [Document.member_id == member_id, employee]


def _order(params: ListParams) -> list:
    keys = [SORTS[params.sort], Document.id]
    if params.sort == "sent_by":  # the service's documents sort together, then by name
        keys = [Document.direction, PortalUser.last_name, PortalUser.first_name, Document.id]
    return [key.desc() if params.descending else key.asc() for key in keys]


def page(session, member_id: int, employee_id: int | None, params: ListParams):
    """The page's documents (with their class, sub-class and sender) and the filtered count."""
    where = _scope(member_id, employee_id) + _conditions(params)
    total = session.scalar(select(func.count(Document.id)).where(*where))
    params.page = min(params.page, max((total + params.size - 1) // params.size, 1))
    if not total:
        return [], 0
    rows = session.scalars(
        select(Document)
        .join(DocumentClass, DocumentClass.id == Document.class_id)
        .outerjoin(PortalUser, PortalUser.id == Document.sent_by_id)
        .options(contains_eager(Document.document_class), contains_eager(Document.sent_by))
        .where(*where)
        .order_by(*_order(params))
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    ).unique()
    return list(rows), total


def latest(session, member_id: int, employee_id: int, limit: int = 5) -> tuple[list, int]:
    """The employee record's "Documents" tab: the last documents and how many there are."""
    params = ListParams(sort="sent_at", size=limit)  # newest first
    rows, total = page(session, member_id, employee_id, params)
    return rows, total


def params_of(args) -> ListParams:
    """The list's query: newest first by default."""
    return ListParams.parse(args, FILTERED, SORTS, ("sent_at",))
