from datetime import date

import pytest

from app.domain.follow_up import CategoryPeriod, FollowUp, category_of

DECREE = date(2025, 10, 1)
PERIODS = [
    CategoryPeriod("BRUIT", FollowUp.SI),
    CategoryPeriod("NUIT", FollowUp.SIA),
    CategoryPeriod("AMIANTE", FollowUp.SIR),
    CategoryPeriod("CONDUITE_CHARIOT", FollowUp.SIR, None, date(2025, 9, 30)),
    CategoryPeriod("CONDUITE_CHARIOT", FollowUp.SI, DECREE, None),
    CategoryPeriod("HABELEC", FollowUp.SIR, None, date(2025, 9, 30)),
    CategoryPeriod("HABELEC", FollowUp.SI, DECREE, None),
]


@pytest.mark.parametrize(
    ("risks", "day", "expected"),
    [
        ([], DECREE, FollowUp.SI),
        (["BRUIT"], DECREE, FollowUp.SI),
        (["BRUIT", "NUIT"], DECREE, FollowUp.SIA),
        (["NUIT", "AMIANTE"], DECREE, FollowUp.SIR),
        (["CONDUITE_CHARIOT"], date(2025, 9, 30), FollowUp.SIR),
        (["CONDUITE_CHARIOT"], DECREE, FollowUp.SI),
        (["HABELEC", "NUIT"], DECREE, FollowUp.SIA),
        (["HABELEC", "AMIANTE"], date(2026, 1, 1), FollowUp.SIR),
        (["UNKNOWN"], DECREE, FollowUp.SI),
    ],
)
def test_category_is_the_most_demanding_in_force_on_the_day(risks, day, expected):
    assert category_of(risks, PERIODS, day) is expected
