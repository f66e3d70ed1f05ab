import pytest

from app.domain.visit_workflow import MOVES, OPEN, can_move, member_may_cancel
from app.domain.visit_workflow import RequestStatus as S


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


def test_open_requests_are_those_not_yet_done_missed_or_cancelled():
    assert {S.SUBMITTED, S.ACKNOWLEDGED, S.SCHEDULED} == OPEN


def test_a_closed_request_never_opens_again():
    """The one-open-request-per-exam index is then only ever met by a new request."""
    for status in set(S) - OPEN:
        assert not MOVES[status] & OPEN, status
