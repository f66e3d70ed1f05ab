"""Documents exchanged between a member and the service (issue 10; manual, "Documents" and
"Déposer votre DUERP"; domain-rules.md §4), and the member's answers to the DUERP question.

A document is immutable once stored: a new DUERP is a new row (a new version), the earlier ones
stay. Its bytes live in the database (`DocumentContent`): several application servers then share
them, the database backup includes them, and a rolled-back transaction leaves no file behind.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Model, TenantMixin, enum_column

DUERP_CLASS = "AMT"  # "AMT - Rapport Document Unique" in document_classes.csv
_SENT = "direction = 'TO_MEMBER'"  # stored by name (enum_column)


class DocumentDirection(enum.Enum):
    """Who sent it; the reference data's class `direction` says which a class allows."""

    TO_SERVICE = "member_to_service"  # deposited by the member
    TO_MEMBER = "service_to_member"  # sent by the service


class DocumentContent(Model):
    """The bytes of a stored file. No member_id on purpose: the service sends one content to a
    list of members (one `Document` each); it is only ever read through a `Document` whose
    ownership was checked (`app.services.documents`)."""

    __tablename__ = "document_content"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class Document(TenantMixin, Model):
    __tablename__ = "document"
    __table_args__ = (
        # The member's lists (its own documents, or one employee's), newest first.
        Index("ix_document_member_list", "member_id", "employee_id", "sent_at"),
        # The service's inbox: what members sent, not yet acknowledged first.
        Index("ix_document_inbox", "direction", "acknowledged_at", "sent_at"),
        # A file the service sends reaches each member once, however many runs of its
        # background job (app.services.document_sending); also the job's "who holds it".
        Index(
            "uq_document_sent_once",
            "content_id",
            "member_id",
            unique=True,
            sqlite_where=text(_SENT),
            postgresql_where=text(_SENT),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[DocumentDirection] = enum_column(DocumentDirection, nullable=False)
    class_id: Mapped[int] = mapped_column(ForeignKey("document_class.id"), nullable=False)
    subclass_id: Mapped[int | None] = mapped_column(ForeignKey("document_subclass.id"))
    number: Mapped[str | None] = mapped_column(String(50))  # "Numéro de document"
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)  # shown, never a path
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content_id: Mapped[int] = mapped_column(
        ForeignKey("document_content.id"), nullable=False, index=True
    )
    sent_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    # A member's document: the service acknowledged it ("reçu par le service le …").
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    # The service's document: first downloaded by a user of the member ("nouveau" until then).
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    member = relationship("Member")
    employee = relationship("Employee")
    document_class = relationship("DocumentClass", lazy="joined")
    subclass = relationship("DocumentSubclass", lazy="joined")
    content = relationship("DocumentContent")
    sent_by = relationship("PortalUser", foreign_keys=[sent_by_id])
    acknowledged_by = relationship("PortalUser", foreign_keys=[acknowledged_by_id])
    read_by = relationship("PortalUser", foreign_keys=[read_by_id])

    def __str__(self) -> str:
        return self.description


class DuerpAnswer(TenantMixin, Model):
    """One answer to the DUERP question at login (who, when, what). `has_duerp` None is
    "Plus tard": asked again at the next login."""

    __tablename__ = "duerp_answer"
    __table_args__ = (Index("ix_duerp_answer_member_at", "member_id", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    has_duerp: Mapped[bool | None] = mapped_column(Boolean)
    updated_on: Mapped[date | None] = mapped_column(Date)  # "Date de dernière mise à jour"
    has_action_plan: Mapped[bool | None] = mapped_column(Boolean)

    member = relationship("Member")
    user = relationship("PortalUser")
