"""Follow-up categories (catégorie de suivi) and the category of a set of declared risks.

Rules: shared/spec/domain-rules.md §1 (Code du travail R4624-10 to R4624-28, décret 2025-355).
A risk's category depends on the date: the categories are data with validity periods.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


class FollowUp(enum.Enum):
    """SI: suivi individuel simple; SIA: suivi individuel adapté; SIR: suivi individuel renforcé."""

    SI = "SI"
    SIA = "SIA"
    SIR = "SIR"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {FollowUp.SI: 0, FollowUp.SIA: 1, FollowUp.SIR: 2}


@dataclass(frozen=True)
class CategoryPeriod:
    """The category of one risk from `valid_from` to `valid_until` (inclusive, open if None)."""

    risk_code: str
    category: FollowUp
    valid_from: date | None = None
    valid_until: date | None = None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


def risk_category(risk_code: str, periods: Iterable[CategoryPeriod], day: date) -> FollowUp:
    """The category of one risk in force on `day`; SI when no period covers it."""
    found = [p.category for p in periods if p.risk_code == risk_code and p.covers(day)]
    return max(found, key=lambda c: c.rank, default=FollowUp.SI)


def category_of(
    risk_codes: Iterable[str], periods: Iterable[CategoryPeriod], day: date
) -> FollowUp:
    """The most demanding category over the declared risks on `day` (SIR > SIA > SI)."""
    periods = list(periods)
    return max(
        (risk_category(code, periods, day) for code in risk_codes),
        key=lambda c: c.rank,
        default=FollowUp.SI,
    )
