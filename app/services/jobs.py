"""Background jobs (issue 13): what touches many members or employees runs outside the web request.

The queue is RQ on Redis (`REDIS_URL`); `flask worker` runs the jobs. Without Redis (`make run`,
the tests), a job runs in the process: once the response is out when it is started in a request,
at once otherwise. Either way the job is a row of `background_job` that staff follow in the
back-office (queued, running with its progress, done with its outcome, failed with the error).

- `start(kind, **params)` records the job in its own short transaction and hands it to the
  queue. Called inside a transaction that is not committed yet, it waits for that commit (a
  rolled-back transaction starts nothing), so a worker never runs ahead of the data it needs.
- `perform(job_id)` is what a worker runs: it claims the job (queued -> running, one statement:
  a second worker, or the same job handed over twice, finds it taken and does nothing), runs
  the task, and records the outcome or the error. Tasks are idempotent themselves (a relaunch
  after a failure redoes only what is missing): they work by batches committed one at a time.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from app import clock
from app.extensions import db
from app.models.job import Job, JobStatus
from app.security import tenancy

log = logging.getLogger(__name__)
QUEUE_NAME = "portal"
# A running job reports progress at least this often (each batch); older, it lost its worker.
STALE_AFTER = timedelta(minutes=15)
PROGRESS_EVERY = timedelta(seconds=1)
_PENDING = "jobs_to_start"  # session.info key: jobs waiting for the caller's commit
_WROTE = "jobs_session_wrote"  # session.info key: the transaction has written something


@dataclass(frozen=True)
class Task:
    kind: str
    run: Callable[..., str]  # run(progress, **params) -> the outcome, in the staff's words
    label: object  # lazy French label, shown to staff
    single: bool  # with Redis, a start while one is queued (not started yet) reuses it


TASKS: dict[str, Task] = {}


def task(kind: str, label, single: bool = False):
    """Register a job function under `kind` (app/tasks.py)."""

    def register(function):
        TASKS[kind] = Task(kind, function, label, single)
        return function

    return register


class Progress:
    """Passed to a task: `progress(done, total)` records how far it went (its own short
    transaction, at most once a second, so it costs nothing to the batches)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._last: datetime | None = None

    def __call__(self, done: int, total: int | None = None, force: bool = False) -> None:
        now = clock.now()
        if not force and self._last is not None and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        values = {"done": done, "heartbeat_at": now}
        if total is not None:
            values["total"] = total
        _write(self.job_id, **values)


def _write(job_id: int, status_was: JobStatus | None = None, **values) -> bool:
    """Update the job row in a transaction of its own; False when `status_was` did not match."""
    statement = update(Job).where(Job.id == job_id).values(**values)
    if status_was is not None:
        statement = statement.where(Job.status == status_was)
    with Session(db.engine) as session:
        changed = session.execute(statement).rowcount
        session.commit()
    return changed == 1


def start(kind: str, requested_by_id: int | None = None, **params) -> int | None:
    """Start a job once the caller's transaction commits (at once when there is none: its id
    is returned then, for a link to its page)."""
    if kind not in TASKS:
        raise KeyError(f"unknown job kind {kind!r}")
    request = (kind, requested_by_id, params)
    session = db.session()
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        session.info.setdefault(_PENDING, []).append(request)
        return None
    # nothing of the caller's waits for a commit (or it is committed already)
    return _create_and_dispatch(*request)


def start_at(when: datetime, kind: str, **params) -> None:
    """Start a job at a later time (a retry): with Redis only, through RQ's scheduler (`flask
    worker` runs it); in the process there is no timer, the next start of the kind (or its
    command, from cron) does the work."""
    if not current_app.config.get("REDIS_URL"):
        return
    with Session(db.engine) as session:  # one planned run is enough (each outbox run plans)
        planned = session.scalar(
            select(Job.id).where(
                Job.kind == kind,
                Job.params == json.dumps(params, sort_keys=True, default=str),
                Job.status == JobStatus.QUEUED,
                Job.run_after <= when,
            )
        )
    if planned is None:
        _create_and_dispatch(kind, None, params, run_after=when)


def _create_and_dispatch(
    kind: str, requested_by_id: int | None, params: dict, run_after: datetime | None = None
) -> int:
    encoded = json.dumps(params, sort_keys=True, default=str)
    with Session(db.engine) as session:
        # A queued job not started yet will see what the caller committed: reuse it. (In the
        # process, each start runs its own: a queued one may be waiting for a response that a
        # client never closes.)
        if TASKS[kind].single and run_after is None and current_app.config.get("REDIS_URL"):
            job_id = session.scalar(
                select(Job.id).where(
                    Job.kind == kind,
                    Job.params == encoded,
                    Job.status == JobStatus.QUEUED,
                    Job.run_after.is_(None),
                )
            )
            if job_id is not None:
                return job_id
        job = Job(
            kind=kind,
            params=encoded,
            status=JobStatus.QUEUED,
            created_at=clock.now(),
            run_after=run_after,
            requested_by_id=requested_by_id,
        )
        session.add(job)
        session.commit()
        job_id = job.id
    dispatch(job_id, run_after)
    return job_id


def dispatch(job_id: int, run_after: datetime | None = None) -> None:
    """Hand a recorded job to RQ, or run it in the process when no Redis is configured."""
    if current_app.config.get("REDIS_URL"):
        options = {
            "job_id": f"portal-job-{job_id}-{clock.now().timestamp():.0f}",
            "job_timeout": current_app.config["JOB_TIMEOUT"],
            "result_ttl": 3600,
            "failure_ttl": 7 * 86400,
        }
        try:
            if run_after is not None and run_after > clock.now():
                # our times are Paris local time, naive (app.clock); RQ reads naive as the
                # machine's zone
                when = run_after.replace(tzinfo=clock.PARIS)
                queue().enqueue_at(when, perform, job_id, **options)
            else:
                queue().enqueue(perform, job_id, **options)
        except Exception:  # Redis down: the row stays queued; `flask worker` picks it up
            log.exception("job %s recorded but not handed to Redis", job_id)
        return
    if has_request_context():
        from app.services.mail import run_after_response

        run_after_response(lambda: perform(job_id))
    else:
        perform(job_id)


def queue():
    import redis
    from rq import Queue

    connection = redis.Redis.from_url(current_app.config["REDIS_URL"])
    return Queue(QUEUE_NAME, connection=connection)


def perform(job_id: int) -> None:
    """Run one job (the function RQ calls), in an app context of its own (a fresh session: the
    caller's may be mid-commit)."""
    if has_app_context():
        app = current_app._get_current_object()
    else:  # a plain `rq worker`
        from app import create_app

        app = create_app()
    with app.app_context():
        _perform(job_id)


def _perform(job_id: int) -> None:
    now = clock.now()
    claimed = _write(
        job_id,
        status_was=JobStatus.QUEUED,
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error=None,
        attempts=Job.attempts + 1,
    )
    if not claimed:
        log.info("job %s already taken or finished: nothing to do", job_id)
        return
    job = db.session.get(Job, job_id)
    kind, params = job.kind, json.loads(job.params)
    db.session.commit()
    try:
        with tenancy.system_scope():  # trusted work: also when run under a request's context
            outcome = TASKS[kind].run(Progress(job_id), **params)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        _write(
            job_id,
            status=JobStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=clock.now(),
        )
        return
    _write(job_id, status=JobStatus.DONE, outcome=(outcome or "")[:500], finished_at=clock.now())


def relaunch(job: Job) -> bool:
    """Queue a failed job again, or one whose worker stopped answering (its work is resumable:
    the task redoes only what is missing). False when it is queued, running or done."""
    if not can_relaunch(job):
        return False
    was = job.status
    if not _write(job.id, status_was=was, status=JobStatus.QUEUED, error=None):
        return False
    dispatch(job.id)
    return True


def can_relaunch(job: Job) -> bool:
    if job.status is JobStatus.FAILED:
        return True
    return job.status is JobStatus.RUNNING and is_stale(job)


def is_stale(job: Job) -> bool:
    beat = job.heartbeat_at or job.started_at
    return beat is not None and clock.now() - beat > STALE_AFTER


def prune(kind: str, older_than: timedelta) -> int:
    """Forget the done jobs of a kind older than this (the outbox runs after nearly every
    request that mails: their rows would pile up); failed ones stay for staff."""
    limit = clock.now() - older_than
    with Session(db.engine) as session:
        count = session.execute(
            delete(Job).where(
                Job.kind == kind, Job.status == JobStatus.DONE, Job.created_at < limit
            )
        ).rowcount
        session.commit()
    return count


def requeue_waiting() -> int:
    """Hand to the queue again the jobs recorded as queued (Redis was down, or lost them): at
    the worker's start. A job handed over twice runs once (the claim)."""
    rows = db.session.execute(
        select(Job.id, Job.run_after).where(Job.status == JobStatus.QUEUED)
    ).all()
    db.session.commit()
    for job_id, run_after in rows:
        dispatch(job_id, run_after)
    return len(rows)


def work(burst: bool = False) -> None:
    """`flask worker`: run the queue's jobs in this process (RQ's SimpleWorker: no fork, so the
    database pool is never shared between processes), with RQ's scheduler for the retries."""
    from rq import SimpleWorker

    requeue_waiting()
    current = queue()
    SimpleWorker([current], connection=current.connection).work(
        burst=burst, with_scheduler=True, logging_level="INFO"
    )


def _after_commit(session) -> None:
    session.info.pop(_WROTE, None)
    waiting = session.info.pop(_PENDING, None)
    for request in waiting or ():
        _create_and_dispatch(*request)


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:  # the outermost ended without a commit (or after it)
        session.info.pop(_PENDING, None)
        session.info.pop(_WROTE, None)


def _wrote(session, *_args) -> None:
    session.info[_WROTE] = True


def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def install() -> None:
    """Register the commit hooks once per process."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        event.listen(Session, "after_flush", _wrote)
        event.listen(Session, "do_orm_execute", _executed)
