"""Invoicing a year's declarations in one pass (issue 11, "Generating the invoices of 14,000
members from a command runs in one pass with progress and can be resumed"): `flask
invoice-declarations YEAR [--unconfirmed]`.

It issues the invoice of every live declaration of the year that has none and, with
`unconfirmed`, first confirms on the service's behalf (user None, the current workforce) the
active members with employees that did not confirm, which invoices them too. The work goes by
batches, each committed on its own (short transactions: the year's invoice counter row, locked
by each invoice until the commit, is never held for long, so members confirming on the portal
meanwhile wait a batch at most). Each member is re-checked under its lock: a second run, a run
resumed after a stop, or a member confirming at the same moment, never gives a second
confirmation or invoice. A batch that fails is rolled back (its numbers given back) and redone
member by member, so one bad member does not stop the run: it is counted and named. The notice
of each invoice (issue 12) is queued in its batch's transaction and sent once the batch is
committed: a rolled-back batch mails nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import exists, select

from app import clock
from app.extensions import db
from app.models.billing import Campaign, Declaration
from app.models.employee import Employee
from app.models.member import Member, MemberStatus
from app.services import ServiceError, declarations, invoice_notices, invoices, mail
from app.services.employee_list import in_workforce
from app.services.locks import lock_member

BATCH = 200


@dataclass
class Outcome:
    confirmed: int = 0
    invoiced: int = 0
    failed: list[str] = field(default_factory=list)  # "member number: reason"
    issued: list[int] = field(default_factory=list, repr=False)  # the batch's, to announce


def unconfirmed_member_ids(campaign: Campaign) -> list[int]:
    """Active members with employees in the workforce today and no live declaration."""
    confirmed = exists().where(
        Declaration.member_id == Member.id,
        Declaration.year == campaign.year,
        Declaration.reopened_at.is_(None),
    )
    employed = exists().where(Employee.member_id == Member.id, in_workforce(clock.today()))
    query = select(Member.id).where(Member.status == MemberStatus.ACTIVE, employed, ~confirmed)
    return list(db.session.scalars(query.order_by(Member.number)))


def uninvoiced_declaration_ids(year: int) -> list[int]:
    """Live declarations of the year without an invoice."""
    query = select(Declaration.id).where(
        Declaration.year == year,
        Declaration.reopened_at.is_(None),
        Declaration.invoice_id.is_(None),
    )
    return list(db.session.scalars(query.order_by(Declaration.id)))


def _confirm(member_id: int, campaign: Campaign, outcome: Outcome) -> None:
    member = db.session.get(Member, member_id)
    declaration, done = declarations.confirm(member, None, campaign, None)
    outcome.confirmed += done
    outcome.invoiced += bool(done and declaration.invoice_id)
    if done and declaration.invoice_id:
        outcome.issued.append(declaration.invoice_id)


def _invoice(declaration_id: int, campaign: Campaign, outcome: Outcome) -> None:
    declaration = db.session.get(Declaration, declaration_id)
    lock_member(declaration.member_id)
    db.session.refresh(declaration)
    if declaration.invoice_id is not None or declaration.reopened_at is not None:
        return  # invoiced or reopened meanwhile
    member = db.session.get(Member, declaration.member_id)
    invoice = invoices.invoice_declaration(declaration, campaign, member)
    if invoice is not None:
        outcome.invoiced += 1
        outcome.issued.append(invoice.id)


def _commit(outcome: Outcome) -> list[int]:
    """Commit with the notices of the invoices issued: their outbox ids, to send."""
    mails = invoice_notices.announce_ids(outcome.issued)
    db.session.commit()
    outcome.issued.clear()
    return mails


def _one_by_one(ids: Iterable[int], step: Callable, campaign_id: int, outcome: Outcome):
    for one in ids:
        try:
            step(one, db.session.get(Campaign, campaign_id), outcome)
            mails = _commit(outcome)
        except Exception as error:  # noqa: BLE001 - counted and named
            db.session.rollback()
            outcome.issued.clear()
            outcome.failed.append(f"{one}: {getattr(error, 'code', error)}")
            continue
        if mails:
            mail.deliver(mails)


def _batches(ids: list[int], step: Callable, campaign_id: int, outcome: Outcome, progress):
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        before = (outcome.confirmed, outcome.invoiced)
        campaign = db.session.get(Campaign, campaign_id)
        try:
            for one in batch:
                step(one, campaign, outcome)
            mails = _commit(outcome)
        except Exception:  # noqa: BLE001 - redone member by member
            db.session.rollback()
            outcome.issued.clear()
            outcome.confirmed, outcome.invoiced = before
            _one_by_one(batch, step, campaign_id, outcome)
        else:
            if mails:
                mail.deliver(mails)
        db.session.expunge_all()  # constant memory over 14,000 members
        progress(start + len(batch), len(ids))


def run(campaign: Campaign, *, unconfirmed: bool = False, progress=None) -> Outcome:
    """Confirm (with `unconfirmed`) then invoice the year; commits batch by batch and empties the
    session after each (the caller's objects, `campaign` included, come back detached)."""
    progress = progress or (lambda step, done, total: None)
    outcome = Outcome()
    campaign_id, year = campaign.id, campaign.year
    if unconfirmed:
        if clock.today() < campaign.opens_on:
            raise ServiceError("campaign_not_open")
        ids = unconfirmed_member_ids(campaign)
        _batches(ids, _confirm, campaign_id, outcome, partial(progress, "confirmed"))
    ids = uninvoiced_declaration_ids(year)
    _batches(ids, _invoice, campaign_id, outcome, partial(progress, "invoiced"))
    return outcome
