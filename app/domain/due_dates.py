"""Visit kinds and the next due date of an employee's periodic follow-up.

Rules: shared/spec/domain-rules.md §2 and shared/data/exam_types.csv (Code du travail R4624-10,
R4624-16 to R4624-18, R4624-24, R4624-28, R4624-31, L4624-2-2). Dates add calendar months or
years; a day that does not exist in the target month rolls back to the month's last day (30 Nov +
3 months = 28 or 29 Feb; 29 Feb + 1 year = 28 Feb). The caller passes `today`: nothing here reads
the clock.
"""

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.employment import age_on
from app.domain.follow_up import FollowUp

ADULT_AGE = 18
FIRST_VIP_MONTHS = 3
FIRST_VIP_APPRENTICE_MONTHS = 2
VIP_SI_YEARS = 5
VIP_SIA_YEARS = 3
EMA_YEARS = 4
INTERMEDIATE_YEARS = 2
RADIATION_A_YEARS = 1
MID_CAREER_AGE = 45
RETURN_TO_WORK_DAYS = 8


class VisitKind(enum.Enum):
    """The exam type codes of exam_types.csv. VIP: visite d'information et de prévention;
    EMA: examen médical d'aptitude; NCI: attestation de non contre-indication médicale."""

    VIP_EMB = "VIP_EMB"
    VIP_PER = "VIP_PER"
    EMA_EMB = "EMA_EMB"
    EMA_PER = "EMA_PER"
    INTERM = "INTERM"
    REPRISE = "REPRISE"
    PRE_REPRISE = "PRE_REPRISE"
    DEMANDE = "DEMANDE"
    MI_CARRIERE = "MI_CARRIERE"
    FIN_CARRIERE = "FIN_CARRIERE"
    NCI = "NCI"


# The visits that start a new period of the periodic follow-up.
VIP_OR_EMA_KINDS = frozenset(
    {VisitKind.VIP_EMB, VisitKind.VIP_PER, VisitKind.EMA_EMB, VisitKind.EMA_PER}
)
EMA_KINDS = frozenset({VisitKind.EMA_EMB, VisitKind.EMA_PER})
INTERMEDIATE_KINDS = frozenset({VisitKind.INTERM})


class DueReason(enum.Enum):
    BEFORE_ASSIGNMENT = "before_assignment"
    FIRST_VIP = "first_vip"
    FIRST_VIP_APPRENTICE = "first_vip_apprentice"
    PERIODIC_VIP_SI = "periodic_vip_si"
    PERIODIC_VIP_SIA = "periodic_vip_sia"
    EMA_PERIODIC = "ema_periodic"
    INTERMEDIATE = "intermediate"
    RADIATION_YEARLY = "radiation_yearly"
    # the health professional set an earlier date on the last visit
    PROFESSIONAL = "professional"


@dataclass(frozen=True)
class VisitDone:
    """A visit that took place; `next_due_on` is a due date the health professional set on it."""

    on: date
    kind: VisitKind
    next_due_on: date | None = None


@dataclass(frozen=True)
class FollowUpFacts:
    """What the next due date depends on. `visits` are the visits done, in any order."""

    category: FollowUp
    post_entry_on: date
    apprentice: bool = False
    night_worker: bool = False
    birth_date: date | None = None
    radiation_category_a: bool = False
    visits: tuple[VisitDone, ...] = ()


@dataclass(frozen=True)
class DueDate:
    on: date
    reason: DueReason


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months (negative goes back); a missing day rolls back to the
    last day of the month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """`day` plus `years` calendar years; 29 Feb rolls back to 28 Feb in common years."""
    return add_months(day, 12 * years)


def next_due(facts: FollowUpFacts) -> DueDate:
    """The next due date of the periodic follow-up (VIP or EMA, or the SIR intermediate visit).

    Before any VIP or EMA (other visits do not count): the start in the post itself for SIR,
    night workers and workers under 18 on that day (before assignment); + 2 months for an
    apprentice; + 3 months otherwise. After one: SI last VIP or EMA + 5 years, SIA + 3 years;
    SIR see `_sir_due`. The radiation flag only matters under SIR (category A workers are SIR).

    The health team may set a due date on a visit: the one set on the most recent visit carrying
    one, and done no earlier than the last VIP or EMA (any visit when there is none), replaces the
    computed date when it is strictly earlier. Several set on that same day: the earliest counts.
    """
    computed = _computed_due(facts)
    professional = _professional_due(facts.visits)
    if professional is not None and professional < computed.on:
        return DueDate(professional, DueReason.PROFESSIONAL)
    return computed


def is_overdue(due: DueDate, today: date, scheduled: bool) -> bool:
    """Overdue: the due date is past (before `today`) and no visit is scheduled."""
    return due.on < today and not scheduled


def mid_career_year(birth_date: date) -> int:
    """The calendar year of the 45th birthday, when the mid-career visit falls (L4624-2-2)."""
    return birth_date.year + MID_CAREER_AGE


def return_to_work_deadline(back_on: date) -> date:
    """The last day for the return-to-work visit (reprise): within 8 days of the return
    (R4624-31)."""
    return back_on + timedelta(days=RETURN_TO_WORK_DAYS)


def _last(visits: Iterable[VisitDone], kinds: frozenset[VisitKind]) -> VisitDone | None:
    return max((v for v in visits if v.kind in kinds), key=lambda v: v.on, default=None)


def _computed_due(facts: FollowUpFacts) -> DueDate:
    last = _last(facts.visits, VIP_OR_EMA_KINDS)
    if last is None:
        return _first_due(facts)
    if facts.category is FollowUp.SIR:
        return _sir_due(facts, last)
    if facts.category is FollowUp.SIA:
        return DueDate(add_years(last.on, VIP_SIA_YEARS), DueReason.PERIODIC_VIP_SIA)
    return DueDate(add_years(last.on, VIP_SI_YEARS), DueReason.PERIODIC_VIP_SI)


def _first_due(facts: FollowUpFacts) -> DueDate:
    start = facts.post_entry_on
    minor = facts.birth_date is not None and age_on(facts.birth_date, start) < ADULT_AGE
    if facts.category is FollowUp.SIR or facts.night_worker or minor:
        return DueDate(start, DueReason.BEFORE_ASSIGNMENT)
    if facts.apprentice:
        return DueDate(
            add_months(start, FIRST_VIP_APPRENTICE_MONTHS), DueReason.FIRST_VIP_APPRENTICE
        )
    return DueDate(add_months(start, FIRST_VIP_MONTHS), DueReason.FIRST_VIP)


def _sir_due(facts: FollowUpFacts, last_vip_or_ema: VisitDone) -> DueDate:
    """The earliest of: last EMA + 4 years; last EMA + 2 years unless an intermediate visit took
    place after that EMA (strictly after: the same day does not count); last EMA + 1 year for
    ionising radiation category A.

    A SIR employee with a VIP but no EMA (moved from SI or SIA to SIR) needs the EMA before
    assignment to the SIR post. The day the category changed is not among the facts, so the EMA
    is due at once: on the later of the post entry and the last VIP, a past date that shows as
    overdue unless a visit is scheduled.
    """
    ema = _last(facts.visits, EMA_KINDS)
    if ema is None:
        return DueDate(max(facts.post_entry_on, last_vip_or_ema.on), DueReason.BEFORE_ASSIGNMENT)
    candidates = [DueDate(add_years(ema.on, EMA_YEARS), DueReason.EMA_PERIODIC)]
    if not any(v.kind in INTERMEDIATE_KINDS and v.on > ema.on for v in facts.visits):
        candidates.append(DueDate(add_years(ema.on, INTERMEDIATE_YEARS), DueReason.INTERMEDIATE))
    if facts.radiation_category_a:
        candidates.append(DueDate(add_years(ema.on, RADIATION_A_YEARS), DueReason.RADIATION_YEARLY))
    return min(candidates, key=lambda due: due.on)


def _professional_due(visits: tuple[VisitDone, ...]) -> date | None:
    last = _last(visits, VIP_OR_EMA_KINDS)
    eligible = [
        v for v in visits if v.next_due_on is not None and (last is None or v.on >= last.on)
    ]
    if not eligible:
        return None
    latest = max(v.on for v in eligible)
    return min(v.next_due_on for v in eligible if v.on == latest)
