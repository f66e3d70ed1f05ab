"""Provisional credentials of a member's first connection (manual, "Première connexion").

The identifier is the member number; the password is kept hashed only. Issuing a new one revokes
the previous ones; activation (next issue) marks it used.
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, TenantMixin


class ProvisionalCredential(TenantMixin, Model):
    __tablename__ = "provisional_credential"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    member = relationship("Member")
    issued_by = relationship("PortalUser", foreign_keys=[issued_by_id])

    @hybrid_property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None

    @is_usable.inplace.expression
    @classmethod
    def _is_usable_expression(cls):
        return and_(cls.used_at.is_(None), cls.revoked_at.is_(None))
