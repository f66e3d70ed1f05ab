"""Declarable risks and their follow-up category per period (risks.csv, risk_categories.csv).

Rules: shared/spec/domain-rules.md §1. The categories are data with validity dates, never code.
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.follow_up import FollowUp
from app.models.base import Model, enum_column


class Risk(Model):
    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    label: Mapped[str] = mapped_column(String(400), nullable=False)
    declarable_from: Mapped[date | None] = mapped_column(Date)
    declarable_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    categories = relationship(
        "RiskCategory",
        back_populates="risk",
        cascade="all, delete-orphan",
        order_by="RiskCategory.valid_from",
    )

    def __str__(self) -> str:
        return self.label


class RiskCategory(Model):
    """The category of a risk from valid_from to valid_until (inclusive, open when empty)."""

    __tablename__ = "risk_category"
    __table_args__ = (UniqueConstraint("risk_id", "valid_from", name="uq_risk_category_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(
        ForeignKey("risk.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category: Mapped[FollowUp] = enum_column(FollowUp, nullable=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)

    risk = relationship("Risk", back_populates="categories")

    def __str__(self) -> str:
        return f"{self.risk.code if self.risk else ''} {self.category.value}"
