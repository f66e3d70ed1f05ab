"""Employees in bulk (issue 14): an import of a spreadsheet or a DSN file, checked first (a dry
run whose report is kept row by row), then applied by the member's "Importer". Both steps run as
background jobs (app/tasks.py), so the user may close the tab; the page follows the job.

The file itself is kept only until it is checked: the rows hold what the report, the apply and
the file of rows in error need (the original cells, the parsed values), nothing more."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Model, TenantMixin, enum_column


class ImportSource(enum.Enum):
    XLSX = "xlsx"
    CSV = "csv"
    DSN = "dsn"


class ImportStatus(enum.Enum):
    CHECKING = "checking"  # the dry run is queued or running
    REFUSED = "refused"  # the file could not be read (`message` says why); nothing saved
    CHECKED = "checked"  # the report is ready: waiting for "Importer"
    APPLYING = "applying"  # the valid rows are being written
    APPLIED = "applied"


class RowAction(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    RETURN = "return"  # an employee who had left comes back: a new period from the row's hiring
    UNCHANGED = "unchanged"
    ERROR = "error"


class EmployeeImport(TenantMixin, Model):
    __tablename__ = "employee_import"
    __table_args__ = (Index("ix_employee_import_member_created", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[ImportSource] = enum_column(ImportSource, nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # until checked
    status: Mapped[ImportStatus] = enum_column(
        ImportStatus, nullable=False, default=ImportStatus.CHECKING
    )
    message: Mapped[str | None] = mapped_column(Text)  # why the file was refused (French)
    headers: Mapped[list | None] = mapped_column(JSON)  # the file's headers, for the error file
    # What the report tells beside the rows: unknown columns, establishments of a DSN that the
    # member does not have, DSN blocks not read, unreadable lines (French sentences).
    notices: Mapped[list | None] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    to_create: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    to_update: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    in_error: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    applied: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # refused at apply
    check_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("background_job.id", ondelete="SET NULL")
    )
    apply_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("background_job.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by = relationship("PortalUser", foreign_keys=[created_by_id])
    applied_by = relationship("PortalUser", foreign_keys=[applied_by_id])

    def __str__(self) -> str:
        return self.file_name


class EmployeeImportRow(TenantMixin, Model):
    """One row of the file, as checked: what it will do (or why not), and the values to write."""

    __tablename__ = "employee_import_row"
    __table_args__ = (Index("ix_employee_import_row_action", "import_id", "action", "line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("employee_import.id", ondelete="CASCADE"), nullable=False
    )
    line: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[RowAction] = enum_column(RowAction, nullable=False)
    name: Mapped[str | None] = mapped_column(String(250))  # "MARTIN Julie", for the report
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))
    category: Mapped[str | None] = mapped_column(String(10))  # of a new employee (or updated)
    values: Mapped[dict | None] = mapped_column(JSON)  # parsed, JSON-able (dates as ISO)
    cells: Mapped[list | None] = mapped_column(JSON)  # the original cells, as text
    errors: Mapped[list | None] = mapped_column(JSON)  # [[field key, message code, params]]
    notes: Mapped[list | None] = mapped_column(JSON)  # [[field key, note code, params]]
    applied: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    employee = relationship("Employee")
