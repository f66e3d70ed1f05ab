"""The structured data of an invoice for Factur-X (CII, profile EN 16931; France's e-invoicing
reform, issue 11): the BT-keyed dict `facturx.generate_cii_xml` takes.

What a buyer's software needs to match the invoice: the member number as the buyer identifier
(BT-46) and buyer reference (BT-10), the service's SIRET (BT-29, scheme 0009), SIREN (BT-30,
scheme 0002) and VAT number (BT-31, required with the exempt category E, BR-E-02), the due date
(BT-9), the credit transfer (BT-81 = 30) to the service's IBAN (BT-84) with the remittance text
the manual asks for (member number and invoice number, BT-83). A credit note (381) names the
invoice it cancels (BT-25).
"""

import re
from decimal import Decimal

from app.exports.invoice_pdf import Seller, Sheet, french_date

INVOICE, CREDIT_NOTE = "380", "381"
SIRET_SCHEME, SIREN_SCHEME = "0009", "0002"
CREDIT_TRANSFER = "30"
UNIT = "C62"  # "one": a unit without dimension (UN/ECE recommendation 20)
_TOWN = re.compile(r"^(?P<street>.*)[\s,]+(?P<postcode>\d{5})\s+(?P<city>\S.*)$")


def split_address(address: str) -> dict:
    """ "77, rue X CS 60132 80001 AMIENS CEDEX 1" -> line, postcode, city (one line if no code)."""
    match = _TOWN.match(address.strip())
    if not match:
        return {"addr_l1": address.strip()}
    return {
        "addr_l1": match["street"].strip(" ,"),
        "postcode": match["postcode"],
        "city": match["city"].strip(),
    }


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _category(rate: Decimal) -> str:
    return "E" if rate == 0 else "S"  # exempt / standard rate


def _seller(seller: Seller) -> dict:
    siret = seller.siret.replace(" ", "")
    return {
        "name": seller.legal_name,
        "identifiers": {SIRET_SCHEME: siret},
        "legal_identifier": siret[:9],
        "legal_identifier_schemeid": SIREN_SCHEME,
        "vat_identifier": seller.vat_id,
        "country_code": "FR",
        **split_address(seller.address),
        "contacts": [{"phone": seller.phone, "email": seller.email}],
    }


def _buyer(sheet: Sheet) -> dict:
    buyer = {
        "name": sheet.buyer_name,
        "identifiers": {None: sheet.member_number},
        "legal_identifier": sheet.buyer_siret[:9],
        "legal_identifier_schemeid": SIREN_SCHEME,
        "country_code": "FR",
    }
    optional = {
        "addr_l1": sheet.buyer_address,
        "postcode": sheet.buyer_postal_code,
        "city": sheet.buyer_city,
    }
    buyer.update({key: value for key, value in optional.items() if value})
    return buyer


def _vat_breakdown(sheet: Sheet, rates: list[Decimal]) -> list[dict]:
    """One entry per rate (BG-23): the base is the sum of the line amounts at that rate."""
    entries = []
    for rate in rates:
        base = sum((amount for _, _, _, amount, r in sheet.lines if r == rate), Decimal("0.00"))
        entry = {
            "BT-116": _amount(base),
            "BT-117": _amount((base * rate / 100).quantize(Decimal("0.01"))),
            "BT-118": _category(rate),
            "BT-119": _amount(rate),
        }
        if rate == 0:
            entry["BT-120"] = sheet.vat_exemption or "Exonération de TVA"
        entries.append(entry)
    return entries


def _line(position: int, line) -> dict:
    label, quantity, unit_price, amount, rate = line
    return {
        "BT-126": str(position),
        "BT-129": f"{quantity:.2f}",
        "BT-130": UNIT,
        "BT-131": _amount(amount),
        "BT-146": _amount(unit_price),
        "BT-151": _category(rate),
        "BT-152": _amount(rate),
        "BT-153": label,
    }


def _terms(sheet: Sheet) -> str:
    if sheet.is_credit_note:
        return "Avoir remboursé ou imputé sur une prochaine facture."
    return (
        "Règlement par virement ou par chèque au plus tard le "
        f"{french_date(sheet.due_on)}, en rappelant le numéro d'adhérent et le numéro de facture."
    )


def data(seller: Seller, sheet: Sheet) -> dict:
    """`sheet.lines` here are (label, quantity, unit price, amount, VAT rate in percent)."""
    rates = sorted({line[4] for line in sheet.lines})
    remittance = f"Adherent {sheet.member_number} Facture {sheet.number}"
    result = {
        "BT-1": sheet.number,
        "BT-2": sheet.issued_on,
        "BT-3": CREDIT_NOTE if sheet.is_credit_note else INVOICE,
        "BT-5": "EUR",
        "BT-9": sheet.due_on,
        # The delivery block may not be empty: the service is deemed supplied on the issue date.
        "BT-72": sheet.issued_on,
        "BT-10": sheet.member_number,
        "BT-20": _terms(sheet),
        "BG-4": _seller(seller),
        "BG-7": _buyer(sheet),
        "BG-23": _vat_breakdown(sheet, rates),
        "BT-106": _amount(sheet.total_excl_tax),
        "BT-109": _amount(sheet.total_excl_tax),
        "BT-110": _amount(sheet.total_vat),
        "BT-112": _amount(sheet.total),
        "BT-115": _amount(sheet.total),
        "BG-25": [_line(i, line) for i, line in enumerate(sheet.lines, start=1)],
    }
    if not sheet.is_credit_note:
        result.update(
            {
                "BT-81": CREDIT_TRANSFER,
                "BT-83": remittance,
                "BT-84": seller.iban.replace(" ", ""),
                "BT-86": seller.bic.replace(" ", ""),
            }
        )
    if sheet.note:
        result["BG-1"] = [{"BT-22": sheet.note}]
    if sheet.credits_number:
        previous = {"BT-25": sheet.credits_number}
        if sheet.credits_issued_on:
            previous["BT-26"] = sheet.credits_issued_on
        result["BG-3"] = [previous]
    return result
