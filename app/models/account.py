"""Account recovery and mail: single-use links (password reset, e-mail change confirmation),
stored as hashes only, expiring, spent by one conditional update (issue 8), and the outbox of
e-mails (bodies kept without their personal links, erased once sent)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models.base import MemberScoped, Model, TenantMixin


class SingleUseTokenMixin:
    """A link's token: the SHA-256 of the secret (the secret itself is only in the mail sent)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    @declared_attr
    def user_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(
            ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True
        )

    @declared_attr
    def user(cls):  # noqa: N805
        return relationship("PortalUser")


class PasswordResetToken(TenantMixin, SingleUseTokenMixin, Model):
    __tablename__ = "password_reset_token"


class EmailChangeToken(MemberScoped, SingleUseTokenMixin, Model):
    """Confirmation of a new e-mail address (staff accounts have no member)."""

    __tablename__ = "email_change_token"

    new_email: Mapped[str] = mapped_column(String(320), nullable=False)


class OutboxMail(Model):
    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    recipient: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(250), nullable=False)
    body: Mapped[str | None] = mapped_column(Text)  # None once sent
    html: Mapped[str | None] = mapped_column(Text)  # the HTML part, if any; None once sent
    # A file sent with the mail (the convocation of a visit scheduled), kept until it is sent.
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_content_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_content.id", ondelete="SET NULL")
    )
    # The notice's one-click unsubscribe link (List-Unsubscribe header), if it is a notice.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(500))
    # Failed sendings (issue 13): the outbox job retries with a growing delay, then gives up
    # (next_attempt_at None, error kept) and staff see it. None also for a mail carrying a
    # personal link: only the request that holds the link sends it, once.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
