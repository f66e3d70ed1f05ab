"""Background jobs (issue 13): work that touches many members or employees runs outside the web
request, in a worker of the job queue (RQ on Redis) or, without Redis, in the process once the
response is out. Each job is a row here, which staff follow in the back-office: queued, running
(with its progress), done (with its outcome) or failed (with the error)."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, enum_column


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Model):
    __tablename__ = "background_job"
    __table_args__ = (Index("ix_background_job_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    # The task's arguments (JSON): ids and dates, never personal data.
    params: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    status: Mapped[JobStatus] = enum_column(JobStatus, nullable=False, default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    # What it did, in the staff's words ("1 250 salariés changent de catégorie").
    outcome: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    run_after: Mapped[datetime | None] = mapped_column(DateTime)  # a retry planned for later
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Moves with the progress: a running job whose heartbeat is old lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
