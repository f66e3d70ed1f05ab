"""What the employee pages show: choices, risk groups, list context, export rows, messages."""

from flask import current_app, flash, session, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import or_, select

from app import clock
from app.domain import nir as nir_rules
from app.domain.due_dates import DueDate, DueReason, is_overdue
from app.domain.employment import is_in_workforce
from app.domain.follow_up import FollowUp, risk_category
from app.domain.visit_workflow import RequestStatus
from app.extensions import db
from app.models.employee import Contract, Employee, Language, Sex, WorkPost
from app.models.member import Establishment, Member
from app.models.risk import Risk
from app.models.visit import VisitOutcome
from app.services import document_list, employee_list, employees, visits
from app.services.employees import EmployeeInput
from app.services.text_search import contains
from app.views.labels import ENUM_LABELS
from app.views.messages import MESSAGES

VISIT_REQUEST_ENDPOINT = "PortalVisitRequestsView.new"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The manual's groups of the risk list ("STA" is its title for SIA).
RISK_GROUPS = (
    (FollowUp.SI, _l("SI - Individual monitoring")),
    (FollowUp.SIA, _l("STA - Adapted individual follow-up")),
    (FollowUp.SIR, _l("SIR - Reinforced follow-up")),
)
# The list's columns (issue 9: the list fits a 1280 px screen): what an employer needs daily is
# shown by default, the others are chosen in "Colonnes". Names are always shown.
LIST_COLUMNS = (
    ("last_name", _l("Usage name")),
    ("first_name", _l("First name")),
    ("birth_name", _l("Birth name")),
    ("birth_date", _l("Date of birth")),
    ("nir", _l("Social security no.")),
    ("work_post", _l("Work post")),
    ("hired_on", _l("Hiring date")),
    ("post_entry_on", _l("Date of entry in the post")),
    ("category", _l("Category")),
    ("establishment", _l("Establishment")),
    ("next_due_on", _l("Next visit due")),
    ("last_exam_on", _l("Last examination")),
)
ALWAYS_SHOWN = frozenset({"last_name", "first_name"})
DEFAULT_COLUMNS = frozenset(
    {"work_post", "category", "establishment", "next_due_on", "last_exam_on"}
)
CHOOSABLE = frozenset(key for key, _label in LIST_COLUMNS) - ALWAYS_SHOWN
DATE_COLUMNS = frozenset({"birth_date", "hired_on", "post_entry_on", "last_exam_on"})
COLUMNS_KEY = "employee_list_columns"  # the user's choice, kept in the session


def chosen_columns(args) -> set[str]:
    """The columns chosen in "Colonnes": from the query string (`cols`, repeated or comma
    separated; the chooser always sends it, empty when nothing is ticked), remembered in the
    session for the next visit; the default set otherwise. Unknown names are ignored."""
    if "cols" in args:
        chosen = {name for value in args.getlist("cols") for name in value.split(",")} & CHOOSABLE
        session[COLUMNS_KEY] = sorted(chosen)
        return chosen
    remembered = session.get(COLUMNS_KEY)
    if isinstance(remembered, list):
        return set(remembered) & CHOOSABLE
    return set(DEFAULT_COLUMNS)


def visible_columns(chosen: set[str], params) -> list[tuple[str, object]]:
    """The chosen columns, plus the names, plus any column the list is filtered or sorted on
    (a filter never acts unseen)."""
    shown = chosen | ALWAYS_SHOWN | set(params.filters) | {params.sort}
    return [(key, label) for key, label in LIST_COLUMNS if key in shown]


def _posts(member_id: int) -> list:
    return db.session.execute(
        select(WorkPost.id, WorkPost.designation)
        .where(WorkPost.member_id == member_id)
        .order_by(WorkPost.designation)
    ).all()


def _sites(member_id: int) -> list:
    return db.session.execute(
        select(Establishment.id, Establishment.name)
        .where(Establishment.member_id == member_id)
        .order_by(Establishment.name)
    ).all()


def fill_choices(form, member: Member, employee: Employee | None) -> None:
    choose = (0, _l("-Choose-"))
    form.work_post_id.choices = [choose, *_posts(member.id)]
    form.establishment_id.choices = [choose, *_sites(member.id)]
    if employee is not None and not form.is_submitted():
        form.sex.data = employee.sex.name
        form.language.data = employee.language.name
        form.contract.data = employee.contract.name
        form.uses_ntt.data = bool(employee.ntt)
        form.nir.data = nir_rules.format_nir(employee.nir) if employee.nir else ""


def input_from(form, risk_ids: set[int]) -> EmployeeInput:
    def text(name):
        value = (form[name].data or "").strip()
        return value or None

    return EmployeeInput(
        **{
            name: text(name)
            for name in (
                "last_name",
                "first_name",
                "birth_name",
                "nir",
                "ntt",
                "address",
                "country",
                "postal_code",
                "city",
                "complementary_info",
            )
        },  # fmt: skip
        uses_ntt=form.uses_ntt.data,
        language=Language[form.language.data],
        sex=Sex[form.sex.data],
        birth_date=form.birth_date.data,
        work_post_id=form.work_post_id.data,
        establishment_id=form.establishment_id.data,
        hired_on=form.hired_on.data,
        contract=Contract[form.contract.data],
        post_entry_on=form.post_entry_on.data,
        contract_end_on=form.contract_end_on.data,
        risk_ids=risk_ids,
    )


def show_errors(form, error: employees.InvalidEmployeeError) -> None:
    for name, code in error.errors.items():
        target = form._fields.get(name)
        message = MESSAGES[code]
        if code == "duplicate_nir" and error.params.get("duplicate_id"):
            link = url_for("PortalEmployeesView.show", employee_id=error.params["duplicate_id"])
            message = Markup('{} <a href="{}" class="existing-employee">{}</a>').format(
                message, link, _l("Open the existing record")
            )
        if target is not None:
            target.errors = [*target.errors, message]
        elif name == "risk_ids":
            form.risk_errors = [message]  # shown on the block of risks
        else:
            flash(message, "danger")
    flash(MESSAGES["invalid_employee"], "danger")


def risk_groups(employee: Employee | None, today):
    """The risks to tick, by category in force today (withdrawn items only where still held),
    the ids held, and every risk's label by code (for the history)."""
    held = {link.risk_id for link in employee.risks} if employee else set()
    periods = employees.category_periods()
    groups = {category: [] for category, _label in RISK_GROUPS}
    labels = {}
    for risk in db.session.scalars(select(Risk).order_by(Risk.label)):
        labels[risk.code] = risk.label
        if employees.declarable(risk, today) or risk.id in held:
            groups[risk_category(risk.code, periods, today)].append(risk)
    return [(label, groups[category]) for category, label in RISK_GROUPS], held, labels


def form_context(member, form, employee, editable: bool, posted: set[int] | None) -> dict:
    """`posted`: the risk ids sent with a refused form, ticked again as the user left them.
    Who may only read the record sees the NIR masked."""
    today = clock.today()
    if employee is not None and employee.nir and not editable:
        form.nir.data = nir_rules.mask_nir(employee.nir)
    groups, held, risk_labels = risk_groups(employee, today)
    if posted is not None:
        held = posted
    requests = visits.requests_of(employee.id) if employee else []
    seen = visits.visits_by_outcome(employee.id) if employee else {}
    return {
        "member": member,
        "form": form,
        "employee": employee,
        "editable": editable,
        "risk_groups": groups,
        "held": held,
        "risk_labels": risk_labels,
        "can_request_visit": current_app.appbuilder.sm.has_access("can_add", "PortalVisitRequests"),
        "requests": requests,
        "overdue": employee is not None and _overdue(employee, requests, today),
        "in_workforce": employee is None or is_in_workforce(employee.contract_end_on, today),
        "visits_done": seen.get(VisitOutcome.SEEN, []),
        "absences": seen.get(VisitOutcome.ABSENT, []),
        **_documents_tab(member, employee),
        "withdrawn": {
            risk.id
            for _label, risks in groups
            for risk in risks
            if not employees.declarable(risk, today)
        },
    }


def _documents_tab(member, employee: Employee | None) -> dict:
    """The record's "Documents" tab (issue 10), for who holds the documents right: the last
    documents of the employee (a count and one select, whatever their number)."""
    if employee is None or not current_app.appbuilder.sm.has_access("can_list", "PortalDocuments"):
        return {"documents_tab": False}
    rows, total = document_list.latest(db.session, member.id, employee.id)
    return {
        "documents_tab": True,
        "documents": rows,
        "documents_total": total,
        "can_add_document": current_app.appbuilder.sm.has_access("can_add", "PortalDocuments"),
    }


def _overdue(employee: Employee, requests, today) -> bool:
    """The record's "overdue" label: the domain's rule on the stored due date and the requests
    already loaded for the Visits tab (no query of its own)."""
    if employee.next_due_on is None or employee.next_due_reason is None:
        return False
    due = DueDate(employee.next_due_on, DueReason(employee.next_due_reason))
    scheduled = any(r.status is RequestStatus.SCHEDULED for r in requests)
    return is_overdue(due, today, scheduled)


def list_context(member: Member, params, rows, total: int, chosen: set[str]) -> dict:
    first = (params.page - 1) * params.size + 1 if total else 0
    return {
        "member": member,
        "params": params,
        "rows": rows,
        "total": total,
        "first": first,
        "last": min(params.page * params.size, total),
        "pages": max((total + params.size - 1) // params.size, 1),
        "headers": visible_columns(chosen, params),
        "all_columns": LIST_COLUMNS,
        "always_shown": ALWAYS_SHOWN,
        "chosen": chosen,
        "date_columns": DATE_COLUMNS,
        "posts": _posts(member.id),
        "sites": _sites(member.id),
        "categories": [(category.name, category.value) for category in FollowUp],
        "page_sizes": employee_list.PAGE_SIZES,
        "mask": mask,
        "notices": employee_list.notices(db.session, member.id, clock.today()),
    }


NIR_WARNINGS = {
    nir_rules.NirWarning.SEX_MISMATCH: _l(
        "Check the social security number: its first digit does not match the sex."
    ),
    nir_rules.NirWarning.BIRTH_MISMATCH: _l(
        "Check the social security number: its year or month of birth does not match the date "
        "of birth."
    ),
}


def flash_nir_warnings(employee: Employee) -> None:
    """Consistency warnings (never blocking): NIR against sex and date of birth."""
    if employee.nir:
        for warning in nir_rules.nir_warnings(
            employee.nir, employee.sex.value, employee.birth_date
        ):
            flash(NIR_WARNINGS[warning], "warning")


def mask(row) -> str:
    if row.nir:
        return nir_rules.mask_nir(row.nir)
    return row.ntt or ""


def export_rows(member_id: int, params, full_nir: bool = False):
    """The filtered list as mappings for the exports. The NIR is masked (files travel) unless
    `full_nir`: the explicit, audited choice of a user who may write employees, for the
    member's other software (then compact, 15 characters)."""
    contracts = {}  # each contract's label translated once, not once per row
    for row in employee_list.all_rows(db.session, member_id, params, clock.today()):
        contract = contracts.get(row.contract)
        if contract is None:
            contract = contracts[row.contract] = str(ENUM_LABELS[row.contract])
        yield {
            "number": row.id,
            "last_name": row.last_name,
            "first_name": row.first_name,
            "birth_name": row.birth_name,
            "birth_date": row.birth_date,
            "nir": _exported_nir(row.nir, full_nir),
            "ntt": row.ntt,
            "sex": row.sex.value,
            "work_post": row.work_post,
            "pcs_code": row.pcs_code,
            "establishment": row.establishment,
            "establishment_siret": row.establishment_siret,
            "contract": contract,
            "hired_on": row.hired_on,
            "post_entry_on": row.post_entry_on,
            "contract_end_on": row.contract_end_on,
            "category": row.category.value,
            "last_exam_on": row.last_exam_on,
        }


def _exported_nir(nir: str | None, full: bool) -> str | None:
    if not nir:
        return None
    return nir_rules.compact_nir(nir) if full else nir_rules.mask_nir(nir)


SHEET_COLUMNS = (
    ("number", _l("File number")),
    *LIST_COLUMNS[:5],
    ("work_post", _l("Work post")),
    ("pcs_code", _l("PCS code")),
    ("establishment", _l("Establishment")),
    ("contract", _l("Contract")),
    ("hired_on", _l("Hiring date")),
    ("post_entry_on", _l("Date of entry in the post")),
    ("contract_end_on", _l("End-of-contract date")),
    ("category", _l("Category")),
    ("last_exam_on", _l("Last examination")),
)


def sheet(rows):
    headers = [str(label) for _key, label in SHEET_COLUMNS]
    return headers, ([row[key] for key, _label in SHEET_COLUMNS] for row in rows)


def pcs_suggestions(query: str, model) -> list[dict]:
    words = query.strip().lower().split()
    if not words:
        return []
    conditions = [
        or_(contains(model.label, word), model.code.like(f"{word}%")) for word in words[:5]
    ]
    found = db.session.execute(
        select(model.code, model.label).where(*conditions).order_by(model.code).limit(20)
    )
    return [{"code": code, "label": label} for code, label in found]
