"""The service's invoices (issue 11, "Staff record payments, see what is unpaid and overdue,
export to Excel for the accounting software"): every member's invoices and credit notes, filtered
(number, member, year, kind, status), sorted, paged, with the totals of the filtered set.

The status and the balance are computed in SQL so that they filter, sort and add up on the
database's side, with the portal's expressions (app.services.invoice_list: `status_of`, the SQL
twin of app.domain.billing.invoice_status, and `left_to_pay`). A page costs two statements
whatever its rows: the count with the sums, then the rows.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased

from app.domain.billing import InvoiceStatus
from app.domain.inputs import parse_id, parse_int
from app.extensions import db
from app.models.billing import MONEY, Declaration, Invoice, InvoiceKind, Payment
from app.services.invoice_list import STATUS_RANK
from app.services.invoice_list import left_to_pay as balance_sql
from app.services.invoice_list import status_of as status_sql
from app.services.text_search import contains

PAGE_SIZE = 50
SORTS = ("number", "issued_on", "due_on", "member", "total", "balance", "status")
UNPAID = "unpaid"  # the "Unpaid invoices" entry: to pay and late together


@dataclass
class Filters:
    number: str = ""
    member: str = ""  # member number or name (as on the invoice)
    member_id: int | None = None  # the member page's link
    year: int | None = None
    kind: str = ""
    status: str = ""
    sort: str = "issued_on"
    descending: bool = True
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        """From the query string; values that mean nothing are ignored, never an error."""
        kinds = {kind.value for kind in InvoiceKind}
        statuses = {status.value for status in InvoiceStatus} | {UNPAID}
        sort = args.get("sort") if args.get("sort") in SORTS else "issued_on"
        return cls(
            number=args.get("number", "").strip()[:20],
            member=args.get("member", "").strip()[:200],
            member_id=parse_id(args.get("member_id", "")),
            year=parse_int(args.get("year", ""), 2000, 2100),
            kind=args.get("kind", "") if args.get("kind") in kinds else "",
            status=args.get("status", "") if args.get("status") in statuses else "",
            sort=sort,
            descending=args.get("desc", "1" if sort in ("issued_on", "due_on") else "0") == "1",
            page=parse_int(args.get("page", ""), 1, 100_000) or 1,
        )


@dataclass(frozen=True)
class Row:
    invoice: Invoice
    status: InvoiceStatus
    balance: Decimal
    credits_number: str | None
    credited_by_number: str | None


@dataclass(frozen=True)
class Sums:
    count: int
    total: Decimal
    balance: Decimal


def _conditions(filters: Filters, today: date) -> list:
    conditions = []
    if filters.number:
        conditions.append(contains(Invoice.number, filters.number))
    if filters.member:
        conditions.append(
            or_(
                Invoice.member_number == filters.member,
                contains(Invoice.buyer_name, filters.member),
            )
        )
    if filters.member_id:
        conditions.append(Invoice.member_id == filters.member_id)
    if filters.year:
        conditions.append(Invoice.year == filters.year)
    if filters.kind:
        conditions.append(Invoice.kind == InvoiceKind(filters.kind))
    if filters.status == UNPAID:
        status = status_sql(today)
        conditions.append(status.in_([InvoiceStatus.TO_PAY.value, InvoiceStatus.LATE.value]))
    elif filters.status:
        conditions.append(status_sql(today) == filters.status)
    return conditions


def _order(filters: Filters, today: date) -> list:
    keys = {
        "number": [Invoice.year, Invoice.sequence],
        "issued_on": [Invoice.issued_on, Invoice.year, Invoice.sequence],
        "due_on": [Invoice.due_on, Invoice.year, Invoice.sequence],
        "member": [Invoice.member_number, Invoice.year, Invoice.sequence],
        "total": [Invoice.total],
        "balance": [balance_sql()],
        "status": [
            case({s.value: rank for s, rank in STATUS_RANK.items()}, value=status_sql(today))
        ],
    }[filters.sort] + [Invoice.id]
    return [key.desc() if filters.descending else key.asc() for key in keys]


def sums(filters: Filters, today: date) -> Sums:
    """The filtered set's count, sum of amounts and sum of balances (one statement). Credit notes
    count negatively in the amounts: the sum is what the filtered set invoices, net."""
    signed = case((Invoice.kind == InvoiceKind.CREDIT_NOTE, -Invoice.total), else_=Invoice.total)
    count, total, balance = db.session.execute(
        select(
            func.count(Invoice.id),
            func.coalesce(func.sum(type_coerce(signed, MONEY)), literal(0)),
            func.coalesce(func.sum(balance_sql()), literal(0)),
        ).where(*_conditions(filters, today))
    ).one()
    return Sums(count, Decimal(total), Decimal(balance))


def _rows_query(filters: Filters, today: date):
    credited, credit_note = aliased(Invoice), aliased(Invoice)
    return (
        select(
            Invoice,
            status_sql(today),
            balance_sql(),
            credited.number,
            credit_note.number,
        )
        .outerjoin(credited, credited.id == Invoice.credits_id)
        .outerjoin(credit_note, credit_note.id == Invoice.credited_by_id)
        .where(*_conditions(filters, today))
        .order_by(*_order(filters, today))
    )


def page(filters: Filters, today: date, size: int = PAGE_SIZE) -> tuple[list[Row], Sums]:
    totals = sums(filters, today)
    filters.page = min(filters.page, max((totals.count + size - 1) // size, 1))
    if not totals.count:
        return [], totals
    found = db.session.execute(
        _rows_query(filters, today).limit(size).offset((filters.page - 1) * size)
    ).all()
    return [Row(i, InvoiceStatus(s), b, c, n) for i, s, b, c, n in found], totals


def export_rows(filters: Filters, today: date):
    """Every filtered row, read in batches (constant memory whatever the count)."""
    result = db.session.execute(_rows_query(filters, today), execution_options={"yield_per": 500})
    for invoice, status, balance, credits_number, _ in result:
        yield Row(invoice, InvoiceStatus(status), balance, credits_number, None)
        db.session.expunge(invoice)


@dataclass(frozen=True)
class Detail:
    invoice: Invoice
    status: InvoiceStatus
    balance: Decimal
    lines: list
    payments: list
    declaration: Declaration | None
    credits: Invoice | None
    credited_by: Invoice | None


def detail(invoice_id: int, today: date) -> Detail | None:
    """An invoice with its lines, payments (and who recorded them), the invoices it is linked to
    and the declaration it invoices."""
    found = db.session.execute(
        select(Invoice, status_sql(today), balance_sql()).where(Invoice.id == invoice_id)
    ).one_or_none()
    if found is None:
        return None
    invoice, status, balance = found
    payments = db.session.scalars(
        select(Payment)
        .where(Payment.invoice_id == invoice.id)
        .order_by(Payment.paid_on, Payment.id)
    ).all()
    declaration = db.session.scalar(select(Declaration).where(Declaration.invoice_id == invoice.id))
    linked = {
        i.id: i
        for i in db.session.scalars(
            select(Invoice).where(Invoice.id.in_([invoice.credits_id, invoice.credited_by_id]))
        )
    }
    return Detail(
        invoice,
        InvoiceStatus(status),
        balance,
        list(invoice.lines),
        list(payments),
        declaration,
        linked.get(invoice.credits_id),
        linked.get(invoice.credited_by_id),
    )
