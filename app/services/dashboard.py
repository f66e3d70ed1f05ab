"""The work shown on the home pages (issue 9, "Staff have no work queue" and "The member's home
says what to do").

Staff: the open visit requests by health team and status, with their count and the request date
of the oldest (the requests of members without a team first: nobody else will handle them), the
members without a team, the employees overdue for their periodic visit, and the members'
messages to handle (issue 12, "Contactez-nous").

A member: the employees overdue, those whose follow-up category changed with the regulations or
who still carry a withdrawn risk item (domain-rules.md §1), and its requests still awaiting an
appointment.

Every figure comes from grouped or counting statements: their number does not depend on the number
of rows. Member figures are scoped on the member explicitly (the tenancy guard filters on top of
it). Nothing here commits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select

from app.domain.visit_workflow import CANCELLABLE, OPEN, RequestStatus
from app.models.centre import HealthTeam
from app.models.contact import ContactMessage, MessageStatus
from app.models.employee import Employee
from app.models.member import Member
from app.models.visit import VisitRequest
from app.services import employee_list, job_list, outbox
from app.services.employee_list import in_workforce, overdue
from app.services.reports import overdue_of

# The queue's columns, in the order of the workflow.
QUEUE_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACKNOWLEDGED, RequestStatus.SCHEDULED)
SCHEDULED = RequestStatus.SCHEDULED


@dataclass(frozen=True)
class Cell:
    count: int
    oldest: datetime  # the request date of the oldest request counted
    past: int = 0  # scheduled requests whose appointment has passed: the outcome to record


@dataclass
class TeamQueue:
    team_id: int | None  # None: requests of members without a health team
    team_name: str | None
    cells: dict[RequestStatus, Cell] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells.values())

    @property
    def oldest(self) -> datetime | None:
        return min((cell.oldest for cell in self.cells.values()), default=None)


@dataclass(frozen=True)
class StaffFigures:
    queues: list[TeamQueue]  # the requests without a team first, then by team name
    members_without_team: int
    overdue_employees: int
    messages_to_handle: int = 0  # members' messages new or in progress (issue 12)
    messages_unassigned: int = 0  # of those, assigned to nobody
    failed_jobs: int = 0  # background jobs failed (issue 13)
    mails_given_up: int = 0  # outbox mails given up after their last retry (issue 13)

    @property
    def without_team(self) -> TeamQueue | None:
        return next((queue for queue in self.queues if queue.team_id is None), None)

    def total(self, status: RequestStatus) -> int:
        return sum(queue.cells[status].count for queue in self.queues if status in queue.cells)


def _queues(session, now: datetime) -> list[TeamQueue]:
    past = case((VisitRequest.scheduled_at < now, 1), else_=0)
    rows = session.execute(
        select(
            VisitRequest.health_team_id,
            HealthTeam.name,
            VisitRequest.status,
            func.count(VisitRequest.id),
            func.min(VisitRequest.requested_at),
            func.coalesce(func.sum(past), 0),
        )
        .outerjoin(HealthTeam, HealthTeam.id == VisitRequest.health_team_id)
        .where(VisitRequest.status.in_(OPEN))
        .group_by(VisitRequest.health_team_id, HealthTeam.name, VisitRequest.status)
    ).all()
    queues: dict[int | None, TeamQueue] = {}
    for team_id, team_name, status, count, oldest, passed in rows:
        queue = queues.setdefault(team_id, TeamQueue(team_id, team_name))
        queue.cells[status] = Cell(count, oldest, int(passed) if status is SCHEDULED else 0)
    return sorted(
        queues.values(), key=lambda queue: (queue.team_id is not None, queue.team_name or "")
    )


def staff_figures(session, now: datetime) -> StaffFigures:
    """The back-office home's figures: two statements, whatever the number of rows."""
    today = now.date()
    without_team = select(func.count(Member.id)).where(Member.health_team_id.is_(None))
    late = select(func.count(Employee.id)).where(in_workforce(today), overdue(today))
    to_handle = ContactMessage.status.in_([MessageStatus.NEW, MessageStatus.IN_PROGRESS])
    messages = select(func.count(ContactMessage.id)).where(to_handle)
    unassigned = messages.where(ContactMessage.assignee_id.is_(None))
    counts = session.execute(
        select(
            *(q.scalar_subquery() for q in (without_team, late, messages, unassigned)),
            job_list.failed_count(),
            outbox.given_up_count(),
        )
    ).one()
    return StaffFigures(
        queues=_queues(session, now),
        members_without_team=int(counts[0]),
        overdue_employees=int(counts[1]),
        messages_to_handle=int(counts[2]),
        messages_unassigned=int(counts[3]),
        failed_jobs=int(counts[4]),
        mails_given_up=int(counts[5]),
    )


def age_in_days(moment: datetime | None, today: date) -> int | None:
    return None if moment is None else max((today - moment.date()).days, 0)


@dataclass(frozen=True)
class MemberTodo:
    """What a member's user has to do or wait for; None where the user may not see it."""

    overdue: int | None = None
    changed: int | None = None
    redeclare: int | None = None
    to_declare: int | None = None  # imported without their risks (issue 14)
    awaiting: dict[RequestStatus, int] | None = None

    @property
    def awaiting_total(self) -> int:
        return sum((self.awaiting or {}).values())

    @property
    def empty(self) -> bool:
        return not (
            self.overdue or self.changed or self.redeclare or self.to_declare or self.awaiting_total
        )


def member_todo(
    session, member_id: int, today: date, *, late: bool, employees: bool, visits: bool
) -> MemberTodo:
    """The member's to-do: at most four statements, only those the user's rights call for
    (`late`: the employees overdue; `employees`: the declarations to check; `visits`: the
    requests awaiting an appointment)."""
    found = {}
    if late:
        found["overdue"] = session.scalar(
            select(func.count(Employee.id)).where(
                Employee.member_id == member_id, in_workforce(today), overdue_of(member_id, today)
            )
        )
    if employees:
        found.update(employee_list.notices(session, member_id, today))
    if visits:
        rows = session.execute(
            select(VisitRequest.status, func.count(VisitRequest.id))
            .where(VisitRequest.member_id == member_id, VisitRequest.status.in_(CANCELLABLE))
            .group_by(VisitRequest.status)
        ).tuples()
        counts = dict(rows.all())
        found["awaiting"] = {
            status: counts[status] for status in QUEUE_STATUSES if counts.get(status)
        }
    return MemberTodo(**found)
