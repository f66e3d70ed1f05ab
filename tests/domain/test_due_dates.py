import csv
from datetime import date
from pathlib import Path

import pytest

from app.domain.due_dates import (
    EMA_KINDS,
    INTERMEDIATE_KINDS,
    VIP_OR_EMA_KINDS,
    DueDate,
    DueReason,
    FollowUpFacts,
    VisitDone,
    VisitKind,
    add_months,
    add_years,
    is_overdue,
    mid_career_year,
    next_due,
    return_to_work_deadline,
)
from app.domain.follow_up import FollowUp

EXAM_TYPES = Path(__file__).resolve().parents[2] / "app" / "data" / "reference" / "exam_types.csv"
ENTRY = date(2025, 3, 10)
K = VisitKind
R = DueReason


def facts(category=FollowUp.SI, post_entry_on=ENTRY, visits=(), **flags) -> FollowUpFacts:
    return FollowUpFacts(category, post_entry_on, visits=tuple(visits), **flags)


def visit(on, kind, next_due_on=None) -> VisitDone:
    return VisitDone(on, kind, next_due_on)


def due(on, reason) -> DueDate:
    return DueDate(on, reason)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 10), 0, date(2025, 3, 10)),
        (date(2025, 3, 10), 3, date(2025, 6, 10)),
        # 30 Nov + 3 months: 28 Feb in a common year, 29 Feb in a leap year
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2025, 8, 31), 2, date(2025, 10, 31)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 12, 31), 14, date(2027, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_add_months_rolls_a_missing_day_back_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2020, 6, 10), 3, date(2023, 6, 10)),
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 29), 5, date(2029, 2, 28)),
        (date(2023, 2, 28), 1, date(2024, 2, 28)),
    ],
)
def test_add_years_rolls_29_february_back_in_common_years(day, years, expected):
    assert add_years(day, years) == expected


FIRST_VISIT_CASES = {
    "si_three_months": (facts(), due(date(2025, 6, 10), R.FIRST_VIP)),
    "sia_three_months": (facts(FollowUp.SIA), due(date(2025, 6, 10), R.FIRST_VIP)),
    "30_nov_common_year": (
        facts(post_entry_on=date(2022, 11, 30)),
        due(date(2023, 2, 28), R.FIRST_VIP),
    ),
    "30_nov_leap_year": (
        facts(post_entry_on=date(2023, 11, 30)),
        due(date(2024, 2, 29), R.FIRST_VIP),
    ),
    "apprentice_two_months": (
        facts(apprentice=True),
        due(date(2025, 5, 10), R.FIRST_VIP_APPRENTICE),
    ),
    "apprentice_31_aug": (
        facts(post_entry_on=date(2025, 8, 31), apprentice=True),
        due(date(2025, 10, 31), R.FIRST_VIP_APPRENTICE),
    ),
    "apprentice_31_dec_leap": (
        facts(post_entry_on=date(2023, 12, 31), apprentice=True),
        due(date(2024, 2, 29), R.FIRST_VIP_APPRENTICE),
    ),
    "sir_before_assignment": (facts(FollowUp.SIR), due(ENTRY, R.BEFORE_ASSIGNMENT)),
    "sir_apprentice_before_assignment": (
        facts(FollowUp.SIR, apprentice=True),
        due(ENTRY, R.BEFORE_ASSIGNMENT),
    ),
    "night_worker_before_assignment": (
        facts(FollowUp.SIA, night_worker=True),
        due(ENTRY, R.BEFORE_ASSIGNMENT),
    ),
    "night_worker_apprentice_before_assignment": (
        facts(night_worker=True, apprentice=True),
        due(ENTRY, R.BEFORE_ASSIGNMENT),
    ),
    "17_on_entry_before_assignment": (
        facts(birth_date=date(2007, 3, 11)),
        due(ENTRY, R.BEFORE_ASSIGNMENT),
    ),
    "18_exactly_on_entry_three_months": (
        facts(birth_date=date(2007, 3, 10)),
        due(date(2025, 6, 10), R.FIRST_VIP),
    ),
    "17_apprentice_before_assignment": (
        facts(birth_date=date(2008, 1, 1), apprentice=True),
        due(ENTRY, R.BEFORE_ASSIGNMENT),
    ),
    "18_apprentice_two_months": (
        facts(birth_date=date(2007, 3, 10), apprentice=True),
        due(date(2025, 5, 10), R.FIRST_VIP_APPRENTICE),
    ),
    "born_29_feb_17_on_28_feb": (
        facts(post_entry_on=date(2026, 2, 28), birth_date=date(2008, 2, 29)),
        due(date(2026, 2, 28), R.BEFORE_ASSIGNMENT),
    ),
    "other_visits_do_not_count": (
        facts(
            visits=[
                visit(date(2025, 4, 1), K.DEMANDE),
                visit(date(2025, 4, 2), K.INTERM),
                visit(date(2025, 4, 3), K.REPRISE),
                visit(date(2025, 4, 4), K.PRE_REPRISE),
                visit(date(2025, 4, 5), K.MI_CARRIERE),
                visit(date(2025, 4, 6), K.FIN_CARRIERE),
                visit(date(2025, 4, 7), K.NCI),
            ]
        ),
        due(date(2025, 6, 10), R.FIRST_VIP),
    ),
}

PERIODIC_CASES = {
    "si_five_years": (
        facts(visits=[visit(date(2025, 5, 2), K.VIP_EMB)]),
        due(date(2030, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "si_from_the_last_vip_in_any_order": (
        facts(visits=[visit(date(2030, 4, 1), K.VIP_PER), visit(date(2025, 5, 2), K.VIP_EMB)]),
        due(date(2035, 4, 1), R.PERIODIC_VIP_SI),
    ),
    "si_29_feb_plus_five_years": (
        facts(visits=[visit(date(2024, 2, 29), K.VIP_EMB)]),
        due(date(2029, 2, 28), R.PERIODIC_VIP_SI),
    ),
    "si_after_an_ema": (
        facts(visits=[visit(date(2025, 5, 2), K.EMA_PER)]),
        due(date(2030, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "si_later_other_visits_do_not_move_it": (
        facts(
            visits=[
                visit(date(2025, 5, 2), K.VIP_EMB),
                visit(date(2026, 1, 5), K.REPRISE),
                visit(date(2026, 2, 5), K.DEMANDE),
            ]
        ),
        due(date(2030, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "si_radiation_flag_ignored": (
        facts(radiation_category_a=True, visits=[visit(date(2025, 5, 2), K.VIP_EMB)]),
        due(date(2030, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "sia_three_years": (
        facts(FollowUp.SIA, visits=[visit(date(2025, 5, 2), K.VIP_EMB)]),
        due(date(2028, 5, 2), R.PERIODIC_VIP_SIA),
    ),
    "sia_night_worker_after_first_vip": (
        facts(FollowUp.SIA, night_worker=True, visits=[visit(date(2025, 3, 10), K.VIP_EMB)]),
        due(date(2028, 3, 10), R.PERIODIC_VIP_SIA),
    ),
    "sia_29_feb_plus_three_years": (
        facts(FollowUp.SIA, visits=[visit(date(2024, 2, 29), K.VIP_PER)]),
        due(date(2027, 2, 28), R.PERIODIC_VIP_SIA),
    ),
}

SIR_CASES = {
    "no_intermediate_two_years": (
        facts(FollowUp.SIR, visits=[visit(date(2025, 1, 15), K.EMA_EMB)]),
        due(date(2027, 1, 15), R.INTERMEDIATE),
    ),
    "intermediate_done_four_years": (
        facts(
            FollowUp.SIR,
            visits=[visit(date(2026, 6, 1), K.INTERM), visit(date(2025, 1, 15), K.EMA_EMB)],
        ),
        due(date(2029, 1, 15), R.EMA_PERIODIC),
    ),
    "intermediate_before_the_last_ema_does_not_count": (
        facts(
            FollowUp.SIR,
            visits=[
                visit(date(2020, 1, 15), K.EMA_EMB),
                visit(date(2021, 6, 1), K.INTERM),
                visit(date(2024, 1, 15), K.EMA_PER),
            ],
        ),
        due(date(2026, 1, 15), R.INTERMEDIATE),
    ),
    "intermediate_on_the_ema_day_does_not_count": (
        facts(
            FollowUp.SIR,
            visits=[visit(date(2025, 1, 15), K.EMA_PER), visit(date(2025, 1, 15), K.INTERM)],
        ),
        due(date(2027, 1, 15), R.INTERMEDIATE),
    ),
    "ema_29_feb_plus_two_years": (
        facts(FollowUp.SIR, visits=[visit(date(2024, 2, 29), K.EMA_EMB)]),
        due(date(2026, 2, 28), R.INTERMEDIATE),
    ),
    "ema_29_feb_plus_four_years": (
        facts(
            FollowUp.SIR,
            visits=[visit(date(2024, 2, 29), K.EMA_EMB), visit(date(2025, 3, 1), K.INTERM)],
        ),
        due(date(2028, 2, 29), R.EMA_PERIODIC),
    ),
    "radiation_a_yearly": (
        facts(
            FollowUp.SIR,
            radiation_category_a=True,
            visits=[visit(date(2025, 1, 15), K.EMA_EMB)],
        ),
        due(date(2026, 1, 15), R.RADIATION_YEARLY),
    ),
    "radiation_a_yearly_after_intermediate": (
        facts(
            FollowUp.SIR,
            radiation_category_a=True,
            visits=[visit(date(2024, 2, 29), K.EMA_PER), visit(date(2024, 9, 1), K.INTERM)],
        ),
        due(date(2025, 2, 28), R.RADIATION_YEARLY),
    ),
    "from_the_last_ema_not_a_later_vip": (
        facts(
            FollowUp.SIR,
            visits=[visit(date(2020, 1, 15), K.EMA_EMB), visit(date(2023, 5, 1), K.VIP_PER)],
        ),
        due(date(2022, 1, 15), R.INTERMEDIATE),
    ),
    "moved_from_si_ema_due_at_the_last_vip": (
        facts(
            FollowUp.SIR,
            post_entry_on=date(2024, 3, 1),
            visits=[visit(date(2024, 6, 1), K.VIP_EMB)],
        ),
        due(date(2024, 6, 1), R.BEFORE_ASSIGNMENT),
    ),
    "moved_from_si_vip_before_the_post_entry": (
        facts(
            FollowUp.SIR,
            post_entry_on=date(2024, 3, 1),
            visits=[visit(date(2024, 1, 10), K.VIP_EMB)],
        ),
        due(date(2024, 3, 1), R.BEFORE_ASSIGNMENT),
    ),
}

PROFESSIONAL_CASES = {
    "earlier_date_on_the_vip_wins": (
        facts(visits=[visit(date(2025, 5, 2), K.VIP_EMB, date(2027, 5, 2))]),
        due(date(2027, 5, 2), R.PROFESSIONAL),
    ),
    "later_date_ignored": (
        facts(visits=[visit(date(2025, 5, 2), K.VIP_EMB, date(2031, 1, 1))]),
        due(date(2030, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "same_date_keeps_the_rule": (
        facts(visits=[visit(date(2025, 5, 2), K.VIP_EMB, date(2030, 5, 2))]),
        due(date(2030, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "set_on_a_later_visit_on_request": (
        facts(
            visits=[
                visit(date(2025, 5, 2), K.VIP_EMB),
                visit(date(2026, 1, 10), K.DEMANDE, date(2026, 7, 1)),
            ]
        ),
        due(date(2026, 7, 1), R.PROFESSIONAL),
    ),
    "set_before_the_last_vip_ignored": (
        facts(
            visits=[
                visit(date(2020, 5, 2), K.VIP_EMB, date(2021, 5, 2)),
                visit(date(2024, 5, 2), K.VIP_PER),
            ]
        ),
        due(date(2029, 5, 2), R.PERIODIC_VIP_SI),
    ),
    "most_recent_setting_replaces_an_older_one": (
        facts(
            visits=[
                visit(date(2025, 5, 2), K.VIP_EMB, date(2026, 1, 1)),
                visit(date(2025, 9, 1), K.DEMANDE, date(2027, 1, 1)),
            ]
        ),
        due(date(2027, 1, 1), R.PROFESSIONAL),
    ),
    "same_day_settings_the_earliest_counts": (
        facts(
            visits=[
                visit(date(2025, 5, 2), K.VIP_EMB, date(2028, 1, 1)),
                visit(date(2025, 5, 2), K.DEMANDE, date(2027, 1, 1)),
            ]
        ),
        due(date(2027, 1, 1), R.PROFESSIONAL),
    ),
    "sir_earlier_than_intermediate": (
        facts(FollowUp.SIR, visits=[visit(date(2025, 1, 15), K.EMA_EMB, date(2026, 1, 15))]),
        due(date(2026, 1, 15), R.PROFESSIONAL),
    ),
    "sir_set_on_the_intermediate_visit": (
        facts(
            FollowUp.SIR,
            visits=[
                visit(date(2025, 1, 15), K.EMA_EMB),
                visit(date(2026, 6, 1), K.INTERM, date(2027, 6, 1)),
            ],
        ),
        due(date(2027, 6, 1), R.PROFESSIONAL),
    ),
    "before_the_first_vip_earlier_wins": (
        facts(visits=[visit(date(2025, 3, 20), K.DEMANDE, date(2025, 4, 15))]),
        due(date(2025, 4, 15), R.PROFESSIONAL),
    ),
    "before_the_first_vip_later_ignored": (
        facts(visits=[visit(date(2025, 3, 20), K.DEMANDE, date(2025, 9, 1))]),
        due(date(2025, 6, 10), R.FIRST_VIP),
    ),
}


def _table(cases):
    return pytest.mark.parametrize(
        ("given", "expected"), list(cases.values()), ids=list(cases.keys())
    )


@_table(FIRST_VISIT_CASES)
def test_first_visit_is_due_from_the_post_entry(given, expected):
    assert next_due(given) == expected


@_table(PERIODIC_CASES)
def test_si_and_sia_are_due_from_the_last_vip_or_ema(given, expected):
    assert next_due(given) == expected


@_table(SIR_CASES)
def test_sir_is_due_at_the_earliest_of_ema_intermediate_and_radiation(given, expected):
    assert next_due(given) == expected


@_table(PROFESSIONAL_CASES)
def test_professional_date_on_the_last_visit_wins_only_when_earlier(given, expected):
    assert next_due(given) == expected


@pytest.mark.parametrize(
    ("due_on", "today", "scheduled", "expected"),
    [
        (date(2026, 3, 14), date(2026, 3, 15), False, True),
        (date(2020, 1, 1), date(2026, 3, 15), False, True),
        (date(2026, 3, 14), date(2026, 3, 15), True, False),
        (date(2026, 3, 15), date(2026, 3, 15), False, False),
        (date(2026, 3, 16), date(2026, 3, 15), False, False),
        (date(2026, 3, 16), date(2026, 3, 15), True, False),
    ],
)
def test_overdue_when_past_and_nothing_scheduled(due_on, today, scheduled, expected):
    assert is_overdue(DueDate(due_on, R.FIRST_VIP), today, scheduled) is expected


@pytest.mark.parametrize(
    ("birth_date", "year"),
    [
        (date(1981, 6, 15), 2026),
        (date(1981, 1, 1), 2026),
        (date(1981, 12, 31), 2026),
        (date(1980, 2, 29), 2025),
    ],
)
def test_mid_career_year_is_the_year_of_the_45th_birthday(birth_date, year):
    assert mid_career_year(birth_date) == year


@pytest.mark.parametrize(
    ("back_on", "deadline"),
    [
        (date(2026, 3, 2), date(2026, 3, 10)),
        (date(2025, 12, 28), date(2026, 1, 5)),
        (date(2024, 2, 25), date(2024, 3, 4)),
        (date(2025, 2, 25), date(2025, 3, 5)),
    ],
)
def test_return_to_work_visit_within_8_days(back_on, deadline):
    assert return_to_work_deadline(back_on) == deadline


def test_visit_kinds_are_the_exam_type_codes():
    with EXAM_TYPES.open(newline="", encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert {kind.value for kind in VisitKind} == codes


def test_kind_groups():
    assert {K.VIP_EMB, K.VIP_PER, K.EMA_EMB, K.EMA_PER} == VIP_OR_EMA_KINDS
    assert {K.EMA_EMB, K.EMA_PER} == EMA_KINDS
    assert {K.INTERM} == INTERMEDIATE_KINDS
