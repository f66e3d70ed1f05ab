from datetime import date

import pytest

from app.domain.employment import DateError, age_on, check_dates, is_in_workforce

TODAY = date(2026, 3, 15)
BIRTH = date(1990, 6, 20)
HIRED = date(2020, 9, 1)


@pytest.mark.parametrize(
    ("birth_date", "hired_on", "post_entry_on", "contract_end_on", "errors"),
    [
        (BIRTH, HIRED, HIRED, None, {}),
        (BIRTH, HIRED, date(2021, 1, 4), date(2026, 8, 31), {}),
        # same day as the hiring is fine for the post entry and the contract end
        (BIRTH, HIRED, HIRED, HIRED, {}),
        (None, None, None, None, {}),
        # birth
        (date(2026, 3, 16), None, None, None, {"birth_date": DateError.IN_FUTURE_BIRTH}),
        (TODAY, None, None, None, {}),
        (
            date(2026, 4, 1),
            date(2026, 5, 1),
            None,
            None,
            {"birth_date": DateError.IN_FUTURE_BIRTH},
        ),
        (HIRED, HIRED, None, None, {"birth_date": DateError.BIRTH_NOT_BEFORE_HIRING}),
        (date(2021, 1, 1), HIRED, None, None, {"birth_date": DateError.BIRTH_NOT_BEFORE_HIRING}),
        # age on the hiring day: 14 is the floor (apprentices from 15, a few cases at 14)
        (date(2006, 9, 1), HIRED, None, None, {}),
        (date(2006, 9, 2), HIRED, None, None, {"hired_on": DateError.TOO_YOUNG}),
        (date(2010, 1, 1), HIRED, None, None, {"hired_on": DateError.TOO_YOUNG}),
        (date(2012, 2, 29), date(2026, 2, 28), None, None, {"hired_on": DateError.TOO_YOUNG}),
        (date(2012, 2, 29), date(2026, 3, 1), None, None, {}),
        # post entry and contract end against the hiring
        (BIRTH, HIRED, date(2020, 8, 31), None, {"post_entry_on": DateError.ENTRY_BEFORE_HIRING}),
        (BIRTH, HIRED, None, date(2020, 8, 31), {"contract_end_on": DateError.END_BEFORE_HIRING}),
        (None, HIRED, date(2020, 8, 31), None, {"post_entry_on": DateError.ENTRY_BEFORE_HIRING}),
        (None, None, date(2020, 8, 31), date(2019, 1, 1), {}),
        # several fields wrong at once
        (
            date(2010, 1, 1),
            HIRED,
            date(2020, 1, 1),
            date(2020, 2, 1),
            {
                "hired_on": DateError.TOO_YOUNG,
                "post_entry_on": DateError.ENTRY_BEFORE_HIRING,
                "contract_end_on": DateError.END_BEFORE_HIRING,
            },
        ),
        (
            date(2027, 1, 1),
            HIRED,
            date(2020, 1, 1),
            None,
            {
                "birth_date": DateError.IN_FUTURE_BIRTH,
                "post_entry_on": DateError.ENTRY_BEFORE_HIRING,
            },
        ),
    ],
)
def test_dates_of_an_employment(birth_date, hired_on, post_entry_on, contract_end_on, errors):
    assert check_dates(birth_date, hired_on, post_entry_on, contract_end_on, TODAY) == errors


@pytest.mark.parametrize(
    ("contract_end_on", "expected"),
    [
        (None, True),
        (date(2026, 12, 31), True),
        (date(2026, 3, 16), True),
        (TODAY, False),
        (date(2026, 3, 14), False),
        (date(2020, 1, 1), False),
    ],
)
def test_employee_leaves_the_workforce_on_the_end_of_contract_date(contract_end_on, expected):
    assert is_in_workforce(contract_end_on, TODAY) is expected


@pytest.mark.parametrize(
    ("birth_date", "day", "age"),
    [
        (date(1990, 6, 20), date(2026, 6, 19), 35),
        (date(1990, 6, 20), date(2026, 6, 20), 36),
        (date(1990, 6, 20), date(2026, 12, 31), 36),
        (date(1990, 6, 20), date(1990, 6, 20), 0),
        (date(1990, 12, 31), date(1991, 1, 1), 0),
        (date(1990, 6, 20), date(1990, 1, 1), -1),
        # born on 29 February: one year older on 1 March in common years
        (date(2008, 2, 29), date(2022, 2, 28), 13),
        (date(2008, 2, 29), date(2022, 3, 1), 14),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        # a 28 February birthday in a leap year
        (date(2007, 2, 28), date(2024, 2, 28), 17),
        (date(2007, 2, 28), date(2024, 2, 27), 16),
    ],
)
def test_age_on(birth_date, day, age):
    assert age_on(birth_date, day) == age
