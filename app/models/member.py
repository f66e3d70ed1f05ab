"""The member (adhérent) aggregate: the company, its establishments and its contacts."""

import enum
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, TenantMixin, enum_column


class MemberStatus(enum.Enum):
    ACTIVE = "active"
    RESIGNED = "resigned"


class Member(Model):
    """A member company of the service. Its own row is its tenant: member users see only theirs."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(10), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    siret: Mapped[str] = mapped_column(String(14), nullable=False, index=True)
    naf_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    is_temp_agency: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    joined_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[MemberStatus] = enum_column(
        MemberStatus, nullable=False, default=MemberStatus.ACTIVE, index=True
    )
    resigned_on: Mapped[date | None] = mapped_column(Date)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"), index=True)
    health_team_id: Mapped[int | None] = mapped_column(ForeignKey("health_team.id"), index=True)

    centre = relationship("Centre")
    health_team = relationship("HealthTeam")
    establishments = relationship(
        "Establishment", back_populates="member", cascade="all, delete-orphan"
    )
    contacts = relationship("Contact", back_populates="member", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"


class Establishment(TenantMixin, Model):
    """An establishment (établissement) of a member, identified by its SIRET."""

    __tablename__ = "establishment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    siret: Mapped[str] = mapped_column(String(14), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(100))
    is_head_office: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    member = relationship("Member", back_populates="establishments")

    def __str__(self) -> str:
        return f"{self.name} ({self.siret})"


class Contact(TenantMixin, Model):
    """A person to contact in the member company (manager, HR, accounting...)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    first_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))

    member = relationship("Member", back_populates="contacts")

    def __str__(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)
