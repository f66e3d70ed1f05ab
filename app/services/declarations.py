"""The yearly workforce declaration (issue 11; manual, "Déclaration d'effectifs";
domain-rules.md §5): the current situation per category, the campaign of the moment, the
confirmation that freezes a snapshot and issues the invoice, the service's reopening.

Confirming is atomic and idempotent: the member's row is locked first (`lock_member`), so a
double click, two tabs or two users of one member at once give one confirmation and one invoice;
the partial unique index `uq_declaration_live` is the last guard.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, literal, select, update

from app import clock
from app.domain import billing
from app.domain.follow_up import FollowUp
from app.extensions import db
from app.models.billing import Campaign, Declaration, DeclarationEmployee
from app.models.employee import Employee
from app.models.member import Member
from app.services import ServiceError, audit, invoices
from app.services.employee_list import in_workforce
from app.services.locks import lock_member

MAX_REASON = 500
# The manual's order: reinforced first.
CATEGORIES = (FollowUp.SIR, FollowUp.SIA, FollowUp.SI)


@dataclass(frozen=True)
class Counts:
    """Employees per follow-up category."""

    sir: int = 0
    sia: int = 0
    si: int = 0

    @property
    def total(self) -> int:
        return self.sir + self.sia + self.si

    def of(self, category: FollowUp) -> int:
        return {FollowUp.SIR: self.sir, FollowUp.SIA: self.sia, FollowUp.SI: self.si}[category]

    @classmethod
    def of_declaration(cls, declaration: Declaration) -> "Counts":
        return cls(declaration.sir_count, declaration.sia_count, declaration.si_count)


def current_counts(member_id: int, today: date) -> Counts:
    """The "Situation actuelle": employees in the workforce today per category (one query)."""
    rows = db.session.execute(
        select(Employee.category, func.count())
        .where(Employee.member_id == member_id, in_workforce(today))
        .group_by(Employee.category)
    )
    by_category = dict(rows.all())
    return Counts(
        by_category.get(FollowUp.SIR, 0),
        by_category.get(FollowUp.SIA, 0),
        by_category.get(FollowUp.SI, 0),
    )


def campaign_of(year: int) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.year == year))


def current_campaign(today: date) -> Campaign | None:
    """The campaign a member sees: this year's (open or about to open), else the latest one."""
    return campaign_of(today.year) or db.session.scalar(
        select(Campaign).where(Campaign.year < today.year).order_by(Campaign.year.desc()).limit(1)
    )


def live_declaration(member_id: int, year: int) -> Declaration | None:
    """The confirmation in force for the year (not reopened)."""
    return db.session.scalar(
        select(Declaration).where(
            Declaration.member_id == member_id,
            Declaration.year == year,
            Declaration.reopened_at.is_(None),
        )
    )


def status(campaign: Campaign | None, declaration: Declaration | None, today: date):
    return billing.declaration_status(
        campaign.opens_on if campaign else None, declaration is not None, today
    )


def confirm(
    member: Member,
    user,
    campaign: Campaign,
    shown: Counts | None,
    at: datetime | None = None,
) -> tuple[Declaration, bool]:
    """Confirm the member's declaration of the campaign's year: (declaration, True) when this
    call confirmed it, (the existing one, False) when it was already confirmed. `shown` is what
    the user saw: refused if the workforce changed since (`None`: the service confirming on the
    member's behalf). `user` None is the service; `at` a past moment for the demo's history."""
    at = at or clock.now()
    today = at.date()
    lock_member(member.id)
    existing = live_declaration(member.id, campaign.year)
    if existing is not None:
        return existing, False
    if today < campaign.opens_on:
        raise ServiceError("campaign_not_open")
    counts = current_counts(member.id, today)
    if shown is not None and shown != counts:
        raise ServiceError("declaration_changed")
    declaration = Declaration(
        member_id=member.id,
        year=campaign.year,
        confirmed_at=at,
        confirmed_by_id=getattr(user, "id", None),
        sir_count=counts.sir,
        sia_count=counts.sia,
        si_count=counts.si,
    )
    db.session.add(declaration)
    db.session.flush()
    # The snapshot: every employee counted, with its category, in one statement.
    db.session.execute(
        insert(DeclarationEmployee).from_select(
            ["declaration_id", "member_id", "employee_id", "category"],
            select(
                literal(declaration.id), Employee.member_id, Employee.id, Employee.category
            ).where(Employee.member_id == member.id, in_workforce(today)),
        )
    )
    invoices.invoice_declaration(declaration, campaign, member, actor=user, issued_on=today)
    audit.record(
        "declaration.confirmed",
        actor=user,
        member=member,
        target=str(campaign.year),
        total=counts.total,
    )
    return declaration, True


def reopen(declaration: Declaration, actor, reason: str | None):
    """The service reopens a confirmed declaration for a correction: kept with the reason, its
    invoice cancelled by a credit note (returned, or None without invoice); the member confirms
    again, which issues a new invoice."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reopen_reason_required")
    if len(reason) > MAX_REASON:
        raise ServiceError("reopen_reason_too_long", max=MAX_REASON)
    lock_member(declaration.member_id)
    done = db.session.execute(
        update(Declaration)
        .where(Declaration.id == declaration.id, Declaration.reopened_at.is_(None))
        .values(reopened_at=clock.now(), reopened_by_id=actor.id, reopen_reason=reason),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:
        raise ServiceError("declaration_already_reopened")
    db.session.refresh(declaration)
    note = None
    if declaration.invoice is not None and declaration.invoice.credited_by_id is None:
        note = invoices.credit(declaration.invoice, actor, reason)
    audit.record(
        "declaration.reopened",
        actor=actor,
        member=declaration.member,
        target=str(declaration.year),
        reason=reason,
    )
    return note
