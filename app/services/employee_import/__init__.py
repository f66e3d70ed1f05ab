"""Employees in bulk (issue 14): import a spreadsheet (xlsx, CSV) or a monthly DSN file.

Two steps, each a background job (app/tasks.py) that the page follows:
- `check` (the dry run, `checking`) reads the file as a stream, checks every row by the rules of
  the form (`employees.check_input`: dates, NIR or NTT, risks that may be declared) and the
  references of this member (establishment by SIRET, work post and PCS code, risk codes; `rows`),
  matches the workforce by NIR or NTT, and keeps the outcome row by row: to create, to update,
  back after a departure, unchanged, or in error with the column and the reason. Nothing of the
  workforce is written.
- `apply` ("Importer", `writing`) writes the valid rows through `employees.save_employee`, the
  form's own use case (category, risk history marked with the import, due date, exit of a
  contract that ended), by batches committed one at a time: never half a row, and a relaunch
  after a failure goes on from the first row not written.

A row's values are merged at apply with the employee as it is then: a column absent from the
file keeps what the employee has (a DSN carries no risks, for instance).
"""

from flask import current_app

from app import clock
from app.extensions import db
from app.models.employee_import import EmployeeImport, ImportSource, ImportStatus
from app.models.member import Member
from app.services import ServiceError, jobs
from app.services.employee_import.checking import CHECK_KIND, RefusedFileError, check
from app.services.employee_import.writing import APPLY_KIND, apply, start_apply


def max_rows() -> int:
    return current_app.config["IMPORT_MAX_ROWS"]


def max_megabytes() -> int:
    return current_app.config["IMPORT_MAX_BYTES"] // 2**20


def source_of(file_name: str, data: bytes) -> ImportSource:
    """The format, from the content first (a DSN starts with its S10 block), then the name."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \r\n")
    if head.startswith(b"S10.G00."):
        return ImportSource.DSN
    if data[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return ImportSource.XLSX
    if file_name.lower().endswith((".dsn", ".edi")):
        return ImportSource.DSN
    return ImportSource.CSV


def create(member: Member, file_name: str, data: bytes, actor) -> EmployeeImport:
    """Record an uploaded file and start its dry run (after the caller's commit)."""
    if not data:
        raise ServiceError("import_empty_file")
    if len(data) > current_app.config["IMPORT_MAX_BYTES"]:
        raise ServiceError("import_too_big", megabytes=max_megabytes())
    found = EmployeeImport(
        member_id=member.id,
        source=source_of(file_name, data),
        file_name=(file_name or "fichier")[-255:],
        data=data,
        status=ImportStatus.CHECKING,
        created_by_id=getattr(actor, "id", None),
        created_at=clock.now(),
    )
    db.session.add(found)
    db.session.flush()
    jobs.start(CHECK_KIND, getattr(actor, "id", None), import_id=found.id)
    return found


__all__ = [
    "APPLY_KIND", "CHECK_KIND", "RefusedFileError", "apply", "check", "create", "max_megabytes",
    "max_rows", "source_of", "start_apply",
]  # fmt: skip
