"""The DUERP (document unique d'évaluation des risques professionnels) question at login (issue
10; manual, "Déposer votre DUERP"; domain-rules.md §4): the employer sends its DUERP to its SPST at
every update, and updates it at least yearly from 11 employees.

The portal asks at each new login, except while a deposit is recent (`months`, a setting), and,
for a member under 11 employees, for a year after it answered "Non".
"""

from dataclasses import dataclass
from datetime import date

from app.domain.due_dates import add_months

YEARLY_FROM = 11  # employees: the DUERP is updated at least yearly from this workforce


@dataclass(frozen=True)
class DuerpFacts:
    last_deposit_on: date | None  # the latest DUERP version deposited
    last_no_on: date | None  # the latest "Non" to "Avez-vous réalisé votre DUERP ?"
    headcount: int  # employees in the workforce today


def _within(day: date | None, today: date, months: int) -> bool:
    return day is not None and day > add_months(today, -months)


def should_ask(facts: DuerpFacts, today: date, months: int = 12) -> bool:
    if _within(facts.last_deposit_on, today, months):
        return False
    return not (facts.headcount < YEARLY_FROM and _within(facts.last_no_on, today, months))


def is_overdue(facts: DuerpFacts, today: date, months: int = 12) -> bool:
    """A member that must update yearly and has deposited nothing in `months` (the back-office's
    follow-up)."""
    return facts.headcount >= YEARLY_FROM and not _within(facts.last_deposit_on, today, months)


def check_updated_on(updated_on: date | None, today: date) -> str | None:
    """The error code of the "Date de dernière mise à jour" given with a "Oui", if any."""
    if updated_on is None:
        return "duerp_date_missing"
    if updated_on > today:
        return "duerp_date_future"
    return None
