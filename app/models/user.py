"""The portal user: FAB's user extended with the member it belongs to (none for staff), its phone,
the portal-contact flag, the must-change-password flag and the login lock."""

import secrets
from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class PortalUser(User):
    __tablename__ = "ab_user"

    member_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=True, index=True
    )
    phone: Mapped[str | None] = mapped_column(String(20))
    is_portal_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of the session's user id: changing it (password reset or change, logout) ends every
    # session opened before, even a copied session cookie.
    session_stamp: Mapped[str] = mapped_column(
        String(32), nullable=False, default=lambda: secrets.token_hex(16)
    )

    member = relationship("Member", foreign_keys=[member_id])

    @property
    def is_staff(self) -> bool:
        return self.member_id is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_stamp}"

    def rotate_session_stamp(self) -> None:
        self.session_stamp = secrets.token_hex(16)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.username})"
