"""Rules of the tariff and the invoices (domain-rules.md §5), on exact decimals."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain import billing
from app.domain.billing import DeclarationStatus, InvoiceStatus, Line

D = Decimal


@pytest.mark.parametrize(
    ("fee", "allowed"),
    [
        ("92.39", False),
        ("92.40", True),  # 80 % of 115.50
        ("115.50", True),
        ("138.60", True),  # 120 %
        ("138.61", False),
        ("0.00", False),
    ],
)
def test_the_base_fee_lies_between_80_and_120_percent_of_the_national_average(fee, allowed):
    assert billing.base_fee_bounds(D("115.50")) == (D("92.40"), D("138.60"))
    assert billing.base_fee_allowed(D(fee), D("115.50")) is allowed


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("115,50", D("115.50")),
        ("1 234.5", D("1234.50")),
        ("80 €", D("80.00")),
        ("1\u202f000,00", D("1000.00")),
        ("12,345", None),  # a third decimal
        ("-5", None),
        ("abc", None),
        ("1e3", None),
        ("", None),
        ("0", None),
        ("99999999999", None),
    ],
)
def test_amounts_typed_the_french_way(text, value):
    assert billing.parse_amount(text) == value


def test_zero_may_be_allowed():
    assert billing.parse_amount("0,00", allow_zero=True) == D("0.00")


def test_totals_are_exact_and_vat_is_computed_per_rate_on_the_sum():
    lines = [
        Line("Cotisation", D("68"), D("110.35"), D("0")),
        Line("Prestation", D("3"), D("33.33"), D("20")),
        Line("Prestation", D("1"), D("0.01"), D("20")),
    ]
    result = billing.totals(lines)
    assert result.excl_tax == D("7503.80") + D("100.00")
    assert result.vat_by_rate[D("20")] == (D("100.00"), D("20.00"))
    assert result.vat == D("20.00")
    assert result.total == D("7623.80")
    # the float way would not be exact
    assert 68 * 110.35 != 7503.8


def test_a_line_amount_rounds_half_up_to_the_cent():
    assert Line("x", D("3"), D("0.335"), D("0")).amount == D("1.01")
    assert Line("x", D("1.5"), D("0.01"), D("0")).amount == D("0.02")


def test_invoice_numbers_are_per_year_with_six_digits():
    assert billing.invoice_number(2026, 123) == "2026-000123"


def test_the_entry_fee_is_for_the_year_the_member_joined():
    assert billing.entry_fee_applies(date(2026, 3, 1), 2026)
    assert not billing.entry_fee_applies(date(2025, 12, 31), 2026)


@pytest.mark.parametrize(
    ("credit_note", "cancelled", "paid", "today", "status"),
    [
        (True, False, "0", date(2026, 1, 1), InvoiceStatus.CREDIT_NOTE),
        (False, True, "0", date(2026, 1, 1), InvoiceStatus.CANCELLED),
        (False, False, "100.00", date(2026, 9, 1), InvoiceStatus.PAID),
        (False, False, "99.99", date(2026, 2, 14), InvoiceStatus.TO_PAY),  # due day itself
        (False, False, "99.99", date(2026, 2, 15), InvoiceStatus.LATE),
    ],
)
def test_invoice_status(credit_note, cancelled, paid, today, status):
    assert (
        billing.invoice_status(
            is_credit_note=credit_note,
            cancelled=cancelled,
            total=D("100.00"),
            paid_total=D(paid),
            due=date(2026, 2, 14),
            today=today,
        )
        is status
    )


def test_declaration_status():
    opens = date(2026, 1, 5)
    assert billing.declaration_status(None, False, opens) is DeclarationStatus.NOT_OPEN
    assert billing.declaration_status(opens, False, date(2026, 1, 4)) is DeclarationStatus.NOT_OPEN
    assert billing.declaration_status(opens, False, opens) is DeclarationStatus.TO_CONFIRM
    assert billing.declaration_status(opens, True, opens) is DeclarationStatus.CONFIRMED
