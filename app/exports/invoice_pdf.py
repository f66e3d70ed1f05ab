"""The visible page of an invoice or credit note (issue 11; manual, "Factures"): the service's
letterhead, the buyer as copied at issue, the lines, the totals, the bank details and the
manual's payment text. French only, like the invoice itself. The fonts (Bitstream Vera, shipped
with reportlab) are embedded, as PDF/A-3 (Factur-X) requires.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from babel.dates import format_date
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.domain.billing import french_amount

FONT, BOLD = "InvoiceVera", "InvoiceVera-Bold"
_FONTS = Path(reportlab.__file__).parent / "fonts"
PAYMENT_TEXT = (
    "Le règlement des factures s'effectue par virement ou par chèque. En cas de paiement par "
    "virement, merci d'utiliser les coordonnées bancaires renseignées sur la facture. Pour tout "
    "paiement, n'oubliez pas de mentionner votre numéro d'adhérent et votre numéro de facture."
)


@dataclass(frozen=True)
class Seller:
    legal_name: str
    address: str
    phone: str
    email: str
    siret: str
    vat_id: str
    bank: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Sheet:
    """What the page shows, already loaded (no query here)."""

    is_credit_note: bool
    number: str
    issued_on: date
    due_on: date
    member_number: str
    buyer_name: str
    buyer_siret: str
    buyer_address: str | None
    buyer_postal_code: str | None
    buyer_city: str | None
    lines: list  # (label, quantity, unit price, amount excl. tax, VAT rate in percent)
    total_excl_tax: Decimal
    total_vat: Decimal
    total: Decimal
    vat_exemption: str | None
    note: str | None
    credits_number: str | None  # the invoice a credit note cancels
    credits_issued_on: date | None


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONTS / "VeraBd.ttf")))


def french_date(value: date) -> str:
    return format_date(value, "dd/MM/yyyy", locale="fr_FR")


def quantity(value: Decimal) -> str:
    text = french_amount(value, currency="")
    return text[:-3] if text.endswith(",00") else text


class _Styles:
    def __init__(self):
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10)
        self.bold = ParagraphStyle("bold", parent=self.body, fontName=BOLD)
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=BOLD, fontSize=16, leading=20
        )
        self.head = ParagraphStyle("head", parent=self.body, fontName=BOLD, fontSize=12, leading=15)
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _letterhead(seller: Seller, st: _Styles) -> list:
    return [
        _p(seller.legal_name, st.head),
        _p(seller.address, st.body),
        _p(f"Tél. {seller.phone} - {seller.email}", st.body),
        _p(f"SIRET {seller.siret} - N° TVA intracommunautaire {seller.vat_id}", st.small),
    ]


def _parties(sheet: Sheet, st: _Styles) -> Table:
    kind = "AVOIR" if sheet.is_credit_note else "FACTURE"
    left = [
        _p(f"{kind} N° {sheet.number}", st.title),
        Spacer(1, 0.2 * cm),
        _p(f"Date : {french_date(sheet.issued_on)}", st.body),
        _p(f"Échéance : {french_date(sheet.due_on)}", st.body),
        _p(f"N° d'adhérent : {sheet.member_number}", st.bold),
    ]
    if sheet.credits_number:
        cancelled = f"Annule la facture N° {sheet.credits_number}"
        if sheet.credits_issued_on:
            cancelled += f" du {french_date(sheet.credits_issued_on)}"
        left.append(_p(cancelled, st.bold))
    town = " ".join(filter(None, (sheet.buyer_postal_code, sheet.buyer_city)))
    buyer = [sheet.buyer_name, sheet.buyer_address, town, f"SIRET {sheet.buyer_siret}"]
    right = [_p(line, st.bold if i == 0 else st.body) for i, line in enumerate(buyer) if line]
    table = Table([[left, right]], colWidths=[9 * cm, 8 * cm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.6, colors.grey),
                ("LEFTPADDING", (1, 0), (1, 0), 8),
            ]
        )
    )
    return table


def _lines(sheet: Sheet, st: _Styles) -> Table:
    rows = [[_p(h, st.bold) for h in ("Désignation", "Quantité", "Prix unitaire HT", "Montant HT")]]
    for label, qty, unit_price, amount, _rate in sheet.lines:
        rows.append(
            [
                _p(label, st.body),
                _p(quantity(qty), st.right),
                _p(french_amount(unit_price), st.right),
                _p(french_amount(amount), st.right),
            ]
        )
    table = Table(rows, colWidths=[8.5 * cm, 2 * cm, 3.25 * cm, 3.25 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _totals(sheet: Sheet, st: _Styles) -> Table:
    label = "Total TTC" if not sheet.is_credit_note else "Total TTC de l'avoir"
    rows = [
        ["Total HT", sheet.total_excl_tax],
        ["TVA", sheet.total_vat],
        [label, sheet.total],
    ]
    cells = [
        [_p(name, st.bold if i == 2 else st.body), _p(french_amount(value), st.right)]
        for i, (name, value) in enumerate(rows)
    ]
    table = Table(cells, colWidths=[4.5 * cm, 3.25 * cm], hAlign="RIGHT")
    table.setStyle(TableStyle([("LINEABOVE", (0, 2), (-1, 2), 0.8, colors.black)]))
    return table


def _payment(seller: Seller, sheet: Sheet, st: _Styles) -> list:
    bank = Table(
        [
            ["Banque", seller.bank],
            ["IBAN", seller.iban],
            ["BIC", seller.bic],
            ["Référence à rappeler", f"Adhérent {sheet.member_number} - Facture {sheet.number}"],
        ],
        colWidths=[4.5 * cm, 12.5 * cm],
    )
    bank.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (0, -1), BOLD, 9),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.grey),
            ]
        )
    )
    return [_p("Règlement", st.head), Spacer(1, 0.15 * cm), _p(PAYMENT_TEXT, st.body),
            Spacer(1, 0.25 * cm), bank]  # fmt: skip


def draw(seller: Seller, sheet: Sheet) -> bytes:
    """The invoice's page(s) as a plain PDF (Factur-X embeds its XML afterwards)."""
    _register_fonts()
    st = _Styles()
    buffer = io.BytesIO()
    kind = "Avoir" if sheet.is_credit_note else "Facture"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{kind} {sheet.number}",
        author=seller.legal_name,
        subject=f"{kind} {sheet.number} - adhérent {sheet.member_number}",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    story = [*_letterhead(seller, st), Spacer(1, 0.8 * cm), _parties(sheet, st)]
    story += [Spacer(1, 0.8 * cm), _lines(sheet, st), Spacer(1, 0.4 * cm), _totals(sheet, st)]
    if sheet.total_vat == 0 and sheet.vat_exemption:
        story += [Spacer(1, 0.3 * cm), _p(sheet.vat_exemption, st.body)]
    if sheet.note:
        story += [Spacer(1, 0.3 * cm), _p(sheet.note, st.body)]
    if not sheet.is_credit_note:
        story += [Spacer(1, 0.8 * cm), *_payment(seller, sheet, st)]
    doc.build(story)
    return buffer.getvalue()
