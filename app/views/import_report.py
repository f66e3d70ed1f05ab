"""What the employee import's pages show (issue 14), shared by the portal and the back-office:
the messages of the row checks, a row's errors and notes as sentences, the page of rows, the
state the page's script reads, and the file of rows in error (xlsx)."""

import re
from datetime import date

from flask import Response, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.domain.employee_import import BY_KEY
from app.domain.names import strip_accents
from app.domain.nir import NirWarning
from app.extensions import db
from app.imports.errors import error_sheet_chunks
from app.models.employee_import import EmployeeImport, EmployeeImportRow, ImportStatus, RowAction
from app.models.job import Job, JobStatus
from app.views.labels import day
from app.views.messages import MESSAGES
from app.views.portal.employee_pages import NIR_WARNINGS, XLSX_MIMETYPE

PAGE_SIZE = 100
ROW_MESSAGES = {
    "import_required": _l("the value is missing"),
    "import_too_long": _l("the value is too long"),
    "import_siret_needed": _l("give the establishment's SIRET (your company has several)"),
    "import_bad_date": _l("unreadable date (expected dd/mm/yyyy)"),
    "import_bad_sex": _l("unreadable sex (expected M or F)"),
    "import_bad_boolean": _l("expected «oui» or «non»"),
    "import_bad_contract": _l(
        "unknown contract type (CDI, CDD, apprentissage, professionnalisation, intérim, "
        "saisonnier, autre)"
    ),
    "import_bad_language": _l("unknown language"),
    "import_conflict": _l("changed by someone else during the import: import the file again"),
    "import_example_row": _l("the template's example row: delete it before importing"),
    "import_apprentice_contract": _l("«Apprenti: oui» goes with an apprenticeship contract"),
    "import_duplicate_in_file": _l("the same number is on line %(line)s of the file"),
    "import_unknown_siret": _l("SIRET %(siret)s is not one of your establishments"),
    "import_unknown_pcs": _l("the PCS-ESE code %(code)s does not exist"),
    "import_unknown_risk": _l("unknown risk code(s): %(codes)s (see the template's list)"),
    "import_left": _l(
        "this employee left on %(left_on)s: for a rehiring, give a hiring date after that day"
    ),
    "import_return": _l("back in the workforce: a new period after the departure of %(left_on)s"),
    "import_new_post": _l("new work post «%(designation)s» created"),
    "import_risks_to_declare": _l("risks to declare after the import (SI until then)"),
    "nir_warning_sex_mismatch": NIR_WARNINGS[NirWarning.SEX_MISMATCH],
    "nir_warning_birth_mismatch": NIR_WARNINGS[NirWarning.BIRTH_MISMATCH],
}
ACTIONS = {
    RowAction.CREATE: _l("To create"),
    RowAction.UPDATE: _l("To update"),
    RowAction.RETURN: _l("Back in the workforce"),
    RowAction.UNCHANGED: _l("Unchanged"),
    RowAction.ERROR: _l("In error"),
}
DONE_ACTIONS = {
    RowAction.CREATE: _l("Employee created"),
    RowAction.UPDATE: _l("Employee updated"),
    RowAction.RETURN: _l("Back in the workforce"),
    RowAction.UNCHANGED: _l("Unchanged"),
    RowAction.ERROR: _l("Not imported"),
}
STATUSES = {
    ImportStatus.CHECKING: _l("Checking the file"),
    ImportStatus.REFUSED: _l("File refused"),
    ImportStatus.CHECKED: _l("Checked: ready to import"),
    ImportStatus.APPLYING: _l("Importing"),
    ImportStatus.APPLIED: _l("Imported"),
}
SHOWN = {
    "error": (RowAction.ERROR,),
    "create": (RowAction.CREATE,),
    "update": (RowAction.UPDATE, RowAction.RETURN),
    "unchanged": (RowAction.UNCHANGED,),
    "all": (),
}


def _params(params: dict) -> dict:
    return {
        key: day(date.fromisoformat(value)) if key == "left_on" else value
        for key, value in (params or {}).items()
    }


def _text(code: str, params: dict) -> str:
    template = ROW_MESSAGES.get(code) or MESSAGES.get(code) or code
    return str(template) % _params(params) if params else str(template)


def sentence(key: str, code: str, params: dict) -> str:
    """'NIR : the key of this social security number is wrong…' (the error file's column)."""
    column = BY_KEY.get(key)
    text = _text(code, params)
    return f"{column.header} : {text}" if column else text


def sentences(items) -> list[str]:
    return [sentence(*item) for item in items or []]


def error_lines(row: EmployeeImportRow) -> list[str]:
    """'ligne 12, colonne NIR : clé incorrecte…' (the report)."""
    lines = []
    for key, code, params in row.errors or []:
        column = BY_KEY.get(key)
        text = _text(code, params)
        if column:
            lines.append(
                _(
                    "line %(line)d, column %(column)s: %(text)s",
                    line=row.line,
                    column=column.header,
                    text=text,
                )  # fmt: skip
            )
        else:
            lines.append(_("line %(line)d: %(text)s", line=row.line, text=text))
    return lines


def job_of(found: EmployeeImport) -> Job | None:
    job_id = found.apply_job_id if found.status is ImportStatus.APPLYING else found.check_job_id
    return db.session.get(Job, job_id) if job_id else None


def state(found: EmployeeImport) -> dict:
    """For the page's script: the import's status and the job's progress."""
    job = job_of(found)
    running = found.status in (ImportStatus.CHECKING, ImportStatus.APPLYING)
    failed = job is not None and job.status is JobStatus.FAILED
    return {
        "status": found.status.value,
        "label": str(STATUSES[found.status]),
        "done": job.done if job else 0,
        "total": job.total if job and job.total else (found.to_create + found.to_update or None),
        "finished": not running or failed,
        "failed": failed,
    }


def rows_page(found: EmployeeImport, shown: str | None, page: int):
    """A page of the report's rows (errors first by default), and their count: two statements."""
    actions = SHOWN.get(shown or "")
    conditions = [EmployeeImportRow.import_id == found.id]
    if actions:
        conditions.append(EmployeeImportRow.action.in_(actions))
    total = db.session.scalar(select(func.count(EmployeeImportRow.id)).where(*conditions))
    rows = db.session.scalars(
        select(EmployeeImportRow)
        .where(*conditions)
        .order_by(EmployeeImportRow.line)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return rows, total


def error_file(found: EmployeeImport) -> Response:
    """The rows in error, as the user sent them, with a column saying why: to fix and send
    again (the «Erreurs» column is ignored then)."""
    import_id = found.id

    def values():  # read as the body streams: the request's session is closed by then
        rows = db.session.execute(
            select(EmployeeImportRow.cells, EmployeeImportRow.errors)
            .where(
                EmployeeImportRow.import_id == import_id,
                EmployeeImportRow.action == RowAction.ERROR,
            )
            .order_by(EmployeeImportRow.line)
            .execution_options(yield_per=1000)
        )
        for cells, errors in rows:
            yield cells or [], " ; ".join(sentences(errors))

    # The user's file name, in plain ASCII for the header ("Liste été.xlsx" -> Liste_ete)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", strip_accents(found.file_name.rsplit(".", 1)[0]))
    name = f"{stem.strip('_.')[:80] or 'import'}-erreurs-{clock.today():%Y%m%d}.xlsx"
    return Response(
        stream_with_context(error_sheet_chunks(found.headers or [], values())),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
