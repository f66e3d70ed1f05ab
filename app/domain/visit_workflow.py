"""The workflow of a medical visit request (manual, "Demande de visite médicale"; issue 5): the
member submits, the health team acknowledges and schedules (the convocation), then records the
visit as done or the employee as absent. A member may cancel while nothing is scheduled."""

import enum


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
    # A scheduled visit may be moved to another slot, then happens or is missed.
    RequestStatus.SCHEDULED: {RequestStatus.SCHEDULED, RequestStatus.DONE, RequestStatus.ABSENT},
    RequestStatus.DONE: set(),
    RequestStatus.ABSENT: set(),
    RequestStatus.CANCELLED: set(),
}


def can_move(current: RequestStatus, target: RequestStatus) -> bool:
    return target in MOVES[current]


def member_may_cancel(current: RequestStatus) -> bool:
    return current in CANCELLABLE
