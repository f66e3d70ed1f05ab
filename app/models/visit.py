"""Medical visits: the member's requests and their workflow (submitted → scheduled → done or
absent, or cancelled), every state change, and the visits done or missed with their
administrative outcome only (manual, "Demande de visite médicale", tabs "Visites"/"Absences";
domain-rules.md §2 and §4: never medical content on the employer's side)."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.visit_workflow import OPEN, RequestStatus
from app.models.base import Model, TenantMixin, enum_column

ONE_OPEN_PER_EXAM = "uq_visit_request_open_exam"
# Statuses are stored by member name (enum_column): the partial index's predicate uses names.
_IS_OPEN = "status IN ({})".format(", ".join(sorted(f"'{status.name}'" for status in OPEN)))


class Conclusion(enum.Enum):
    ATTESTATION = "attestation"  # attestation de suivi (VIP)
    FIT = "fit"  # apte
    FIT_WITH_ADJUSTMENTS = "fit_with_adjustments"  # apte avec aménagements
    UNFIT = "unfit"  # inapte
    NO_CONTRAINDICATION = "no_contraindication"  # attestation de non contre-indication


class VisitOutcome(enum.Enum):
    SEEN = "seen"
    ABSENT = "absent"  # convened, did not come


class VisitRequest(TenantMixin, Model):
    __tablename__ = "visit_request"
    __table_args__ = (
        Index("ix_visit_request_queue", "status", "requested_at"),
        # A member's appointments in progress by date (the planning report, issue 13).
        Index("ix_visit_request_member_status", "member_id", "status", "scheduled_at", "id"),
        # Each employee's first appointment in progress, for one member (the workforce report's
        # appointment column and sort, the overdue counts).
        Index(
            "ix_visit_request_member_employee", "member_id", "status", "employee_id", "scheduled_at"
        ),
        # One request in progress per employee and exam type (issue 9, "Duplicate requests"):
        # two identical forms posted at once cannot both pass, on SQLite as on PostgreSQL.
        Index(
            ONE_OPEN_PER_EXAM,
            "employee_id",
            "exam_type_id",
            unique=True,
            sqlite_where=text(_IS_OPEN),
            postgresql_where=text(_IS_OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), nullable=False, index=True
    )
    exam_type_id: Mapped[int] = mapped_column(ForeignKey("exam_type.id"), nullable=False)
    motive: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    # The attached file's bytes, in the database like the documents' (issue 10).
    attachment_content_id: Mapped[int | None] = mapped_column(ForeignKey("document_content.id"))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[RequestStatus] = enum_column(RequestStatus, nullable=False, index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    health_team_id: Mapped[int | None] = mapped_column(ForeignKey("health_team.id"), index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"))
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("health_professional.id"))

    member = relationship("Member")
    employee = relationship("Employee")
    exam_type = relationship("ExamType", lazy="joined")
    requested_by = relationship("PortalUser")
    health_team = relationship("HealthTeam")
    centre = relationship("Centre")
    professional = relationship("HealthProfessional")
    attachment_content = relationship("DocumentContent")
    events = relationship(
        "VisitEvent",
        cascade="all, delete-orphan",
        order_by="VisitEvent.at",
        back_populates="request",
    )

    def __str__(self) -> str:
        return f"{self.exam_type.label if self.exam_type else ''} #{self.id}"


class VisitEvent(TenantMixin, Model):
    """Every state change of a request: who, when, from, to."""

    __tablename__ = "visit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("visit_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    from_status: Mapped[RequestStatus | None] = enum_column(RequestStatus)
    to_status: Mapped[RequestStatus] = enum_column(RequestStatus, nullable=False)
    note: Mapped[str | None] = mapped_column(String(250))

    request = relationship("VisitRequest", back_populates="events")
    actor = relationship("PortalUser")


class Visit(TenantMixin, Model):
    """A visit that took place (seen) or a convocation not honoured (absent), with the
    administrative outcome the employer may know: type, date, conclusion, recommendations."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_employee_on", "employee_id", "visit_on"),
        # A member's visits seen or absent by date (the planning and conclusions reports).
        Index("ix_visit_member_outcome", "member_id", "outcome", "visit_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), nullable=False
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_request.id", ondelete="SET NULL")
    )
    exam_type_id: Mapped[int] = mapped_column(ForeignKey("exam_type.id"), nullable=False)
    visit_on: Mapped[date] = mapped_column(Date, nullable=False)
    outcome: Mapped[VisitOutcome] = enum_column(VisitOutcome, nullable=False)
    conclusion: Mapped[Conclusion | None] = enum_column(Conclusion)
    recommendations: Mapped[str | None] = mapped_column(Text)
    next_due_on: Mapped[date | None] = mapped_column(Date)  # set by the professional, if any
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("health_professional.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )

    employee = relationship("Employee")
    exam_type = relationship("ExamType", lazy="joined")
    professional = relationship("HealthProfessional")
