"""What tenant-owned models share: the owning member's id (tenancy: fab-and-security.md)."""

import enum

from flask_appbuilder import Model
from sqlalchemy import Enum, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

__all__ = ["MemberScoped", "Model", "TenantMixin", "enum_column"]


class MemberScoped:
    """A model whose rows may belong to a member (`member_id`, null for the service's own rows
    such as staff accounts or audit entries of staff work). The tenancy guard filters every ORM
    query of a member user on it; tests/test_tenancy_matrix.py fails on a model with a
    `member_id` that does not carry it."""

    @declared_attr
    def member_id(cls) -> Mapped[int | None]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(
            Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=True, index=True
        )


class TenantMixin(MemberScoped):
    """A row that belongs to one member. The tenancy guard filters every ORM select on
    `member_id` for member users, and refuses to flush a row of another member."""

    @declared_attr
    def member_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(
            Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False, index=True
        )


def enum_column(enum_class: type[enum.Enum], **kwargs):
    """An enum stored by member name in a VARCHAR (portable across SQLite and PostgreSQL; FAB's
    EnumField works with names)."""
    return mapped_column(
        Enum(enum_class, native_enum=False, length=20, validate_strings=True), **kwargs
    )
