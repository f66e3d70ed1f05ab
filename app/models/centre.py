"""The service's organisation: centres (sites by sector) and health teams with their members."""

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.professions import ProfessionalRole
from app.models.base import Model, enum_column

__all__ = ["Centre", "HealthProfessional", "HealthTeam", "ProfessionalRole"]


class Centre(Model):
    """One of the service's sites (16 fixed sites and the mobile centre): centres.csv."""

    __tablename__ = "centre"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    sector: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(250))

    teams = relationship("HealthTeam", back_populates="centre")

    def __str__(self) -> str:
        return self.name


class HealthTeam(Model):
    """A health team (équipe santé travail) attached to a centre; members are assigned one."""

    __tablename__ = "health_team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), nullable=False, index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))

    centre = relationship("Centre", back_populates="teams")
    professionals = relationship(
        "HealthProfessional", back_populates="team", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class HealthProfessional(Model):
    __tablename__ = "health_professional"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("health_team.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[ProfessionalRole] = enum_column(ProfessionalRole, nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))

    team = relationship("HealthTeam", back_populates="professionals")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
