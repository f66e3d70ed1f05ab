"""The dry run of an import (app.services.employee_import): the file read as a stream, every row
checked (`rows.check_row`) and the report kept by batches; nothing of the workforce is written."""

from flask import current_app
from sqlalchemy import delete, insert, select

from app import clock
from app.domain import employee_import as rows_domain
from app.extensions import db
from app.imports.dsn import DsnFileError, parse_dsn
from app.imports.spreadsheet import ImportFileError, open_sheet
from app.models.employee_import import (
    EmployeeImport,
    EmployeeImportRow,
    ImportSource,
    ImportStatus,
    RowAction,
)
from app.models.member import Establishment, Member
from app.services.employee_import.rows import Context, check_row

CHECK_KIND = "employee_import_check"
CHECK_BATCH = 1000  # report rows inserted per statement, and committed


class RefusedFileError(Exception):
    """A file refused as a whole, beside the readers' own refusals: `message` for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
    limit = current_app.config["IMPORT_MAX_ROWS"]
    if found.source is ImportSource.DSN:
        return _read_dsn(found.data, limit, member)
    sheet = open_sheet(found.data, found.file_name, limit)
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
