"""The portal user: FAB's user extended with the member it belongs to (none for staff), its phone,
the portal-contact flag, the must-change-password flag, the login lock and an e-mail address
waiting for confirmation.

The identifier (`username`) is unique; the e-mail address is not: one accountant may serve several
companies (issue 8). FAB declares `ab_user.email` unique, so its unique constraint is taken out of
the shared table here, the one place that shapes FAB's table (the migration drops it too).
"""

import secrets
from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import MemberScoped


class PortalUser(MemberScoped, User):
    __tablename__ = "ab_user"

    member_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=True, index=True
    )
    phone: Mapped[str | None] = mapped_column(String(20))
    is_portal_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # A new address given in the profile, used only once confirmed by the link sent to it.
    pending_email: Mapped[str | None] = mapped_column(String(320))
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


def _email_not_unique(table) -> None:
    table.c.email.unique = False
    for constraint in [c for c in table.constraints if isinstance(c, UniqueConstraint)]:
        if [column.name for column in constraint.columns] == ["email"]:
            table.constraints.discard(constraint)


_email_not_unique(PortalUser.__table__)
