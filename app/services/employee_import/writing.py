"""«Importer» (app.services.employee_import): the checked rows written through the employee
form's use case by batches, resumable, each row once."""

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.domain import nir
from app.extensions import db
from app.models.employee import Employee, WorkPost
from app.models.employee_import import EmployeeImport, EmployeeImportRow, ImportStatus, RowAction
from app.models.member import Member
from app.services import ServiceError, audit, employees, jobs
from app.services.employee_import.rows import COMPARED, FIELD_OF, merge

APPLY_KIND = "employee_import_apply"
BATCH = 500  # rows written per transaction
IMPORTED = "employees_imported"  # audit action
WRITTEN = (RowAction.CREATE, RowAction.UPDATE, RowAction.RETURN)


def start_apply(found: EmployeeImport, actor) -> None:
    """The user's "Importer": only a checked import, once (a second click finds it applying)."""
    if found.status is not ImportStatus.CHECKED:
        raise ServiceError("import_not_ready")
    if found.to_create + found.to_update == 0:
        raise ServiceError("import_nothing_to_apply")
    changed = db.session.execute(
        update(EmployeeImport)
        .where(EmployeeImport.id == found.id, EmployeeImport.status == ImportStatus.CHECKED)
        .values(status=ImportStatus.APPLYING, applied_by_id=getattr(actor, "id", None))
    ).rowcount
    if changed != 1:
        raise ServiceError("import_not_ready")
    jobs.start(APPLY_KIND, getattr(actor, "id", None), import_id=found.id)


def apply(import_id: int, progress) -> str:
    """Write the valid rows (the job's task), by batches; resumable, each row once."""
    found = db.session.get(EmployeeImport, import_id)
    if found is None or found.status is not ImportStatus.APPLYING:
        return "rien à importer"
    found.apply_job_id = getattr(progress, "job_id", None)
    db.session.commit()
    member = db.session.get(Member, found.member_id)
    actor = found.applied_by
    total = found.to_create + found.to_update
    batch = employees.Batch.load(import_id, member.id)
    posts: dict[str, int] = {}
    while rows := _next_rows(import_id):
        try:
            _write(member, rows, actor, batch, posts, one_by_one=False)
        except (ServiceError, IntegrityError):  # a row's race: find it, row by row
            db.session.rollback()
            posts.clear()
            batch.saved = []
            _write(member, _next_rows(import_id), actor, batch, posts, one_by_one=True)
        _count(found)
        db.session.commit()
        progress(found.applied + found.failed, total)
    found = db.session.get(EmployeeImport, import_id)
    _count(found)
    found.status, found.applied_at = ImportStatus.APPLIED, clock.now()
    audit.record(
        IMPORTED,
        actor=actor,
        member=member,
        target=found.file_name,
        import_id=found.id,
        written=found.applied,
        refused=found.failed,
    )
    db.session.commit()
    return f"{found.applied} salarié(s) importé(s), {found.failed} ligne(s) refusée(s)"


def _next_rows(import_id: int) -> list[EmployeeImportRow]:
    return list(
        db.session.scalars(
            select(EmployeeImportRow)
            .where(
                EmployeeImportRow.import_id == import_id,
                EmployeeImportRow.action.in_(WRITTEN),
                EmployeeImportRow.applied.is_(False),
            )
            .order_by(EmployeeImportRow.line)
            .limit(BATCH)
        )
    )


def _count(found: EmployeeImport) -> None:
    rows = EmployeeImportRow
    found.applied = db.session.scalar(
        select(func.count()).where(
            rows.import_id == found.id, rows.applied.is_(True), rows.action.in_(WRITTEN)
        )
    )
    found.failed = db.session.scalar(
        select(func.count()).where(
            rows.import_id == found.id, rows.applied.is_(True), rows.action == RowAction.ERROR
        )
    )


def _write(member, rows, actor, batch, posts: dict, one_by_one: bool) -> None:
    """A batch of rows: checked and added one by one, then written together (`batch.finish`);
    `one_by_one`, each row is written in a savepoint of its own instead, so that the row a
    concurrent change broke is refused alone."""
    known = _employees_of(member, rows)
    for row in rows:
        if not one_by_one:
            _apply_row(member, row, known, actor, batch, posts)
            continue
        savepoint = db.session.begin_nested()
        try:
            _apply_row(member, row, known, actor, batch, posts)
            batch.finish()
            savepoint.commit()
        except (ServiceError, IntegrityError) as error:
            savepoint.rollback()
            batch.saved = []
            _refused(row, _errors_of(error))
    batch.finish()


def _apply_row(member: Member, row: EmployeeImportRow, known: dict, actor, batch, posts) -> None:
    """One row: refused with the reason when its checks fail now (the workforce may have
    changed since the dry run), else added to the batch."""
    resolved = dict(row.values)
    try:
        if "new_post" in resolved:
            resolved["work_post_id"] = _post(member, resolved.pop("new_post"), posts, batch)
        employee = known.get(_number(row.values))
        base, kept = _base(employee)
        data, missing = merge(resolved, base, kept)
        if missing:
            raise employees.InvalidEmployeeError(dict.fromkeys(missing, "import_required"))
        saved = employees.save_employee(
            member, data, actor, employee, employee.version if employee else None, batch
        )
    except employees.InvalidEmployeeError as error:
        _refused(row, _errors_of(error))
        return
    row.employee, row.applied = saved, True


def _errors_of(error: Exception) -> list:
    """A save's refusal as the report's errors: by field, or the whole row's reason."""
    if isinstance(error, employees.InvalidEmployeeError):
        return [[FIELD_OF.get(key, key), code, {}] for key, code in error.errors.items()]
    return [["", getattr(error, "code", "import_conflict"), {}]]


def _refused(row: EmployeeImportRow, errors: list) -> None:
    row.action, row.errors, row.applied = RowAction.ERROR, errors, True


def _number(values: dict) -> str:
    if values.get("nir"):
        return nir.compact_nir(values["nir"])
    return "ntt:" + nir.compact_ntt(values.get("ntt") or "")


def _employees_of(member: Member, rows: list[EmployeeImportRow]) -> dict[str, Employee]:
    """The batch's employees by number (one query): those matched by the dry run, and those
    created since by someone else (or by a relaunch), which the row then updates."""
    numbers = [_number(row.values) for row in rows]
    nirs = [number for number in numbers if not number.startswith("ntt:")]
    ntts = [number[4:] for number in numbers if number.startswith("ntt:")]
    found = db.session.scalars(
        select(Employee).where(
            Employee.member_id == member.id,
            or_(Employee.nir.in_(nirs), Employee.ntt.in_(ntts)),
        )
    )
    return {employee.nir if employee.nir else "ntt:" + employee.ntt: employee for employee in found}


def _base(employee: Employee | None) -> tuple[dict | None, set[int]]:
    if employee is None:
        return None, set()
    base = {name: getattr(employee, name) for name in COMPARED}
    base.update(nir=employee.nir, ntt=employee.ntt, uses_ntt=employee.ntt is not None)
    return base, {link.risk_id for link in employee.risks}


def _post(member: Member, new_post: dict, posts: dict, batch) -> int:
    """The work post of a designation: made once per import (the first row that needs it)."""
    key = new_post["designation"].lower()
    if key not in posts:
        existing = db.session.scalar(
            select(WorkPost.id).where(
                WorkPost.member_id == member.id, func.lower(WorkPost.designation) == key
            )
        )
        if existing is None:
            with db.session.begin_nested():
                post = employees.create_work_post(
                    member, new_post["pcs_code"], new_post["designation"], ""
                )
            batch.references.append(post)  # kept in the session for the rows' checks
            existing = post.id
        posts[key] = existing
    return posts[key]
