"""The staff's page of background jobs (issue 13, "Jobs ... are visible to staff (queued, running,
done, failed with the error)"): the list of `background_job` rows, newest first, filtered by
status and kind and paged, with the count per status; one job with who asked for it; the count
of failed jobs for the staff home.

A page costs two statements whatever its rows: the counts per status (the kind filter applied),
then the rows with the user who asked joined (no relationship on the model: an outer join).
"""

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from app.domain.inputs import parse_int
from app.extensions import db
from app.models.job import Job, JobStatus
from app.models.user import PortalUser
from app.services import jobs

PAGE_SIZE = 50
STATUSES = tuple(status.value for status in JobStatus)


@dataclass
class Filters:
    status: str = ""  # "" every status, else a JobStatus value
    kind: str = ""  # "" every kind, else a registered task's kind
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        """From the query string; values that mean nothing are ignored, never an error."""
        status, kind = args.get("status", ""), args.get("kind", "")
        return cls(
            status=status if status in STATUSES else "",
            kind=kind if kind in jobs.TASKS else "",
            page=parse_int(args.get("page", ""), 1, 100_000) or 1,
        )


@dataclass(frozen=True)
class Row:
    job: Job
    requester: PortalUser | None  # None: a command or the scheduler started it

    @property
    def stale(self) -> bool:
        """Running, but its worker has not reported for a long while (app.services.jobs)."""
        return self.job.status is JobStatus.RUNNING and jobs.is_stale(self.job)

    @property
    def can_relaunch(self) -> bool:
        return jobs.can_relaunch(self.job)

    @property
    def params(self) -> dict:
        try:
            found = json.loads(self.job.params or "{}")
        except ValueError:
            return {"": self.job.params}
        return found if isinstance(found, dict) else {"": found}


@dataclass(frozen=True)
class JobPage:
    rows: list[Row]
    counts: dict[JobStatus, int]  # per status, under the kind filter
    total: int  # the rows matching every filter


def _rows(statement) -> list[Row]:
    return [Row(job, user) for job, user in db.session.execute(statement).all()]


def _with_requester():
    return select(Job, PortalUser).outerjoin(PortalUser, PortalUser.id == Job.requested_by_id)


def page(filters: Filters, size: int = PAGE_SIZE) -> JobPage:
    kind = [Job.kind == filters.kind] if filters.kind else []
    found = dict(
        db.session.execute(
            select(Job.status, func.count(Job.id)).where(*kind).group_by(Job.status)
        ).all()
    )
    counts = {status: int(found.get(status, 0)) for status in JobStatus}
    status = [Job.status == JobStatus(filters.status)] if filters.status else []
    total = counts[JobStatus(filters.status)] if filters.status else sum(counts.values())
    pages = max((total + size - 1) // size, 1)
    filters.page = min(filters.page, pages)
    if not total:
        return JobPage([], counts, 0)
    rows = _rows(
        _with_requester()
        .where(*kind, *status)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(size)
        .offset((filters.page - 1) * size)
    )
    return JobPage(rows, counts, total)


def job(job_id: int) -> Row | None:
    """One job with the user who asked for it."""
    found = _rows(_with_requester().where(Job.id == job_id))
    return found[0] if found else None


def kinds() -> list[tuple[str, object]]:
    """The registered tasks, (kind, label), by label, for the list's filter (in a request: the
    labels are translated)."""
    found = [(kind, str(task.label)) for kind, task in jobs.TASKS.items()]
    return sorted(found, key=lambda pair: pair[1])


def failed_count():
    """The failed jobs (a scalar subquery: the staff home counts it with its other figures)."""
    return select(func.count(Job.id)).where(Job.status == JobStatus.FAILED).scalar_subquery()
