from datetime import date

import pytest

from app.domain.visit_workflow import (
    MOVES,
    OPEN,
    can_move,
    closed_by_exit,
    may_convene,
    member_may_cancel,
)
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
        (S.SCHEDULED, S.CANCELLED, True),  # the employee leaves before the appointment
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


TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("status", "scheduled_on", "end_on", "closed"),
    [
        # No end date: nothing closes.
        (S.SUBMITTED, None, None, False),
        (S.SCHEDULED, date(2026, 12, 3), None, False),
        # Left today or earlier: what is not scheduled closes.
        (S.SUBMITTED, None, TODAY, True),
        (S.ACKNOWLEDGED, None, date(2026, 1, 31), True),
        # ... an appointment taken while employed stays, to record its outcome.
        (S.SCHEDULED, date(2026, 11, 28), TODAY, False),
        (S.SCHEDULED, TODAY, TODAY, True),  # on the day of leaving: no longer employed
        (S.SCHEDULED, date(2026, 12, 3), TODAY, True),
        # Leaving later: open requests wait (they may be scheduled before), except an
        # appointment on or after the exit.
        (S.SUBMITTED, None, date(2026, 12, 31), False),
        (S.SCHEDULED, date(2026, 12, 30), date(2026, 12, 31), False),
        (S.SCHEDULED, date(2026, 12, 31), date(2026, 12, 31), True),
        (S.SCHEDULED, date(2027, 1, 4), date(2026, 12, 31), True),
        # Closed requests stay as they are.
        (S.DONE, date(2026, 11, 2), TODAY, False),
        (S.CANCELLED, None, TODAY, False),
        (S.ABSENT, date(2026, 12, 3), TODAY, False),
    ],
)
def test_an_exit_closes_open_requests_but_not_an_appointment_taken_while_employed(
    status, scheduled_on, end_on, closed
):
    assert closed_by_exit(status, scheduled_on, end_on, TODAY) is closed


@pytest.mark.parametrize(
    ("end_on", "appointment_on", "allowed"),
    [
        (None, date(2030, 1, 1), True),
        (date(2026, 12, 31), date(2026, 12, 30), True),
        (date(2026, 12, 31), date(2026, 12, 31), False),
        (date(2026, 12, 31), date(2027, 1, 4), False),
    ],
)
def test_an_employee_is_convened_only_while_in_the_workforce(end_on, appointment_on, allowed):
    assert may_convene(end_on, appointment_on) is allowed
