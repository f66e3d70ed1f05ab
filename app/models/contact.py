"""Contactez-nous (manual, "Contactez-nous"; issue 12): the types of request (reference data
staff edit, each routed to an address and to the back-office queue), the messages a member's
users send, and the answers of both sides. A message keeps who wrote it, for which member, its
status (nouveau, en cours, traité) and the staff member it is assigned to."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, TenantMixin, enum_column


class ContactKind(enum.Enum):
    """What the form of a type asks for besides subject and text."""

    GENERAL = "general"
    VISIT = "visit"  # not a message: leads to the visit request of an employee
    INVOICE = "invoice"  # names one of the member's invoices


class MessageStatus(enum.Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ContactType(Model):
    __tablename__ = "contact_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    label: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[ContactKind] = enum_column(ContactKind, nullable=False)
    # The service's address the type's messages are announced to (none: SERVICE_EMAIL).
    address: Mapped[str | None] = mapped_column(String(320))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.label


class ContactMessage(TenantMixin, Model):
    __tablename__ = "contact_message"
    __table_args__ = (Index("ix_contact_message_queue", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("contact_type.id"), nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(150), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id", ondelete="SET NULL"))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_content_id: Mapped[int | None] = mapped_column(ForeignKey("document_content.id"))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[MessageStatus] = enum_column(MessageStatus, nullable=False)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    member = relationship("Member")
    type = relationship("ContactType", lazy="joined")
    author = relationship("PortalUser", foreign_keys=[author_id])
    assignee = relationship("PortalUser", foreign_keys=[assignee_id])
    invoice = relationship("Invoice")
    attachment_content = relationship("DocumentContent")
    replies = relationship(
        "ContactReply",
        cascade="all, delete-orphan",
        order_by="ContactReply.created_at, ContactReply.id",
        back_populates="message",
    )

    def __str__(self) -> str:
        return f"#{self.id} {self.subject}"


class ContactReply(TenantMixin, Model):
    """One answer in a message's thread: from the service (staff) or from the member's user."""

    __tablename__ = "contact_reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("contact_message.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    from_service: Mapped[bool] = mapped_column(Boolean, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    message = relationship("ContactMessage", back_populates="replies")
    author = relationship("PortalUser")
