"""Reference lists loaded from app/data/reference (provenance in its SOURCES.md): exam types,
document classes, the PCS-ESE 2017 nomenclature and La Poste's postal codes."""

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model


class ExamType(Model):
    __tablename__ = "exam_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    performed_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return self.label


class DocumentClass(Model):
    __tablename__ = "document_class"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    # member_to_service, service_to_member or both
    direction: Mapped[str] = mapped_column(String(20), nullable=False)

    subclasses = relationship(
        "DocumentSubclass", back_populates="document_class", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.label


class DocumentSubclass(Model):
    __tablename__ = "document_subclass"
    __table_args__ = (UniqueConstraint("class_id", "label", name="uq_document_subclass_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("document_class.id", ondelete="CASCADE"), nullable=False, index=True
    )
    label: Mapped[str] = mapped_column(String(200), nullable=False)

    document_class = relationship("DocumentClass", back_populates="subclasses")

    def __str__(self) -> str:
        return self.label


class PcsCode(Model):
    """PCS-ESE 2017 (INSEE) profession codes: 3 digits and a lowercase letter."""

    __tablename__ = "pcs_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True, nullable=False)
    label: Mapped[str] = mapped_column(String(250), nullable=False)
    cs_code: Mapped[str] = mapped_column(String(2), nullable=False)
    cs_label: Mapped[str] = mapped_column(String(250), nullable=False)
    gs_code: Mapped[str] = mapped_column(String(1), nullable=False)
    gs_label: Mapped[str] = mapped_column(String(250), nullable=False)

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class PostalCode(Model):
    """La Poste's Base officielle des codes postaux (one row per commune and postal code)."""

    __tablename__ = "postal_code"
    __table_args__ = (
        UniqueConstraint(
            "insee_code", "postal_code", "commune", "delivery_label", name="uq_postal_code_row"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    insee_code: Mapped[str] = mapped_column(String(5), nullable=False)
    commune: Mapped[str] = mapped_column(String(100), nullable=False)
    postal_code: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    delivery_label: Mapped[str] = mapped_column(String(100), nullable=False)

    def __str__(self) -> str:
        return f"{self.postal_code} {self.commune}"
