"""The DUERP question's rule (app.domain.duerp; issue 10, domain-rules.md §4): not asked while a
deposit is recent; a member under 11 employees is not asked again for a year after a "Non"; from 11
employees a "Non" does not stop the question; the date of last update is given and not future."""

from datetime import date

import pytest

from app.domain.duerp import DuerpFacts, check_updated_on, is_overdue, should_ask

TODAY = date(2026, 11, 29)
A_YEAR_AGO = date(2025, 11, 29)  # exactly 12 months: no longer recent
LAST_RECENT_DAY = date(2025, 11, 30)  # the oldest day still within 12 months


def facts(deposit=None, no=None, headcount=30) -> DuerpFacts:
    return DuerpFacts(last_deposit_on=deposit, last_no_on=no, headcount=headcount)


@pytest.mark.parametrize(
    ("case", "given", "asked"),
    [
        ("never answered, nothing deposited", facts(), True),
        ("deposit today", facts(deposit=TODAY), False),
        ("deposit a month ago", facts(deposit=date(2026, 10, 29)), False),
        ("deposit on the last recent day", facts(deposit=LAST_RECENT_DAY), False),
        ("deposit exactly 12 months ago", facts(deposit=A_YEAR_AGO), True),
        ("deposit two years ago", facts(deposit=date(2024, 11, 1)), True),
        ("under 11, 'Non' a month ago", facts(no=date(2026, 10, 29), headcount=10), False),
        ("under 11, 'Non' on the last recent day", facts(no=LAST_RECENT_DAY, headcount=5), False),
        ("under 11, 'Non' exactly 12 months ago", facts(no=A_YEAR_AGO, headcount=10), True),
        ("under 11, 'Non' two years ago", facts(no=date(2024, 6, 1), headcount=3), True),
        ("no employee, 'Non' today", facts(no=TODAY, headcount=0), False),
        ("11 employees, 'Non' today: asked again", facts(no=TODAY, headcount=11), True),
        ("30 employees, 'Non' a month ago: asked again", facts(no=date(2026, 10, 29)), True),
        (
            "under 11, old 'Non', recent deposit",
            facts(deposit=date(2026, 6, 1), no=date(2020, 1, 1), headcount=4),
            False,
        ),
    ],
)
def test_whether_the_question_is_asked(case, given, asked):
    assert should_ask(given, TODAY, 12) is asked, case


def test_the_recent_period_is_a_setting():
    six_months_ago = date(2026, 5, 29)
    assert should_ask(facts(deposit=six_months_ago), TODAY, 6) is True
    assert should_ask(facts(deposit=six_months_ago), TODAY, 12) is False
    assert should_ask(facts(no=six_months_ago, headcount=2), TODAY, 6) is True


@pytest.mark.parametrize(
    ("given", "overdue"),
    [
        (facts(), True),
        (facts(deposit=LAST_RECENT_DAY), False),
        (facts(deposit=A_YEAR_AGO), True),
        (facts(headcount=10), False),
        (facts(headcount=11), True),
    ],
)
def test_overdue_from_11_employees_without_a_recent_deposit(given, overdue):
    assert is_overdue(given, TODAY, 12) is overdue


@pytest.mark.parametrize(
    ("updated_on", "error"),
    [
        (None, "duerp_date_missing"),
        (date(2026, 11, 30), "duerp_date_future"),
        (date(2027, 1, 1), "duerp_date_future"),
        (TODAY, None),
        (date(2020, 3, 15), None),
    ],
)
def test_the_date_of_last_update(updated_on, error):
    assert check_updated_on(updated_on, TODAY) == error
