"""E-mail notifications (issue 12): each user's choices per kind of notice (no row: the default
of app.domain.notifications), and the record of the reminders sent to many members (campaign,
DUERP, NCI) so that a second run of the command sends nothing twice."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.notifications import Notice
from app.models.base import MemberScoped, Model, TenantMixin, enum_column


class NotificationPreference(MemberScoped, Model):
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "notice", name="uq_notification_preference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    notice: Mapped[Notice] = enum_column(Notice, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)


class NotificationSent(TenantMixin, Model):
    """A reminder sent to a member: `key` names what it was about (the year of a DUERP reminder,
    the visit of an expiring NCI), unique per member and notice."""

    __tablename__ = "notification_sent"
    __table_args__ = (UniqueConstraint("member_id", "notice", "key", name="uq_notification_sent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice: Mapped[Notice] = enum_column(Notice, nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    mails: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
