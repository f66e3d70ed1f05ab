import pytest

from app.domain.visit_workflow import RequestStatus as S
from app.domain.visit_workflow import can_move, member_may_cancel


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.SUBMITTED, S.ACKNOWLEDGED, True),
        (S.SUBMITTED, S.SCHEDULED, True),
        (S.SUBMITTED, S.CANCELLED, True),
        (S.SUBMITTED, S.DONE, False),
        (S.ACKNOWLEDGED, S.SCHEDULED, True),
        (S.ACKNOWLEDGED, S.ABSENT, False),
        (S.SCHEDULED, S.SCHEDULED, True),
        (S.SCHEDULED, S.DONE, True),
        (S.SCHEDULED, S.ABSENT, True),
        (S.SCHEDULED, S.CANCELLED, False),
        (S.DONE, S.SCHEDULED, False),
        (S.ABSENT, S.DONE, False),
        (S.CANCELLED, S.SUBMITTED, False),
    ],
)
def test_moves(current, target, allowed):
    assert can_move(current, target) is allowed


@pytest.mark.parametrize(
    ("current", "allowed"),
    [(S.SUBMITTED, True), (S.ACKNOWLEDGED, True), (S.SCHEDULED, False), (S.DONE, False)],
)
def test_member_cancels_only_before_scheduling(current, allowed):
    assert member_may_cancel(current) is allowed
