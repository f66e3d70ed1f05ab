"""The yearly workforce declaration and what it is invoiced (issue 11; manual, "Déclaration
d'effectifs" and "Factures"; domain-rules.md §5).

A campaign holds the year's tariff. A member's declaration freezes, when confirmed, the employees
counted and their category; at most one confirmation per member and year is live (a reopened one
is kept, with its reason). An invoice is never edited, deleted or renumbered: a correction is a
credit note (`kind` CREDIT_NOTE, `credits_id` the invoice it cancels) and a new invoice. Amounts
are exact decimals (`Numeric`), in euros.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from app.domain.follow_up import FollowUp
from app.models.base import Model, TenantMixin, enum_column


class Hundredths(TypeDecorator):
    """A Decimal with two places (euros and cents, a quantity, a VAT rate in percent) stored as
    an integer of hundredths: exact on SQLite too, whose NUMERIC is a float; sums and
    comparisons in SQL stay exact."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        hundredths = Decimal(value).scaleb(2)
        if hundredths != hundredths.to_integral_value():
            raise ValueError(f"{value} has more than two decimal places")
        return int(hundredths)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(int(value)).scaleb(-2)


MONEY = Hundredths()
RATE = Hundredths()


class InvoiceKind(enum.Enum):
    INVOICE = "invoice"  # Factur-X type code 380
    CREDIT_NOTE = "credit_note"  # 381: cancels `credits` in full


class PaymentMeans(enum.Enum):
    TRANSFER = "transfer"  # virement
    CHEQUE = "cheque"
    CREDIT = "credit"  # imputation d'un avoir: a credit note set against this invoice


class MailingKind(enum.Enum):
    INVITATION = "invitation"
    REMINDER = "reminder"


class Campaign(Model):
    """The declaration campaign of a year and its tariff (the service's own row)."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    opens_on: Mapped[date] = mapped_column(Date, nullable=False)
    closes_on: Mapped[date] = mapped_column(Date, nullable=False)
    base_fee: Mapped[Decimal] = mapped_column(MONEY, nullable=False)  # per employee
    entry_fee: Mapped[Decimal | None] = mapped_column(MONEY)  # members that joined this year
    no_show_fee: Mapped[Decimal | None] = mapped_column(MONEY)  # absence without notice
    # The national average cost of the year (published yearly; 115.50 EUR for 2025): the base
    # fee must lie between 80 % and 120 % of it (app.domain.billing.base_fee_bounds).
    national_average_cost: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    created_by = relationship("PortalUser")

    def __str__(self) -> str:
        return str(self.year)


class CampaignMailing(TenantMixin, Model):
    """An invitation or reminder e-mail of a campaign queued for a member: a second run of the
    sending skips the members already here (one row per campaign, kind and member)."""

    __tablename__ = "campaign_mailing"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "member_id", name="uq_campaign_mailing"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[MailingKind] = enum_column(MailingKind, nullable=False)
    queued_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    recipients: Mapped[int] = mapped_column(Integer, nullable=False)  # mails queued


class Declaration(TenantMixin, Model):
    """A member's confirmed workforce declaration of a year: the counts invoiced, frozen with the
    employees counted (`DeclarationEmployee`). Reopened by the service with a reason, it stays
    as history and the member confirms again."""

    __tablename__ = "declaration"
    __table_args__ = (
        # One live (not reopened) confirmation per member and year: the last guard of idempotence.
        Index(
            "uq_declaration_live",
            "member_id",
            "year",
            unique=True,
            sqlite_where=text("reopened_at IS NULL"),
            postgresql_where=text("reopened_at IS NULL"),
        ),
        Index("ix_declaration_year", "year", "reopened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # None: confirmed by the service on the member's behalf (after the campaign closed).
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    sir_count: Mapped[int] = mapped_column(Integer, nullable=False)
    sia_count: Mapped[int] = mapped_column(Integer, nullable=False)
    si_count: Mapped[int] = mapped_column(Integer, nullable=False)
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    reopen_reason: Mapped[str | None] = mapped_column(String(500))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)

    member = relationship("Member")
    confirmed_by = relationship("PortalUser", foreign_keys=[confirmed_by_id])
    reopened_by = relationship("PortalUser", foreign_keys=[reopened_by_id])
    invoice = relationship("Invoice", foreign_keys=[invoice_id])

    @property
    def total(self) -> int:
        return self.sir_count + self.sia_count + self.si_count

    def count(self, category: FollowUp) -> int:
        return {
            FollowUp.SIR: self.sir_count,
            FollowUp.SIA: self.sia_count,
            FollowUp.SI: self.si_count,
        }[category]


class DeclarationEmployee(TenantMixin, Model):
    """An employee counted by a confirmed declaration, with the category it was counted in."""

    __tablename__ = "declaration_employee"
    __table_args__ = (
        UniqueConstraint("declaration_id", "employee_id", name="uq_declaration_employee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        ForeignKey("declaration.id", ondelete="CASCADE"), nullable=False
    )
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category: Mapped[FollowUp] = enum_column(FollowUp, nullable=False)


class InvoiceCounter(Model):
    """The last invoice number given in a year: incremented in the transaction that writes the
    invoice (its row lock serialises the numbering), so numbers have no gap."""

    __tablename__ = "invoice_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Invoice(TenantMixin, Model):
    """An invoice or a credit note. The buyer's details are copied at issue: a later change of
    the member's name or address does not change an issued invoice."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_invoice_sequence"),
        Index("ix_invoice_member_issued", "member_id", "issued_on"),
        Index("ix_invoice_due", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[InvoiceKind] = enum_column(InvoiceKind, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)  # of the numbering
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)  # 2026-000123
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    member_number: Mapped[str] = mapped_column(String(10), nullable=False)
    buyer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    buyer_siret: Mapped[str] = mapped_column(String(14), nullable=False)
    buyer_address: Mapped[str | None] = mapped_column(String(250))
    buyer_postal_code: Mapped[str | None] = mapped_column(String(5))
    buyer_city: Mapped[str | None] = mapped_column(String(100))
    total_excl_tax: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    total_vat: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    total: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    # Sum of the payments recorded (kept with each payment, under the invoice's row lock).
    paid_total: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal("0.00"))
    vat_exemption: Mapped[str | None] = mapped_column(String(200))  # printed when VAT is 0
    note: Mapped[str | None] = mapped_column(String(500))  # a hand-made invoice's or note's reason
    credits_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    credited_by_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    # The Factur-X PDF, rendered once (first download) and kept as issued.
    pdf_content_id: Mapped[int | None] = mapped_column(ForeignKey("document_content.id"))

    member = relationship("Member")
    lines = relationship(
        "InvoiceLine", order_by="InvoiceLine.position", cascade="all", back_populates="invoice"
    )
    payments = relationship("Payment", order_by="Payment.paid_on", back_populates="invoice")
    credits = relationship("Invoice", remote_side=[id], foreign_keys=[credits_id])
    credited_by = relationship("Invoice", remote_side=[id], foreign_keys=[credited_by_id])
    campaign = relationship("Campaign")
    created_by = relationship("PortalUser")

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid_total

    def __str__(self) -> str:
        return self.number


class InvoiceLine(TenantMixin, Model):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    vat_rate: Mapped[Decimal] = mapped_column(RATE, nullable=False)  # percent, 0 when exempt
    amount_excl_tax: Mapped[Decimal] = mapped_column(MONEY, nullable=False)

    invoice = relationship("Invoice", back_populates="lines")


class Payment(TenantMixin, Model):
    """A payment received for an invoice (virement or chèque), recorded by the service."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
    )
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    means: Mapped[PaymentMeans] = enum_column(PaymentMeans, nullable=False)
    reference: Mapped[str | None] = mapped_column(String(100))  # cheque number, transfer label
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )

    invoice = relationship("Invoice", back_populates="payments")
    recorded_by = relationship("PortalUser")
