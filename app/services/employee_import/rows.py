"""One row of an import, checked as the employee form checks a record (the dry run), and merged
with the employee as it is (the dry run, then the apply): app.services.employee_import."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.domain import employee_import as rows_domain
from app.domain import names, nir
from app.domain.employment import is_in_workforce
from app.domain.follow_up import category_of
from app.extensions import db
from app.imports.template import EXAMPLE_NIR
from app.models.employee import Contract, Employee, EmployeeRisk, Language, Sex, WorkPost
from app.models.employee_import import RowAction
from app.models.member import Establishment, Member
from app.models.reference import PcsCode
from app.models.risk import Risk
from app.services import employees

NIGHT_WORK = "NUIT"
SIRET_NEEDED = "import_siret_needed"  # a member of several establishments: which one
MISSING = {"siret": SIRET_NEEDED}
FIELD_OF = {"risk_ids": "risks", "establishment_id": "siret", "work_post_id": "work_post"}


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
        errors += [[key, MISSING.get(key, "import_required"), {}] for key in missing]
    outcome = {"name": _name(values), "notes": notes}
    if data is None or errors:
        return _with_errors(outcome, errors)
    check_errors, _nir, _ntt, risks = employees.check_input(
        context.member, data, known.risk_ids if known else set(), context.today, context.batch
    )
    errors += [[FIELD_OF.get(key, key), code, {}] for key, code in check_errors.items()]
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
            errors.append(["siret", SIRET_NEEDED, {}])
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
        return None, [FIELD_OF.get(key, key) for key in missing]
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
