"""The workflow of a medical visit request (manual, "Demande de visite médicale"; issue 5): the
member submits, the health team acknowledges and schedules (the convocation), then records the
visit as done or the employee as absent. A member may cancel while nothing is scheduled.

Leaving the workforce (issue 9, "An exited employee keeps open requests and gets convened"): the
employee leaves on the end-of-contract date (`employment.is_in_workforce`), so no appointment may
fall on or after it, and the requests still open are closed by the exit, except an appointment
taken while the employee was still employed, whose outcome the team must still record."""

import enum
from datetime import date

from app.domain.employment import is_in_workforce


class RequestStatus(enum.Enum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    SCHEDULED = "scheduled"
    DONE = "done"
    ABSENT = "absent"
    CANCELLED = "cancelled"


CANCELLABLE = frozenset({RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED})
# Not yet done, missed or cancelled: one such request per employee and exam type at most (a
# second one would only duplicate the first: issue 9, "Duplicate requests").
OPEN = CANCELLABLE | {RequestStatus.SCHEDULED}
MOVES = {
    RequestStatus.SUBMITTED: {
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.SCHEDULED,
        RequestStatus.CANCELLED,
    },
    RequestStatus.ACKNOWLEDGED: {RequestStatus.SCHEDULED, RequestStatus.CANCELLED},
    # A scheduled visit may be moved to another slot, then happens or is missed; it is cancelled
    # only when the employee leaves before it (never by the member: `member_may_cancel`).
    RequestStatus.SCHEDULED: {
        RequestStatus.SCHEDULED,
        RequestStatus.DONE,
        RequestStatus.ABSENT,
        RequestStatus.CANCELLED,
    },
    RequestStatus.DONE: set(),
    RequestStatus.ABSENT: set(),
    RequestStatus.CANCELLED: set(),
}


def can_move(current: RequestStatus, target: RequestStatus) -> bool:
    return target in MOVES[current]


def member_may_cancel(current: RequestStatus) -> bool:
    return current in CANCELLABLE


def may_convene(contract_end_on: date | None, appointment_on: date) -> bool:
    """Whether the employee is still in the workforce on the day of the appointment."""
    return is_in_workforce(contract_end_on, appointment_on)


def closed_by_exit(
    status: RequestStatus,
    scheduled_on: date | None,
    contract_end_on: date | None,
    today: date,
) -> bool:
    """Whether an exit on `contract_end_on` closes this request today: an appointment on or after
    the exit at once (even when the exit is still to come), any other open request once the
    employee has left; an appointment before the exit stays, to be recorded as done or missed."""
    if status not in OPEN or contract_end_on is None:
        return False
    if status is RequestStatus.SCHEDULED and scheduled_on is not None:
        return not may_convene(contract_end_on, scheduled_on)
    return not is_in_workforce(contract_end_on, today)
