"""The PDF of an invoice or credit note (issue 11; manual, "Factures"): a Factur-X file, profile
EN 16931 (France's e-invoicing reform), i.e. the visible page drawn with reportlab and its CII
XML, built and checked against the XSD by the `factur-x` library, embedded in it.

An issued invoice's PDF never changes: it is rendered at its first download and kept
(`Invoice.pdf_content_id`, a `DocumentContent`); later downloads serve the stored bytes, even if
the service's settings (address, bank) change since. Transmission through an approved platform
(PDP) is out of scope.
"""

import facturx
from flask import current_app
from sqlalchemy import select, update
from stdnum.fr import siren

from app.exports import facturx_cii
from app.exports.invoice_pdf import Seller, Sheet, draw
from app.extensions import db
from app.models.billing import Invoice, InvoiceKind, InvoiceLine
from app.models.document import DocumentContent

LEVEL = "en16931"


def seller() -> Seller:
    config = current_app.config
    siret = config["SERVICE_SIRET"].replace(" ", "")
    return Seller(
        legal_name=config["SERVICE_LEGAL_NAME"],
        address=config["SERVICE_ADDRESS"],
        phone=config["SERVICE_PHONE"],
        email=config["SERVICE_EMAIL"],
        siret=siret,
        vat_id=config["SERVICE_VAT_ID"] or "FR" + siren.to_tva(siret[:9]),
        bank=config["SERVICE_BANK"],
        iban=config["SERVICE_IBAN"],
        bic=config["SERVICE_BIC"],
    )


def sheet(invoice: Invoice) -> Sheet:
    """What the invoice prints, its lines read in one query."""
    lines = db.session.execute(
        select(
            InvoiceLine.label,
            InvoiceLine.quantity,
            InvoiceLine.unit_price,
            InvoiceLine.amount_excl_tax,
            InvoiceLine.vat_rate,
        )
        .where(InvoiceLine.invoice_id == invoice.id)
        .order_by(InvoiceLine.position)
    ).all()
    credited = None
    if invoice.credits_id:
        credited = db.session.execute(
            select(Invoice.number, Invoice.issued_on).where(Invoice.id == invoice.credits_id)
        ).one()
    return Sheet(
        is_credit_note=invoice.kind is InvoiceKind.CREDIT_NOTE,
        number=invoice.number,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        member_number=invoice.member_number,
        buyer_name=invoice.buyer_name,
        buyer_siret=invoice.buyer_siret,
        buyer_address=invoice.buyer_address,
        buyer_postal_code=invoice.buyer_postal_code,
        buyer_city=invoice.buyer_city,
        lines=[tuple(line) for line in lines],
        total_excl_tax=invoice.total_excl_tax,
        total_vat=invoice.total_vat,
        total=invoice.total,
        vat_exemption=invoice.vat_exemption,
        note=invoice.note,
        credits_number=credited.number if credited else None,
        credits_issued_on=credited.issued_on if credited else None,
    )


def cii_xml(invoice: Invoice) -> bytes:
    """The invoice's CII XML (checked against the Factur-X EN 16931 XSD)."""
    return facturx.generate_cii_xml(
        facturx_cii.data(seller(), sheet(invoice)), level=LEVEL, check_schematron=False
    )


def render(invoice: Invoice) -> bytes:
    """The Factur-X PDF of the invoice (rendered now; see `pdf_of` for the stored one)."""
    the_seller, the_sheet = seller(), sheet(invoice)
    xml = facturx.generate_cii_xml(
        facturx_cii.data(the_seller, the_sheet), level=LEVEL, check_schematron=False
    )
    kind = "Avoir" if the_sheet.is_credit_note else "Facture"
    return facturx.generate_from_binary(
        draw(the_seller, the_sheet),
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=False,  # checked above, when built
        pdf_metadata={
            "author": the_seller.legal_name,
            "keywords": "Factur-X",
            "title": f"{kind} {invoice.number}",
            "subject": f"{kind} {invoice.number} - adhérent {invoice.member_number}",
        },
        lang="fr-FR",
    )


def pdf_of(invoice: Invoice) -> bytes:
    """The invoice's stored PDF, rendered and stored at the first call. Of two first calls at
    once, one stores its content (conditional UPDATE); the other's content is deleted and it
    returns the stored one. Flushes; the caller commits."""
    if invoice.pdf_content_id is None:
        content = DocumentContent(data=render(invoice))
        db.session.add(content)
        db.session.flush()
        done = db.session.execute(
            update(Invoice)
            .where(Invoice.id == invoice.id, Invoice.pdf_content_id.is_(None))
            .values(pdf_content_id=content.id),
            execution_options={"synchronize_session": False},
        )
        if done.rowcount != 1:
            db.session.delete(content)
        db.session.flush()
        db.session.refresh(invoice, ["pdf_content_id"])
    return db.session.scalar(
        select(DocumentContent.data).where(DocumentContent.id == invoice.pdf_content_id)
    )


def download_name(invoice: Invoice) -> str:
    kind = "avoir" if invoice.kind is InvoiceKind.CREDIT_NOTE else "facture"
    return f"{kind}-{invoice.number}.pdf"
