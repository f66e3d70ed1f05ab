"""A member's invoices and credit notes (manual, chapter 10 "Factures"; issue 11, "The member's
Factures list"): number, date, due date, amount, what is left to pay and the status, with a
filter per column, sort by any column and pages of a chosen size, like the portal's other lists.

The status and the amount left to pay are computed in SQL (`status_of`, `left_to_pay`), so that
they filter and sort on the database's side: `status_of` is the SQL twin of
app.domain.billing.invoice_status. Scoped by a `member_id` argument (the staff's lists of one
member reuse it). Each page costs a fixed number of statements (a count and one joined select),
whatever the number of invoices.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased, contains_eager

from app.domain.billing import InvoiceStatus, parse_amount
from app.domain.inputs import date_range
from app.models.billing import MONEY, Invoice, InvoiceKind
from app.services.list_params import ListParams
from app.services.text_search import contains

FILTERED = ("number", "issued_on", "due_on", "total", "left_to_pay", "status")
SORTABLE = FILTERED
# Sorting by status: what needs attention first.
STATUS_RANK = {
    InvoiceStatus.LATE: 0,
    InvoiceStatus.TO_PAY: 1,
    InvoiceStatus.PAID: 2,
    InvoiceStatus.CANCELLED: 3,
    InvoiceStatus.CREDIT_NOTE: 4,
}


def status_of(today: date):
    """The invoice's status in SQL, as the value of InvoiceStatus: the same rule, in the same
    order, as app.domain.billing.invoice_status (a credit note; cancelled by one; paid in full;
    past its due date; else to pay)."""
    return case(
        (Invoice.kind == InvoiceKind.CREDIT_NOTE, InvoiceStatus.CREDIT_NOTE.value),
        (Invoice.credited_by_id.is_not(None), InvoiceStatus.CANCELLED.value),
        (Invoice.paid_total >= Invoice.total, InvoiceStatus.PAID.value),
        (Invoice.due_on < today, InvoiceStatus.LATE.value),
        else_=InvoiceStatus.TO_PAY.value,
    )


def left_to_pay():
    """What the member still owes on it: nothing on a credit note or a cancelled invoice (what
    was paid on a cancelled one is the service's to refund), else the total less the payments.
    Hundredths of a euro, as stored."""
    owed = case(
        (
            or_(Invoice.kind == InvoiceKind.CREDIT_NOTE, Invoice.credited_by_id.is_not(None)),
            literal(0),
        ),
        else_=Invoice.total - Invoice.paid_total,
    )
    return type_coerce(owed, MONEY)


@dataclass(frozen=True)
class Row:
    invoice: Invoice
    status: InvoiceStatus
    left_to_pay: Decimal


def _amount_condition(column, value: str):
    """An amount typed as French users type it ("1 234,50", "110 €"): that exact amount."""
    amount = parse_amount(value, allow_zero=True)
    return column == literal(amount, MONEY) if amount is not None else False


def _conditions(params: ListParams, today: date) -> list:
    conditions = []
    for name, value in params.filters.items():
        if name in ("issued_on", "due_on"):
            bounds = date_range(value)
            column = getattr(Invoice, name)
            conditions.append(column.between(*bounds) if bounds else False)
        elif name == "number":
            conditions.append(contains(Invoice.number, value))
        elif name == "total":
            conditions.append(_amount_condition(Invoice.total, value))
        elif name == "left_to_pay":
            conditions.append(_amount_condition(left_to_pay(), value))
        elif name == "status":
            known = value in {status.value for status in InvoiceStatus}
            conditions.append(status_of(today) == value if known else False)
    return conditions


def _order(params: ListParams, today: date) -> list:
    keys = {
        "number": [Invoice.year, Invoice.sequence],
        "issued_on": [Invoice.issued_on, Invoice.sequence],
        "due_on": [Invoice.due_on, Invoice.sequence],
        "total": [Invoice.total],
        "left_to_pay": [left_to_pay()],
        "status": [
            case(
                {status.value: rank for status, rank in STATUS_RANK.items()},
                value=status_of(today),
            )
        ],
    }[params.sort] + [Invoice.id]
    return [key.desc() if params.descending else key.asc() for key in keys]


def page(session, member_id: int, params: ListParams, today: date) -> tuple[list[Row], int]:
    """The page's invoices (with the number of the invoice a credit note cancels and of the credit
    note that cancelled an invoice), their status and balance, and the filtered count."""
    where = [Invoice.member_id == member_id, *_conditions(params, today)]
    total = session.scalar(select(func.count(Invoice.id)).where(*where))
    params.page = min(params.page, max((total + params.size - 1) // params.size, 1))
    if not total:
        return [], 0
    credited, credit_note = aliased(Invoice), aliased(Invoice)
    status, balance = status_of(today), left_to_pay()
    found = session.execute(
        select(Invoice, status, balance)
        .outerjoin(credited, credited.id == Invoice.credits_id)
        .outerjoin(credit_note, credit_note.id == Invoice.credited_by_id)
        .options(
            contains_eager(Invoice.credits.of_type(credited)),
            contains_eager(Invoice.credited_by.of_type(credit_note)),
        )
        .where(*where)
        .order_by(*_order(params, today))
        .limit(params.size)
        .offset((params.page - 1) * params.size)
    ).all()
    return [Row(invoice, InvoiceStatus(code), amount) for invoice, code, amount in found], total


def params_of(args) -> ListParams:
    """The list's query: newest first by default, by date or due date."""
    return ListParams.parse(args, FILTERED, SORTABLE, ("issued_on", "due_on"))
