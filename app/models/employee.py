"""The employee (salarié) aggregate: the employee's record, the member's work posts, the declared
risks and the history of their changes (manual, chapters 4 to 7; domain-rules.md §1-3)."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.follow_up import FollowUp
from app.models.base import Model, TenantMixin, enum_column


class Sex(enum.Enum):
    M = "M"
    F = "F"


class Language(enum.Enum):
    FR = "fr"
    EN = "en"
    DE = "de"
    ES = "es"
    IT = "it"
    PT = "pt"
    AR = "ar"
    TR = "tr"
    OTHER = "other"


class Contract(enum.Enum):
    CDI = "cdi"  # contrat à durée indéterminée
    CDD = "cdd"  # contrat à durée déterminée
    APPRENTICESHIP = "apprenticeship"  # contrat d'apprentissage
    PROFESSIONALISATION = "professionalisation"
    TEMPORARY = "temporary"  # contrat de mission (intérim)
    SEASONAL = "seasonal"
    OTHER = "other"


class WorkPost(TenantMixin, Model):
    """A work post (poste de travail) declared by a member, with its PCS-ESE code."""

    __tablename__ = "work_post"
    __table_args__ = (
        UniqueConstraint("member_id", "designation", name="uq_work_post_designation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pcs_code_id: Mapped[int] = mapped_column(ForeignKey("pcs_code.id"), nullable=False)
    designation: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)

    pcs_code = relationship("PcsCode")

    def __str__(self) -> str:
        return self.designation


# Sorted columns of the workforce list with an index of their own (app/services/employee_list).
LIST_SORT_COLUMNS = (
    "first_name", "birth_name", "birth_date", "hired_on", "post_entry_on", "work_post_id",
    "establishment_id",
)  # fmt: skip


class Employee(TenantMixin, Model):
    __tablename__ = "employee"
    __table_args__ = (
        UniqueConstraint("member_id", "nir", name="uq_employee_member_nir"),
        # The list's default order, covering the workforce filter: a deep page walks the index.
        Index(
            "ix_employee_member_name",
            "member_id",
            "last_name",
            "first_name",
            "id",
            "contract_end_on",
        ),
        Index("ix_employee_member_end", "member_id", "contract_end_on"),
        # The reports' sorts and the home's counts (issue 13): the column, then the name order,
        # covering the workforce filter, so a deep page or a count walks the index alone.
        Index(
            "ix_employee_member_due",
            "member_id",
            "next_due_on",
            "last_name",
            "first_name",
            "id",
            "contract_end_on",
        ),
        Index(
            "ix_employee_member_category",
            "member_id",
            "category",
            "last_name",
            "first_name",
            "id",
            "contract_end_on",
        ),
        Index(
            "ix_employee_member_exam",
            "member_id",
            "last_exam_on",
            "last_name",
            "first_name",
            "id",
            "contract_end_on",
        ),
        # The list's other sorts (issue 13): the column, then the name order (the list's
        # tiebreak, as the reports'), covering the workforce filter, so that a deep page walks
        # the index alone. The post's and the establishment's serve their filter in name order.
        *(
            Index(
                f"ix_employee_member_{column}",
                "member_id",
                column,
                *(key for key in ("last_name", "first_name") if key != column),
                "id",
                "contract_end_on",
            )
            for column in LIST_SORT_COLUMNS
        ),
        # The back-office list of every member's employees, by name (issue 13).
        Index("ix_employee_name", "last_name", "id"),  # FAB orders by the column, then the key
        # The few employees whose category changed with the catalogue (the list's notice).
        Index(
            "ix_employee_member_changed",
            "member_id",
            "contract_end_on",
            sqlite_where=text("category_changed_on IS NOT NULL"),
            postgresql_where=text("category_changed_on IS NOT NULL"),
        ),
        # Employees come in from a DSN without their risks (issue 14): the list's notice.
        Index(
            "ix_employee_member_risks_to_declare",
            "member_id",
            "contract_end_on",
            sqlite_where=text("risks_to_declare"),
            postgresql_where=text("risks_to_declare"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    birth_name: Mapped[str | None] = mapped_column(String(100))
    nir: Mapped[str | None] = mapped_column(String(15))
    ntt: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[Language] = enum_column(Language, nullable=False, default=Language.FR)
    sex: Mapped[Sex] = enum_column(Sex, nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    address: Mapped[str | None] = mapped_column(String(250))
    country: Mapped[str | None] = mapped_column(String(60))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    work_post_id: Mapped[int] = mapped_column(
        ForeignKey("work_post.id"), nullable=False, index=True
    )
    complementary_info: Mapped[str | None] = mapped_column(String(250))
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("establishment.id"), nullable=False, index=True
    )
    hired_on: Mapped[date] = mapped_column(Date, nullable=False)
    contract: Mapped[Contract] = enum_column(Contract, nullable=False)
    post_entry_on: Mapped[date] = mapped_column(Date, nullable=False)
    contract_end_on: Mapped[date | None] = mapped_column(Date)
    # Follow-up category computed from the declared risks in force on `category_on`.
    category: Mapped[FollowUp] = enum_column(FollowUp, nullable=False, default=FollowUp.SI)
    category_on: Mapped[date] = mapped_column(Date, nullable=False)
    previous_category: Mapped[FollowUp | None] = enum_column(FollowUp)
    category_changed_on: Mapped[date | None] = mapped_column(Date)
    last_exam_on: Mapped[date | None] = mapped_column(Date)
    # Next periodic visit due (domain.due_dates), kept up to date by services.due_dates.
    next_due_on: Mapped[date | None] = mapped_column(Date)
    next_due_reason: Mapped[str | None] = mapped_column(String(30))
    # Created by a DSN import, which carries no risks: set until the risks are saved once.
    risks_to_declare: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    member = relationship("Member")
    work_post = relationship("WorkPost", lazy="joined")
    establishment = relationship("Establishment", lazy="joined")
    risks = relationship("EmployeeRisk", cascade="all, delete-orphan", back_populates="employee")
    risk_changes = relationship(
        "RiskDeclarationChange",
        cascade="all, delete-orphan",
        order_by="RiskDeclarationChange.at.desc()",
        back_populates="employee",
    )

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"


class EmployeeRisk(TenantMixin, Model):
    """A risk declared by the employer for an employee."""

    __tablename__ = "employee_risk"
    __table_args__ = (
        UniqueConstraint("employee_id", "risk_id", name="uq_employee_risk"),
        Index("ix_employee_risk_member", "member_id", "risk_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True
    )
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id"), nullable=False)

    employee = relationship("Employee", back_populates="risks")
    risk = relationship("Risk")


class RiskDeclarationChange(TenantMixin, Model):
    """Every change of an employee's declared risks: who, when, before, after (risk codes)."""

    __tablename__ = "risk_declaration_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    before: Mapped[list] = mapped_column(JSON, nullable=False)
    after: Mapped[list] = mapped_column(JSON, nullable=False)
    # Made by an import of a file (issue 14): the history says "import du … par …".
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee_import.id", ondelete="SET NULL")
    )

    employee = relationship("Employee", back_populates="risk_changes")
    actor = relationship("PortalUser")
