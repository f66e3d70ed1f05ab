"""Invoices and credit notes (issue 11; manual, "Factures"; domain-rules.md §5).

Numbers are gapless and sequential per year: `_next_sequence` increments the year's counter row
in the transaction that writes the invoice, as late as possible in it (the row stays locked until
the commit, so concurrent invoices wait for each other there; a rolled-back transaction gives its
number back). An invoice is never edited, deleted or renumbered: `credit` cancels one with a
credit note; payments only add to `paid_total`.
"""

from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.domain import billing
from app.extensions import db
from app.models.billing import (
    Campaign,
    Declaration,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentMeans,
)
from app.models.member import Member
from app.services import ServiceError, audit

MAX_NOTE = 500
MAX_LABEL = 200
MAX_REFERENCE = 100


def vat_rate() -> Decimal:
    return Decimal(current_app.config["INVOICE_VAT_RATE"])


def _next_sequence(year: int) -> int:
    counter = InvoiceCounter.__table__
    insert = sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else pg_insert
    db.session.execute(insert(counter).values(year=year, last_sequence=0).on_conflict_do_nothing())
    db.session.execute(
        update(counter)
        .where(counter.c.year == year)
        .values(last_sequence=counter.c.last_sequence + 1)
    )
    return db.session.scalar(select(counter.c.last_sequence).where(counter.c.year == year))


def issue(
    member: Member,
    lines: list[billing.Line],
    *,
    actor=None,
    kind: InvoiceKind = InvoiceKind.INVOICE,
    issued_on: date | None = None,
    campaign: Campaign | None = None,
    note: str | None = None,
    credits: Invoice | None = None,
) -> Invoice:
    """Write an invoice (or a credit note) with its lines and its number; flushes."""
    if not lines:
        raise ServiceError("invoice_no_line")
    for line in lines:
        if not line.label.strip() or len(line.label) > MAX_LABEL:
            raise ServiceError("invoice_line_label")
        if line.quantity <= 0 or line.unit_price < 0:
            raise ServiceError("invoice_line_amount")
    if note is not None and len(note) > MAX_NOTE:
        raise ServiceError("invoice_note_too_long", max=MAX_NOTE)
    issued_on = issued_on or clock.today()
    sums = billing.totals(lines)
    if sums.total > billing.MAX_AMOUNT:
        raise ServiceError("invoice_line_amount")
    config = current_app.config
    invoice = Invoice(
        member_id=member.id,
        kind=kind,
        year=issued_on.year,
        issued_on=issued_on,
        due_on=billing.due_on(issued_on, config["INVOICE_PAYMENT_DAYS"]),
        member_number=member.number,
        buyer_name=member.name,
        buyer_siret=member.siret,
        buyer_address=member.address,
        buyer_postal_code=member.postal_code,
        buyer_city=member.city,
        total_excl_tax=sums.excl_tax,
        total_vat=sums.vat,
        total=sums.total,
        paid_total=Decimal("0.00"),
        vat_exemption=config["INVOICE_VAT_EXEMPTION"] if sums.vat == 0 else None,
        note=note,
        credits_id=credits.id if credits else None,
        campaign_id=campaign.id if campaign else None,
        created_at=clock.now(),
        created_by_id=getattr(actor, "id", None),
    )
    invoice.lines = [
        InvoiceLine(
            member_id=member.id,
            position=position,
            label=line.label.strip(),
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            amount_excl_tax=line.amount,
        )
        for position, line in enumerate(lines, start=1)
    ]
    # Last: the counter's row lock is held from here to the commit.
    invoice.sequence = _next_sequence(invoice.year)
    invoice.number = billing.invoice_number(invoice.year, invoice.sequence)
    db.session.add(invoice)
    db.session.flush()
    audit.record(
        "invoice.credit_note" if kind is InvoiceKind.CREDIT_NOTE else "invoice.issued",
        actor=actor,
        member=member,
        target=invoice.number,
        total=str(invoice.total),
    )
    return invoice


def declaration_lines(declaration: Declaration, campaign: Campaign, member: Member):
    """The lines a confirmed declaration is invoiced: the base fee per employee whatever the
    category (L4622-6), and the entry fee the year the member joined."""
    rate = vat_rate()
    lines = []
    if declaration.total:
        lines.append(
            billing.Line(
                f"Cotisation {campaign.year} - offre socle ({declaration.total} salariés déclarés)",
                Decimal(declaration.total),
                campaign.base_fee,
                rate,
            )
        )
    if campaign.entry_fee and billing.entry_fee_applies(member.joined_on, campaign.year):
        lines.append(
            billing.Line(f"Droit d'entrée {campaign.year}", Decimal(1), campaign.entry_fee, rate)
        )
    return lines


def invoice_declaration(
    declaration: Declaration, campaign: Campaign, member: Member, actor=None, issued_on=None
):
    """The invoice of a confirmed declaration (None when there is nothing to invoice: no
    employee and no entry fee); linked to the declaration."""
    lines = declaration_lines(declaration, campaign, member)
    if not lines:
        return None
    invoice = issue(member, lines, actor=actor, campaign=campaign, issued_on=issued_on)
    declaration.invoice_id = invoice.id
    return invoice


def credit(invoice: Invoice, actor, reason: str) -> Invoice:
    """Cancel an invoice in full with a credit note (same lines); refused for a credit note or
    an invoice already credited. What was paid on it stays recorded there: the service refunds
    it or sets it against the next invoice (payment means "imputation d'un avoir")."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("credit_reason_required")
    if invoice.kind is InvoiceKind.CREDIT_NOTE:
        raise ServiceError("credit_of_credit_note")
    lines = [
        billing.Line(line.label, line.quantity, line.unit_price, line.vat_rate)
        for line in invoice.lines
    ]
    note = issue(
        invoice.member,
        lines,
        actor=actor,
        kind=InvoiceKind.CREDIT_NOTE,
        campaign=invoice.campaign,
        note=f"Avoir de la facture {invoice.number} : {reason}"[:MAX_NOTE],
        credits=invoice,
    )
    # Conditional: of two credits of one invoice at once, the second changes nothing and fails
    # (its transaction, credit note and number included, is rolled back).
    done = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.credited_by_id.is_(None))
        .values(credited_by_id=note.id),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:
        raise ServiceError("invoice_already_credited")
    db.session.refresh(invoice)
    return note


def record_payment(
    invoice: Invoice,
    actor,
    *,
    paid_on: date,
    amount: Decimal,
    means: PaymentMeans,
    reference: str | None = None,
) -> Payment:
    """Add a payment; refused above the balance left (two at once cannot both pass: the sum is
    updated in SQL and checked after)."""
    if invoice.kind is InvoiceKind.CREDIT_NOTE or invoice.credited_by_id:
        raise ServiceError("payment_not_payable")
    if amount <= 0:
        raise ServiceError("payment_amount")
    if paid_on > clock.today():
        raise ServiceError("payment_in_future")
    if reference and len(reference) > MAX_REFERENCE:
        raise ServiceError("payment_reference_too_long", max=MAX_REFERENCE)
    db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id)
        .values(paid_total=Invoice.paid_total + amount),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(invoice)
    if invoice.paid_total > invoice.total:
        raise ServiceError(
            "payment_above_balance", balance=invoice.total - invoice.paid_total + amount
        )
    payment = Payment(
        member_id=invoice.member_id,
        invoice_id=invoice.id,
        paid_on=paid_on,
        amount=amount,
        means=means,
        reference=(reference or "").strip() or None,
        recorded_at=clock.now(),
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "invoice.payment",
        actor=actor,
        member=invoice.member,
        target=invoice.number,
        amount=str(amount),
    )
    return payment
