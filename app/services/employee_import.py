"""Employees in bulk (issue 14): import a spreadsheet (xlsx, CSV) or a monthly DSN file.

Two steps, each a background job (app/tasks.py) that the page follows:
- `check` (the dry run) reads the file as a stream, checks every row by the rules of the form
  (`employees.check_input`: dates, NIR or NTT, risks that may be declared) and the references of
  this member (establishment by SIRET, work post and PCS code, risk codes), matches the workforce
  by NIR or NTT, and keeps the outcome row by row: to create, to update, back after a departure,
  unchanged, or in error with the column and the reason. Nothing of the workforce is written.
- `apply` ("Importer") writes the valid rows through `employees.save_employee`, the form's own
  use case (category, risk history marked with the import, due date, exit of a contract that
  ended), by batches of `BATCH` rows committed one at a time, each row inside a savepoint: never
  half a row, and a relaunch after a failure goes on from the first row not written.

A row's values are merged at apply with the employee as it is then: a column absent from the
file keeps what the employee has (a DSN carries no risks, for instance).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.domain import employee_import as rows_domain
from app.domain import names, nir
from app.domain.employment import is_in_workforce
from app.domain.follow_up import category_of
from app.extensions import db
from app.imports.dsn import DsnFileError, parse_dsn
from app.imports.spreadsheet import ImportFileError, open_sheet
from app.imports.template import EXAMPLE_NIR
from app.models.employee import Contract, Employee, EmployeeRisk, Language, Sex, WorkPost
from app.models.employee_import import (
    EmployeeImport,
    EmployeeImportRow,
    ImportSource,
    ImportStatus,
    RowAction,
)
from app.models.member import Establishment, Member
from app.models.reference import PcsCode
from app.models.risk import Risk
from app.services import ServiceError, audit, employees, jobs

BATCH = 500  # rows written per transaction at apply
CHECK_BATCH = 1000  # report rows inserted per statement at check
CHECK_KIND, APPLY_KIND = "employee_import_check", "employee_import_apply"
IMPORTED = "employees_imported"  # audit action
WRITTEN = (RowAction.CREATE, RowAction.UPDATE, RowAction.RETURN)
NIGHT_WORK = "NUIT"
_FIELD_OF = {"risk_ids": "risks", "establishment_id": "siret", "work_post_id": "work_post"}


# ---- Upload ------------------------------------------------------------------------------


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


# ---- The dry run -------------------------------------------------------------------------


class RefusedFileError(Exception):
    """A file refused as a whole, beside the readers' own refusals: `message` for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Known:
    """An employee of the workforce, as the check needs it (plain values, not ORM objects)."""

    id: int
    contract_end_on: date | None
    values: dict
    risk_ids: set[int]


@dataclass
class Context:
    """The member's references, read once for the whole file."""

    member: Member
    today: date
    batch: employees.Batch
    establishments: dict[str, int]  # SIRET -> id
    posts: dict[str, int]  # designation in lower case -> id
    pcs: set[str]
    risks_by_code: dict[str, Risk]
    by_nir: dict[str, Known]
    by_ntt: dict[str, Known]
    seen: dict[str, int] = field(default_factory=dict)  # NIR or NTT -> line of the file
    new_posts: dict[str, str] = field(default_factory=dict)  # posts the import will create

    @classmethod
    def load(cls, member: Member, today: date) -> "Context":
        batch = employees.Batch.load()
        establishments = dict(
            db.session.execute(
                select(Establishment.siret, Establishment.id).where(
                    Establishment.member_id == member.id
                )
            ).all()
        )
        posts = {
            designation.lower(): post_id
            for designation, post_id in db.session.execute(
                select(WorkPost.designation, WorkPost.id).where(WorkPost.member_id == member.id)
            )
        }
        by_nir, by_ntt = _workforce(member.id)
        return cls(
            member,
            today,
            batch,
            establishments,
            posts,
            set(db.session.scalars(select(PcsCode.code))),
            {risk.code: risk for risk in batch.risks.values()},
            by_nir,
            by_ntt,
        )


COMPARED = (
    "last_name", "first_name", "birth_name", "sex", "birth_date", "language", "address",
    "country", "postal_code", "city", "work_post_id", "complementary_info", "establishment_id",
    "hired_on", "contract", "post_entry_on", "contract_end_on",
)  # fmt: skip


def _workforce(member_id: int) -> tuple[dict[str, Known], dict[str, Known]]:
    """Every employee of the member by NIR and by NTT (two queries, whatever the size)."""
    risk_ids: dict[int, set[int]] = {}
    for employee_id, risk_id in db.session.execute(
        select(EmployeeRisk.employee_id, EmployeeRisk.risk_id).where(
            EmployeeRisk.member_id == member_id
        )
    ):
        risk_ids.setdefault(employee_id, set()).add(risk_id)
    columns = [getattr(Employee, name) for name in COMPARED]
    by_nir, by_ntt = {}, {}
    for row in db.session.execute(
        select(Employee.id, Employee.nir, Employee.ntt, *columns).where(
            Employee.member_id == member_id
        )
    ):
        values = dict(zip(COMPARED, row[3:], strict=True))
        known = Known(row.id, values["contract_end_on"], values, risk_ids.get(row.id, set()))
        if row.nir:
            by_nir[row.nir] = known
        if row.ntt:
            by_ntt[row.ntt] = known
    return by_nir, by_ntt


def check(import_id: int, progress) -> str:
    """The dry run (the job's task): idempotent, a relaunch starts the report again."""
    found = db.session.get(EmployeeImport, import_id)
    if found is None or found.status is not ImportStatus.CHECKING:
        return "déjà vérifié"
    db.session.execute(delete(EmployeeImportRow).where(EmployeeImportRow.import_id == import_id))
    found.check_job_id = getattr(progress, "job_id", None)
    db.session.commit()
    member = db.session.get(Member, found.member_id)
    try:
        headers, notices, rows = _read(found, member)
        counts, new_posts = _check_rows(found, member, rows, progress)
    except (ImportFileError, DsnFileError, RefusedFileError) as error:
        db.session.rollback()
        return _refuse(import_id, error.message)
    if new_posts:
        notices.append("Postes de travail créés à l'import : " + ", ".join(new_posts))
    found.headers, found.notices = headers, notices
    for name, count in counts.items():
        setattr(found, name, count)
    found.status, found.checked_at, found.data = ImportStatus.CHECKED, clock.now(), None
    db.session.commit()
    return (
        f"{found.total} ligne(s) : {found.to_create} à créer, {found.to_update} à mettre à jour, "
        f"{found.unchanged} inchangée(s), {found.in_error} en erreur"
    )


def _refuse(import_id: int, message: str) -> str:
    """The file refused as a whole: no report row kept (those of the batches already read)."""
    db.session.execute(delete(EmployeeImportRow).where(EmployeeImportRow.import_id == import_id))
    found = db.session.get(EmployeeImport, import_id)
    found.status, found.message, found.data = ImportStatus.REFUSED, message, None
    found.checked_at = clock.now()
    db.session.commit()
    return f"fichier refusé : {message}"


def _read(found: EmployeeImport, member: Member):
    """(headers, notices, rows): rows are (line, {field: cell}, cells as text)."""
    if found.source is ImportSource.DSN:
        return _read_dsn(found.data, max_rows(), member)
    sheet = open_sheet(found.data, found.file_name, max_rows())
    match = rows_domain.match_headers(sheet.headers)
    if match.missing:
        raise RefusedFileError(
            "Colonne obligatoire absente : " + ", ".join(match.missing) + " (pour reconnaître "
            "les salariés déjà déclarés). Téléchargez le modèle pour voir les colonnes attendues."
        )
    notices = [f"Colonne ignorée (inconnue) : « {name} »" for name in match.unknown]
    notices += [f"Colonne en double, ignorée : « {name} »" for name in match.duplicated]

    def rows():
        for line, cells in sheet.rows():
            raw = {key: cells[index] if index < len(cells) else None for index, key in
                   match.fields.items()}  # fmt: skip
            yield line, raw, [rows_domain.text_of(cell) for cell in cells]

    return [str(header or "") for header in sheet.headers], notices, rows()


def _read_dsn(data: bytes, limit: int, member: Member):
    parsed = parse_dsn(data, max_rows=limit)
    ours = set(
        db.session.scalars(select(Establishment.siret).where(Establishment.member_id == member.id))
    )
    if len(parsed.rows) > limit:
        raise DsnFileError(
            f"Le fichier compte plus de {limit:,} salariés : importez-le en plusieurs "
            "fois.".replace(",", " "),
            "too_many_rows",
        )
    notices = [message for _line, message in parsed.errors]
    notices += [f"Bloc non lu : {block}" for block in parsed.unknown_blocks]
    notices += [
        f"Établissement du fichier inconnu de votre espace : SIRET {place.siret} (demandez à "
        "votre service de santé au travail de l'ajouter ; ses salariés sont en erreur)"
        for place in parsed.establishments
        if place.siret not in ours
    ]
    headers = [column.header for column in rows_domain.COLUMNS if column.key != "risks"]

    def rows():
        for row in parsed.rows:
            raw = {key: value for key, value in row.values.items() if key in rows_domain.BY_KEY}
            cells = [rows_domain.text_of(raw.get(column.key)) for column in rows_domain.COLUMNS
                     if column.key != "risks"]  # fmt: skip
            yield row.line, raw, cells

    return headers, notices, rows()


def _check_rows(found: EmployeeImport, member: Member, rows, progress):
    """The report's rows, by batches; the counts and the work posts the import will create."""
    context = Context.load(member, clock.today())
    counts = dict.fromkeys(("total", "to_create", "to_update", "unchanged", "in_error"), 0)
    pending: list[dict] = []
    for line, raw, cells in rows:
        row = check_row(context, line, raw)
        row.update(import_id=found.id, member_id=member.id, line=line, cells=cells)
        pending.append(row)
        counts["total"] += 1
        counts[_COUNTED[row["action"]]] += 1
        if len(pending) >= CHECK_BATCH:  # committed: the progress is its own transaction
            _insert(pending)
            db.session.commit()
            progress(counts["total"])
    _insert(pending)
    if counts["total"] == 0:
        raise RefusedFileError("Le fichier ne contient aucune ligne de salarié.")
    return counts, sorted(context.new_posts.values())


_COUNTED = {
    RowAction.CREATE: "to_create",
    RowAction.UPDATE: "to_update",
    RowAction.RETURN: "to_update",
    RowAction.UNCHANGED: "unchanged",
    RowAction.ERROR: "in_error",
}


def _insert(pending: list[dict]) -> None:
    if pending:
        db.session.execute(insert(EmployeeImportRow), pending)
        pending.clear()


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    return value


def check_row(context: Context, line: int, raw: dict) -> dict:
    """One row's outcome: the action, the values to write (JSON-able), errors and notes."""
    parsed = rows_domain.parse_row(raw)
    errors = [[key, code, {}] for key, code in parsed.errors]
    notes: list = []
    values = dict(parsed.values)
    known = _match(context, line, values, errors)
    resolved = _resolve(context, values, known, errors, notes)
    data = None
    if not errors:
        data, missing = merge(resolved, known.values if known else None, _kept(known))
        errors += [[key, "import_required", {}] for key in missing]
    outcome = {"name": _name(values), "notes": notes}
    if data is None or errors:
        return _with_errors(outcome, errors)
    check_errors, compact_nir, compact_ntt, risks = employees.check_input(
        context.member, data, known.risk_ids if known else set(), context.today, context.batch
    )
    errors += [[_FIELD_OF.get(key, key), code, {}] for key, code in check_errors.items()]
    action = _action(context, known, data, errors)
    if errors:
        return _with_errors(outcome, errors)
    notes += [["nir", f"nir_warning_{w.name.lower()}", {}] for w in _nir_warnings(data)]
    if action is RowAction.RETURN:
        notes.append(["hired_on", "import_return", {"left_on": known.contract_end_on.isoformat()}])
    category = category_of([risk.code for risk in risks], context.batch.periods, context.today)
    return outcome | {
        "action": action,
        "employee_id": known.id if known else None,
        "category": category.name,
        "values": {key: _json(value) for key, value in resolved.items()},
        "errors": None,
    }


def _name(values: dict) -> str | None:
    last = names.normalise_name(str(values.get("last_name") or ""))
    first = names.normalise_first_name(str(values.get("first_name") or ""))
    return f"{last} {first}".strip()[:250] or None


def _with_errors(outcome: dict, errors: list) -> dict:
    """A row in error says only why (what it would have done is moot)."""
    return outcome | {
        "notes": None,
        "action": RowAction.ERROR,
        "employee_id": None,
        "category": None,
        "values": None,
        "errors": errors,
    }


def _nir_warnings(data: employees.EmployeeInput):
    if data.uses_ntt or not data.nir:
        return []
    return nir.nir_warnings(nir.compact_nir(data.nir), data.sex.value, data.birth_date)


def _match(context: Context, line: int, values: dict, errors: list) -> Known | None:
    """The employee of the workforce with the row's NIR (or NTT); a second row of the file with
    the same number is an error (which of the two is right is for the user to say)."""
    number, table, key = values.get("nir"), context.by_nir, "nir"
    if number:
        number = nir.compact_nir(str(number))
    else:
        number, table, key = values.get("ntt"), context.by_ntt, "ntt"
        number = nir.compact_ntt(str(number)) if number else None
    if not number:
        if "nir" not in {error[0] for error in errors}:
            errors.append(["nir", "nir_empty", {}])
        return None
    if number == EXAMPLE_NIR:
        errors.append([key, "import_example_row", {}])
        return None
    first = context.seen.setdefault(number, line)
    if first != line:
        errors.append([key, "import_duplicate_in_file", {"line": first}])
    return table.get(number)


def _kept(known: Known | None) -> set[int]:
    return set(known.risk_ids) if known else set()


def _resolve(context: Context, values: dict, known: Known | None, errors: list, notes: list):
    """The row's values as the record's fields: identifiers, SIRET to establishment, post and
    PCS code to work post (a new one is noted), risk codes to ids. Only what the file gives."""
    resolved = {
        key: values[key]
        for key in _PLAIN
        if key in values and (values[key] is not None or key in CLEARED_BY_EMPTY)
    }
    if values.get("nir"):
        resolved.update(nir=str(values["nir"]), ntt=None, uses_ntt=False)
    elif values.get("ntt"):
        resolved.update(nir=None, ntt=str(values["ntt"]), uses_ntt=True)
    if "siret" in values:
        _establishment(context, values, known, resolved, errors)
    elif known is None and len(context.establishments) == 1:
        resolved["establishment_id"] = next(iter(context.establishments.values()))
    if values.get("work_post") or values.get("pcs_code"):
        _work_post(context, values, resolved, errors, notes)
    if "risks" in values or values.get("night_work") is not None:
        _risk_ids(context, values, known, resolved, errors)
    if known is None and "risks" not in values:
        resolved["risks_to_declare"] = True
        notes.append(["risks", "import_risks_to_declare", {}])
    return resolved


# An empty cell keeps what the employee has, but for the end of the contract (empty: it runs;
# how an employee who left comes back) and the risks column (empty: none declared).
CLEARED_BY_EMPTY = frozenset({"contract_end_on"})
_PLAIN = (
    "last_name", "first_name", "birth_name", "sex", "birth_date", "language", "address",
    "country", "postal_code", "city", "complementary_info", "contract", "hired_on",
    "post_entry_on", "contract_end_on",
)  # fmt: skip


def _establishment(context, values, known, resolved, errors) -> None:
    siret = "".join(str(values["siret"] or "").split())
    if siret.isdigit() and len(siret) == 13:  # typed as a number in Excel: its leading zero
        siret = "0" + siret
    if not siret:
        if known is None and len(context.establishments) == 1:
            resolved["establishment_id"] = next(iter(context.establishments.values()))
        elif known is None:
            errors.append(["siret", "import_required", {}])
        return
    found = context.establishments.get(siret)
    if found is None:
        errors.append(["siret", "import_unknown_siret", {"siret": siret}])
    else:
        resolved["establishment_id"] = found


def _work_post(context, values, resolved, errors, notes) -> None:
    """An existing post of the member by its designation (any case), else a new post made of
    the designation and the PCS code, checked as the form's "+" checks it."""
    designation = names.normalise_designation(str(values.get("work_post") or ""))
    existing = context.posts.get(designation.lower()) if designation else None
    if existing is not None:
        resolved["work_post_id"] = existing
        return
    if not designation:
        errors.append(["work_post", "import_required", {}])
        return
    problem = names.check_designation(designation, _max_posts(context.member))
    if problem is not None:
        errors.append(["work_post", f"designation_{problem.name.lower()}", {}])
        return
    code, well_formed = names.check_pcs_code(str(values.get("pcs_code") or ""))
    if not code:
        errors.append(["pcs_code", "import_required", {}])
    elif not well_formed or code not in context.pcs:
        errors.append(["pcs_code", "import_unknown_pcs", {"code": code}])
    else:
        resolved["new_post"] = {"designation": designation, "pcs_code": code}
        if designation.lower() not in context.new_posts:  # said on the first row needing it
            context.new_posts[designation.lower()] = designation
            notes.append(["work_post", "import_new_post", {"designation": designation}])


def _max_posts(member: Member) -> int:
    if member.is_temp_agency:
        return names.MAX_POSTS_TEMPORARY_WORK_AGENCY
    return names.MAX_POSTS_MEMBER


def _risk_ids(context, values, known, resolved, errors) -> None:
    """The risks column (codes separated by |) replaces the declared risks; the night-work
    column adds or removes the night-work item."""
    codes = values.get("risks")
    if codes is None:  # no risks column: start from what the employee has
        by_id = {risk.id: risk.code for risk in context.risks_by_code.values()}
        codes = [by_id[risk_id] for risk_id in _kept(known) if risk_id in by_id]
    unknown = [code for code in codes if code not in context.risks_by_code]
    if unknown:
        errors.append(["risks", "import_unknown_risk", {"codes": ", ".join(unknown)}])
        return
    chosen = set(codes)
    night = values.get("night_work")
    if night is True:
        chosen.add(NIGHT_WORK)
    elif night is False:
        chosen.discard(NIGHT_WORK)
    resolved["risk_ids"] = {context.risks_by_code[code].id for code in chosen
                            if code in context.risks_by_code}  # fmt: skip


def merge(resolved: dict, base: dict | None, base_risk_ids: set[int]):
    """The record to save: the row's values over the employee's (`base`, None for a new one).
    Returns (EmployeeInput or None, the required fields missing for a new employee)."""
    values = dict(base or {})
    values.update({key: value for key, value in resolved.items() if key != "new_post"})
    if "new_post" in resolved:
        values["work_post_id"] = 0  # made at apply (the dry run creates nothing)
    hired_on = _day(values.get("hired_on"))
    entry_on = _day(values.get("post_entry_on"))
    # No entry date in the post: the hiring's (a new employee, or a later hiring: a return)
    if not resolved.get("post_entry_on") and hired_on and (entry_on is None or entry_on < hired_on):
        values["post_entry_on"] = hired_on
    missing = [key for key in _NEEDED if values.get(key) is None]
    if missing:
        return None, [_FIELD_OF.get(key, key) for key in missing]
    return employees.EmployeeInput(
        last_name=values["last_name"],
        first_name=values["first_name"],
        birth_name=values.get("birth_name"),
        nir=values.get("nir"),
        ntt=values.get("ntt"),
        uses_ntt=bool(values.get("uses_ntt")),
        language=_enum(Language, values.get("language") or "fr"),
        sex=_enum(Sex, values["sex"]),
        birth_date=_day(values["birth_date"]),
        address=values.get("address"),
        country=values.get("country") or ("France" if base is None else None),
        postal_code=values.get("postal_code"),
        city=values.get("city"),
        work_post_id=values["work_post_id"],
        complementary_info=values.get("complementary_info"),
        establishment_id=values["establishment_id"],
        hired_on=_day(values["hired_on"]),
        contract=_enum(Contract, values["contract"]),
        post_entry_on=_day(values["post_entry_on"]),
        contract_end_on=_day(values.get("contract_end_on")),
        risk_ids=set(resolved.get("risk_ids", base_risk_ids)),
        risks_to_declare=resolved.get("risks_to_declare", None if base else False),
    ), []


_NEEDED = (
    "last_name", "first_name", "sex", "birth_date", "hired_on", "contract", "establishment_id",
    "work_post_id", "post_entry_on",
)  # fmt: skip


def _enum(enum_class, value):
    if isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        return enum_class[value]


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _action(context: Context, known: Known | None, data, errors: list) -> RowAction:
    if known is None:
        return RowAction.CREATE
    today = context.today
    if not is_in_workforce(known.contract_end_on, today) and is_in_workforce(
        data.contract_end_on, today
    ):
        if data.hired_on > known.contract_end_on:
            return RowAction.RETURN
        errors.append(["hired_on", "import_left", {"left_on": known.contract_end_on.isoformat()}])
        return RowAction.ERROR
    if _same(known, data):
        return RowAction.UNCHANGED
    return RowAction.UPDATE


def _same(known: Known, data) -> bool:
    ours = {name: getattr(data, name) for name in COMPARED}
    ours["last_name"] = names.normalise_name(ours["last_name"])
    ours["first_name"] = names.normalise_first_name(ours["first_name"])
    if ours["birth_name"]:
        ours["birth_name"] = names.normalise_name(ours["birth_name"])
    return (
        ours == known.values and set(data.risk_ids) == known.risk_ids and (data.work_post_id != 0)
    )


# ---- Apply ("Importer") -------------------------------------------------------------------


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
        return [[_FIELD_OF.get(key, key), code, {}] for key, code in error.errors.items()]
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
