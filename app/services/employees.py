"""Employees (salariés): validation of the record, declared risks and the follow-up category,
work posts, and the recomputation of categories when the catalogue changes.

Rules: shared/spec/domain-rules.md §1 (categories by date), §3 (NIR/NTT, names, work posts) and the
manual's chapters 5 to 7. An end-of-contract date closes the employee's open visit requests
(`visits.close_for_exit`). The category is computed on the day of the save and stored for lists,
exports and reports; `recompute_categories` brings every stored category up to a given day.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.domain import employment, names, nir
from app.domain.follow_up import CategoryPeriod, category_of
from app.domain.identifiers import siren_of
from app.extensions import db
from app.models.employee import (
    Contract,
    Employee,
    EmployeeRisk,
    Language,
    RiskDeclarationChange,
    Sex,
    WorkPost,
)
from app.models.member import Establishment, Member
from app.models.reference import PcsCode
from app.models.risk import Risk, RiskCategory
from app.services import ServiceError, due_dates, mail, recompute, violates, visits

NIR_UNIQUE = ("uq_employee_member_nir", "employee", ("member_id", "nir"))
POST_UNIQUE = ("uq_work_post_designation", "work_post", ("member_id", "designation"))


class InvalidEmployeeError(ServiceError):
    """Field errors: {field name: error code}."""

    def __init__(self, errors: dict[str, str], **params):
        super().__init__("invalid_employee", **params)
        self.errors = errors


@dataclass
class EmployeeInput:
    last_name: str
    first_name: str
    birth_name: str | None
    nir: str | None
    ntt: str | None
    uses_ntt: bool
    language: Language
    sex: Sex
    birth_date: date
    address: str | None
    country: str | None
    postal_code: str | None
    city: str | None
    work_post_id: int
    complementary_info: str | None
    establishment_id: int
    hired_on: date
    contract: Contract
    post_entry_on: date
    contract_end_on: date | None
    risk_ids: set[int] = field(default_factory=set)
    # Risks not given (an import without them, a DSN): True on a new employee (the list's
    # "risques à déclarer"), None to keep the flag; a save of the form's risks clears it.
    risks_to_declare: bool | None = False


@dataclass
class Batch:
    """Many saves in one go (an import, issue 14): the catalogue and the member's establishments
    and posts read once (kept referenced, so the checks find them in the session), the risk
    history marked with the import, and the rows written together by `finish()`: one flush of
    the batch (multi-row INSERTs), then the due dates (two queries)."""

    risks: dict[int, Risk]
    periods: list[CategoryPeriod]
    import_id: int | None = None
    references: list = field(default_factory=list)
    saved: list[Employee] = field(default_factory=list)

    @classmethod
    def load(cls, import_id: int | None = None, member_id: int | None = None) -> "Batch":
        risks = {risk.id: risk for risk in db.session.scalars(select(Risk))}
        batch = cls(risks, category_periods(), import_id)
        if member_id is not None:
            batch.references = [
                *db.session.scalars(
                    select(Establishment).where(Establishment.member_id == member_id)
                ),
                *db.session.scalars(select(WorkPost).where(WorkPost.member_id == member_id)),
            ]
        return batch

    def finish(self) -> None:
        """Write the batch; raises like a save (a NIR taken meanwhile, a record changed): the
        caller rolls back and may save its rows one by one to find which. A new employee's due
        date is computed before the INSERT (no visit yet: its risks are the batch's links)."""
        new = [employee for employee in self.saved if employee.id is None]
        for employee in new:
            due_dates.assign(
                employee, {self.risks[link.risk_id].code for link in employee.risks}, []
            )
        _flush(NIR_UNIQUE, InvalidEmployeeError({"nir": "duplicate_nir"}))
        known = [employee for employee in self.saved if employee not in new]
        if known:
            due_dates.refresh(known)
        self.saved = []


def category_periods() -> list[CategoryPeriod]:
    rows = db.session.execute(
        select(
            Risk.code, RiskCategory.category, RiskCategory.valid_from, RiskCategory.valid_until
        ).join(Risk, Risk.id == RiskCategory.risk_id)
    )
    return [CategoryPeriod(*row) for row in rows]


def declarable(risk: Risk, day: date) -> bool:
    """Whether the item may be newly declared on `day` (withdrawn items may only be kept)."""
    return (risk.declarable_from is None or risk.declarable_from <= day) and (
        risk.declarable_until is None or day <= risk.declarable_until
    )


def _identifier_errors(member: Member, data: EmployeeInput, errors: dict) -> tuple[str, str]:
    if data.uses_ntt:
        ntt, error = nir.check_ntt(data.ntt or "", data.sex.value, siren_of(member.siret))
        if error:
            errors["ntt"] = f"ntt_{error.name.lower()}"
        return None, ntt
    compact, error = nir.check_nir(data.nir or "")
    if error:
        errors["nir"] = f"nir_{error.name.lower()}"
    return compact, None


def _reference_errors(member: Member, data: EmployeeInput, errors: dict) -> None:
    establishment = db.session.get(Establishment, data.establishment_id)
    if establishment is None or establishment.member_id != member.id:
        errors["establishment_id"] = "foreign_establishment"
    post = db.session.get(WorkPost, data.work_post_id)
    if post is None or post.member_id != member.id:
        errors["work_post_id"] = "foreign_work_post"


def _risks(
    data: EmployeeInput, kept: set[int], today: date, errors: dict, batch: Batch | None
) -> list[Risk]:
    if batch is None:
        risks = list(db.session.scalars(select(Risk).where(Risk.id.in_(data.risk_ids))))
    else:
        risks = [batch.risks[i] for i in data.risk_ids if i in batch.risks]
    if len(risks) != len(data.risk_ids) or any(
        risk.id not in kept and not declarable(risk, today) for risk in risks
    ):
        errors["risk_ids"] = "risk_not_declarable"
    return risks


def _duplicate(member: Member, compact_nir: str | None, employee: Employee | None) -> int | None:
    if not compact_nir:
        return None
    return db.session.scalar(
        select(Employee.id).where(
            Employee.member_id == member.id,
            Employee.nir == compact_nir,
            Employee.id != (employee.id if employee else -1),
        )
    )


def check_input(
    member: Member, data: EmployeeInput, kept: set[int], today: date, batch: Batch | None = None
) -> tuple[dict[str, str], str | None, str | None, list[Risk]]:
    """The record's own rules (dates, NIR or NTT, risks that may be declared): the field errors
    as {field: code}, the compact NIR and NTT, the risks. What the form and an import's dry run
    share; the references (establishment, post) and the duplicates are checked apart."""
    errors = {
        name: f"date_{error.name.lower()}"
        for name, error in employment.check_dates(
            data.birth_date, data.hired_on, data.post_entry_on, data.contract_end_on, today
        ).items()
    }
    compact_nir, compact_ntt = _identifier_errors(member, data, errors)
    risks = _risks(data, kept, today, errors, batch)
    return errors, compact_nir, compact_ntt, risks


def save_employee(
    member: Member,
    data: EmployeeInput,
    actor,
    employee: Employee | None = None,
    expected_version: int | None = None,
    batch: Batch | None = None,
) -> Employee:
    """Create or update an employee; raises InvalidEmployeeError (field errors) or ServiceError.
    Within a `batch` (an import), nothing is flushed before `batch.finish()`."""
    if batch is None:
        return _save(member, data, actor, employee, expected_version, None)
    with db.session.no_autoflush:
        return _save(member, data, actor, employee, expected_version, batch)


def _save(member, data, actor, employee, expected_version, batch) -> Employee:
    today = clock.today()
    if employee is not None and expected_version != employee.version:
        raise ServiceError("stale_employee")
    kept = {link.risk_id for link in employee.risks} if employee else set()
    errors, compact_nir, compact_ntt, risks = check_input(member, data, kept, today, batch)
    _reference_errors(member, data, errors)
    # In a batch, the caller matched its rows with the workforce by number; a number taken
    # meanwhile fails the batch's flush (the unique constraint), which the caller handles.
    duplicate = _duplicate(member, compact_nir, employee) if batch is None else None
    if duplicate is not None:
        errors["nir"] = "duplicate_nir"
    if errors:
        raise InvalidEmployeeError(errors, duplicate_id=duplicate)
    periods = category_periods() if batch is None else batch.periods
    with db.session.no_autoflush:
        if employee is None:
            employee = Employee(member_id=member.id, created_at=clock.now())
            db.session.add(employee)
        _apply(employee, data, compact_nir, compact_ntt)
        _declare_risks(employee, risks, actor, batch.import_id if batch else None)
        employee.category = category_of([risk.code for risk in risks], periods, today)
        employee.category_on = today
        employee.updated_at = clock.now()
    if batch is None:
        _flush(NIR_UNIQUE, InvalidEmployeeError({"nir": "duplicate_nir"}))
        due_dates.refresh([employee])
    else:
        batch.saved.append(employee)
    # Leaving the workforce closes what is open (issue 9); the team's mails leave once the
    # caller's transaction is committed (sent after the response, or kept in the outbox).
    mail.deliver_later(visits.close_for_exit(employee, actor))
    return employee


def _flush(unique: tuple, duplicate: ServiceError) -> None:
    """Flush, turning a race lost against a concurrent save into the message the checks above
    give when they see it: the row changed since it was read (its version), or the same NIR or
    work post created at the same time (`unique`: the constraint, its table and columns, for
    `violates`). The caller rolls back."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ServiceError("stale_employee") from error
    except IntegrityError as error:
        if not violates(error, *unique):
            raise
        raise duplicate from error


def _apply(employee: Employee, data: EmployeeInput, compact_nir, compact_ntt) -> None:
    employee.last_name = names.normalise_name(data.last_name)
    employee.first_name = names.normalise_first_name(data.first_name)
    employee.birth_name = names.normalise_name(data.birth_name) if data.birth_name else None
    employee.nir, employee.ntt = compact_nir, compact_ntt
    for name in (
        "language", "sex", "birth_date", "address", "country", "postal_code", "city",
        "work_post_id", "complementary_info", "establishment_id", "hired_on", "contract",
        "post_entry_on", "contract_end_on",
    ):  # fmt: skip
        setattr(employee, name, getattr(data, name))
    if data.risks_to_declare is not None:
        employee.risks_to_declare = data.risks_to_declare


def _declare_risks(employee: Employee, risks: list[Risk], actor, import_id=None) -> None:
    before = sorted(link.risk.code for link in employee.risks)
    after = sorted(risk.code for risk in risks)
    if before != after or employee.id is None:
        wanted = {risk.id for risk in risks}
        employee.risks = [link for link in employee.risks if link.risk_id in wanted] + [
            EmployeeRisk(member_id=employee.member_id, risk_id=risk.id)
            for risk in risks
            if risk.id not in {link.risk_id for link in employee.risks}
        ]
        employee.risk_changes.append(
            RiskDeclarationChange(
                member_id=employee.member_id,
                at=clock.now(),
                actor_id=getattr(actor, "id", None),
                before=before,
                after=after,
                import_id=import_id,
            )
        )


def create_work_post(member: Member, pcs_code: str, designation: str, description: str):
    """A new work post of the member (manual: "+" next to "Poste de travail")."""
    code, well_formed = names.check_pcs_code(pcs_code or "")
    pcs = db.session.scalar(select(PcsCode).where(PcsCode.code == code)) if well_formed else None
    if pcs is None:
        raise ServiceError("unknown_pcs_code")
    designation = names.normalise_designation(designation or "")
    error = names.check_designation(designation, names.MAX_POSTS_MEMBER)
    if error:
        raise ServiceError(f"designation_{error.name.lower()}")
    description = " ".join((description or pcs.label).split())
    # The description is free text (pre-filled from the PCS label, which may hold a "/"), but
    # a temporary-work agency lists its posts there: 3 at most (manual, chapter 5).
    if (
        member.is_temp_agency
        and len(names.split_posts(description)) > names.MAX_POSTS_TEMPORARY_WORK_AGENCY
    ):
        raise ServiceError("too_many_posts_in_description")
    taken = db.session.scalar(
        select(WorkPost.id).where(
            WorkPost.member_id == member.id,
            func.lower(WorkPost.designation) == designation.lower(),
        )
    )
    if taken is not None:
        raise ServiceError("work_post_exists")
    post = WorkPost(
        member_id=member.id, pcs_code_id=pcs.id, designation=designation, description=description
    )
    db.session.add(post)
    _flush(POST_UNIQUE, ServiceError("work_post_exists"))
    return post


def recompute_categories(day: date, batch: int = 5000) -> int:
    """Bring every stored category up to `day` (after a catalogue change, or on 1 Oct 2025);
    an employee whose category changes keeps the previous one and the date, for the notice.
    Set-based, by batches committed one by one (app.services.recompute.categories)."""
    return recompute.categories(day, batch=batch)
