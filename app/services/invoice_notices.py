"""The member's notice of an invoice or a credit note issued (issue 12, "Notifications": invoices
issued): its number, date and amount, and a link to the portal's invoices, to the member's users
who want it (app.services.notifications). The callers (the portal's confirmation, the
back-office, the bulk command `flask invoice-declarations`) queue it in the invoice's
transaction and send it once committed: `mail.deliver_later` in a request, `mail.deliver` after
each batch's commit in the command.
"""

from dataclasses import replace

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import escape

from app.domain.notifications import Notice
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind
from app.services import mail, notifications

# Rendered once per kind for a whole lot of invoices, then completed per invoice.
_INVOICE, _DAY, _AMOUNT = "⟦invoice-number⟧", "⟦invoice-day⟧", "⟦invoice-amount⟧"


def announce(issued: list[Invoice | None]) -> list[int]:
    """Queue the notice of each invoice or credit note to its member's users who want it (one
    rendering per kind for the lot, the recipients read once): the outbox ids, to send after
    the commit."""
    issued = [invoice for invoice in issued if invoice is not None]
    if not issued:
        return []
    targets = notifications.recipients(sorted({i.member_id for i in issued}), Notice.INVOICE_ISSUED)
    composed = {kind: _compose(kind) for kind in {i.kind for i in issued}}
    messages = []
    for invoice in issued:
        messages += notifications.messages_for(
            _complete(composed[invoice.kind], invoice),
            targets.get(invoice.member_id, []),
            {invoice.member_id: invoice.member_number},
        )
    return [m.id for m in mail.queue_all(messages)]


def announce_ids(invoice_ids: list[int | None]) -> list[int]:
    """`announce` of the invoices of these ids (None: no invoice, as a declaration of nobody)."""
    return announce([db.session.get(Invoice, i) for i in invoice_ids if i is not None])


def _compose(kind: InvoiceKind) -> notifications.Composed:
    number = notifications.NUMBER
    credit_note = kind is InvoiceKind.CREDIT_NOTE
    subject = (
        (lambda: _("Credit note %(invoice)s (member %(number)s)", invoice=_INVOICE, number=number))
        if credit_note
        else (lambda: _("Invoice %(invoice)s (member %(number)s)", invoice=_INVOICE, number=number))
    )
    return notifications.compose(
        Notice.INVOICE_ISSUED,
        "invoice_issued",
        subject,
        credit_note=credit_note,
        invoice=_INVOICE,
        day=_DAY,
        amount=_AMOUNT,
        link=notifications.portal_url("/invoices/"),
    )


def _complete(composed: notifications.Composed, invoice: Invoice) -> notifications.Composed:
    """The invoice's number, date and amount in place of the placeholders (escaped in the
    HTML part)."""
    with force_locale("fr"):
        values = {
            _INVOICE: invoice.number,
            _DAY: format_date(invoice.issued_on, "d MMMM y"),
            _AMOUNT: f"{format_decimal(invoice.total, '#,##0.00')}\u00a0€",
        }

    def filled(text: str, html: bool = False) -> str:
        for placeholder, value in values.items():
            text = text.replace(placeholder, str(escape(value)) if html else value)
        return text

    return replace(
        composed,
        subject=filled(composed.subject),
        text=filled(composed.text),
        html=filled(composed.html, html=True),
    )
