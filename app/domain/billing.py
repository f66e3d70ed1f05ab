"""Rules of the yearly declaration, the tariff and the invoices (domain-rules.md §5): pure
functions on exact decimals (never floats), rounded to the cent half up as French invoices are.
"""

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# Since 2025 the base fee per employee lies between 80 % and 120 % of the national average cost.
LOW_SHARE = Decimal("0.80")
HIGH_SHARE = Decimal("1.20")
MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str | None, *, allow_zero: bool = False) -> Decimal | None:
    """A French amount as typed ("115,50", "1 234.5", "80 €") to a Decimal of cents; None when
    it is not one (negative, more than two decimals, too large, or zero unless allowed)."""
    if text is None:
        return None
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    if not cleaned or cleaned.count(".") > 1 or not cleaned.replace(".", "").isdigit():
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if value != value.quantize(CENT) or value > MAX_AMOUNT or (value == 0 and not allow_zero):
        return None
    return value.quantize(CENT)


def base_fee_bounds(national_average_cost: Decimal) -> tuple[Decimal, Decimal]:
    """The lowest and highest base fee allowed (both included)."""
    return cents(national_average_cost * LOW_SHARE), cents(national_average_cost * HIGH_SHARE)


def base_fee_allowed(base_fee: Decimal, national_average_cost: Decimal) -> bool:
    low, high = base_fee_bounds(national_average_cost)
    return low <= base_fee <= high


def invoice_number(year: int, sequence: int) -> str:
    """Gapless per year: 2026-000001, 2026-000002, ..."""
    return f"{year}-{sequence:06d}"


@dataclass(frozen=True)
class Line:
    label: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal  # percent

    @property
    def amount(self) -> Decimal:
        return cents(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Totals:
    excl_tax: Decimal
    vat: Decimal
    total: Decimal
    vat_by_rate: dict  # rate -> (base, vat), as the invoice's VAT breakdown (EN 16931 BG-23)


def totals(lines: list[Line]) -> Totals:
    """Sum of the line amounts, VAT computed per rate on the summed base (EN 16931: BT-117 =
    BT-116 x rate, rounded), then the total."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        bases[line.vat_rate] = bases.get(line.vat_rate, Decimal("0.00")) + line.amount
    by_rate = {rate: (base, cents(base * rate / 100)) for rate, base in bases.items()}
    excl = sum((base for base, _ in by_rate.values()), Decimal("0.00"))
    vat = sum((amount for _, amount in by_rate.values()), Decimal("0.00"))
    return Totals(excl, vat, excl + vat, by_rate)


def due_on(issued_on: date, payment_days: int) -> date:
    return issued_on + timedelta(days=payment_days)


def entry_fee_applies(joined_on: date, year: int) -> bool:
    """The entry fee is charged on the declaration of the year the member joined."""
    return joined_on.year == year


class InvoiceStatus(enum.Enum):
    TO_PAY = "to_pay"  # à payer
    PAID = "paid"  # payée
    LATE = "late"  # en retard
    CANCELLED = "cancelled"  # annulée par un avoir
    CREDIT_NOTE = "credit_note"  # avoir


def invoice_status(
    *,
    is_credit_note: bool,
    cancelled: bool,
    total: Decimal,
    paid_total: Decimal,
    due: date,
    today: date,
) -> InvoiceStatus:
    if is_credit_note:
        return InvoiceStatus.CREDIT_NOTE
    if cancelled:
        return InvoiceStatus.CANCELLED
    if paid_total >= total:
        return InvoiceStatus.PAID
    if today > due:
        return InvoiceStatus.LATE
    return InvoiceStatus.TO_PAY


class DeclarationStatus(enum.Enum):
    NOT_OPEN = "not_open"  # no campaign open for the year yet
    TO_CONFIRM = "to_confirm"
    CONFIRMED = "confirmed"


def declaration_status(opens_on: date | None, confirmed: bool, today: date) -> DeclarationStatus:
    if confirmed:
        return DeclarationStatus.CONFIRMED
    if opens_on is None or today < opens_on:
        return DeclarationStatus.NOT_OPEN
    return DeclarationStatus.TO_CONFIRM


def french_amount(value: Decimal, currency: str = "€") -> str:
    """An amount as French invoices print it: "1 234,50 €" (no-break spaces, so it never wraps
    inside a table cell)."""
    sign = "-" if value < 0 else ""
    units, _, decimals = f"{abs(cents(value)):.2f}".partition(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    text = f"{sign}{chr(0xA0).join(groups)},{decimals}"
    return f"{text}\u00a0{currency}" if currency else text
