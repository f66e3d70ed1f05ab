"""Background jobs (issue 13): started after the caller's commit, claimed once, failures recorded
and relaunched; the real RQ queue on the local Redis; the outbox job's retries against a real
SMTP server that refuses, then accepts."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.account import OutboxMail
from app.models.job import Job, JobStatus
from app.services import jobs, mail
from tests.mail_server import Inbox, serving

REDIS = "redis://127.0.0.1:6379/6"  # a database of the local Redis of its own
RUNS: list[tuple[int, str]] = []  # what the test task did: (job's value, thread name)


def _count(progress, value: int, fail: bool = False) -> str:
    progress(1, 2)
    if fail:
        raise ValueError(f"refused {value}")
    RUNS.append((value, threading.current_thread().name))
    progress(2, 2, force=True)
    return f"counted {value}"


@pytest.fixture(autouse=True)
def _test_tasks():
    """The test tasks, registered for these tests only (the staff's page lists every task)."""
    RUNS.clear()
    jobs.task("test_count", "tâche de test")(_count)
    jobs.task("test_members", "tâche de test : compte les adhérents")(_members)
    yield
    for kind in ("test_count", "test_members"):
        jobs.TASKS.pop(kind)


def _jobs(app) -> list[Job]:
    with app.app_context():
        rows = db.session.scalars(select(Job).where(Job.kind == "test_count").order_by(Job.id))
        found = rows.all()
        db.session.expunge_all()
        return found


def test_without_redis_a_job_runs_in_the_process_and_records_its_outcome(app):
    with app.app_context():
        jobs.start("test_count", value=1)
    (job,) = _jobs(app)
    assert [(value, thread) for value, thread in RUNS] == [(1, threading.current_thread().name)]
    assert (job.status, job.outcome, job.done, job.total, job.attempts) == (
        JobStatus.DONE,
        "counted 1",
        2,
        2,
        1,
    )
    assert job.started_at <= job.finished_at and job.error is None


def test_a_job_waits_for_the_callers_commit_and_a_rollback_starts_nothing(app):
    with app.app_context():
        db.session.add(OutboxMail(created_at=clock.now(), recipient="a@b.test", subject="s"))
        jobs.start("test_count", value=2)
        assert RUNS == [] and _jobs(app) == []  # not before the commit
        db.session.commit()
        assert [value for value, _ in RUNS] == [2]

        db.session.add(OutboxMail(created_at=clock.now(), recipient="a@b.test", subject="s"))
        jobs.start("test_count", value=3)
        db.session.rollback()
        db.session.add(OutboxMail(created_at=clock.now(), recipient="a@b.test", subject="s"))
        db.session.commit()  # a later commit does not start what the rollback dropped
    assert [value for value, _ in RUNS] == [2]
    assert [job.status for job in _jobs(app)] == [JobStatus.DONE]


def test_a_job_handed_over_twice_runs_once(app):
    with app.app_context():
        job = Job(kind="test_count", params='{"value": 4}', created_at=clock.now())
        db.session.add(job)
        db.session.commit()
        job_id = job.id

    def perform():
        with app.app_context():
            jobs.perform(job_id)

    with app.app_context():
        threads = [threading.Thread(target=perform) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        jobs.perform(job_id)  # and once more, afterwards
    assert [value for value, _ in RUNS] == [4]
    assert [(j.status, j.attempts) for j in _jobs(app)] == [(JobStatus.DONE, 1)]


def test_a_failed_job_keeps_its_error_and_a_relaunch_runs_it_again(app):
    with app.app_context():
        jobs.start("test_count", value=5, fail=True)
        (job,) = _jobs(app)
        assert (job.status, job.error) == (JobStatus.FAILED, "ValueError: refused 5")
        assert job.done == 1 and job.finished_at is not None and RUNS == []
        assert jobs.can_relaunch(job)
        done = db.session.get(Job, job.id)
        done.params = '{"value": 5}'  # what was wrong is fixed
        db.session.commit()
        assert jobs.relaunch(db.session.get(Job, job.id)) is True
        (again,) = _jobs(app)
        assert (again.status, again.attempts, again.error) == (JobStatus.DONE, 2, None)
        assert jobs.relaunch(again) is False  # a done job is not relaunched
    assert [value for value, _ in RUNS] == [5]


def test_a_running_job_without_news_can_be_relaunched(app, monkeypatch):
    with app.app_context():
        job = Job(
            kind="test_count",
            params='{"value": 6}',
            status=JobStatus.RUNNING,
            created_at=clock.now(),
            started_at=clock.now(),
            heartbeat_at=clock.now(),
        )
        db.session.add(job)
        db.session.commit()
        assert not jobs.can_relaunch(job)
        later = clock.now() + jobs.STALE_AFTER + timedelta(minutes=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert jobs.is_stale(job) and jobs.relaunch(job)
    assert [value for value, _ in RUNS] == [6]


# --- the real queue: RQ on the local Redis ---------------------------------------------------


@pytest.fixture
def redis_queue(app):
    import redis

    connection = redis.Redis.from_url(REDIS)
    connection.flushdb()
    app.config["REDIS_URL"] = REDIS
    yield connection
    connection.flushdb()


def _work(app) -> None:
    from rq import SimpleWorker

    with app.app_context():
        queue = jobs.queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_with_redis_the_worker_runs_the_job(app, redis_queue):
    with app.app_context():
        jobs.start("test_count", value=7)
        assert jobs.queue().count == 1
    (job,) = _jobs(app)
    assert job.status is JobStatus.QUEUED and RUNS == []  # nothing ran in the web process
    _work(app)
    (job,) = _jobs(app)
    assert (job.status, job.outcome) == (JobStatus.DONE, "counted 7")
    assert [value for value, _ in RUNS] == [7]


def test_with_redis_a_job_queued_twice_runs_once(app, redis_queue):
    with app.app_context():
        jobs.start("test_count", value=8)
        assert jobs.requeue_waiting() == 1  # a worker starting while it waits hands it again
        assert jobs.queue().count == 2
    _work(app)
    assert [value for value, _ in RUNS] == [8]
    assert [(j.status, j.attempts) for j in _jobs(app)] == [(JobStatus.DONE, 1)]


def test_with_redis_down_the_job_stays_queued_for_the_worker(app, redis_queue):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    with app.app_context():
        jobs.start("test_count", value=9)
    assert [j.status for j in _jobs(app)] == [JobStatus.QUEUED]
    app.config["REDIS_URL"] = REDIS
    with app.app_context():
        assert jobs.requeue_waiting() == 1  # what `flask worker` does first
    _work(app)
    assert [j.status for j in _jobs(app)] == [JobStatus.DONE]


def test_with_redis_the_outbox_is_one_queued_job_for_many_mails(app, redis_queue):
    with app.app_context():
        for n in range(3):
            mail.queue(f"user{n}@example.test", "Sujet", "Texte")
            db.session.commit()
            mail.kick()
        waiting = db.session.scalar(
            select(func.count(Job.id)).where(Job.kind == "outbox", Job.status == JobStatus.QUEUED)
        )
    assert waiting == 1


# --- the outbox: retries against a real SMTP server ------------------------------------------


class Refusing(Inbox):
    """An SMTP server that answers "try later" until told to accept."""

    refuse = True

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing(app):
    with serving(app, Refusing()) as inbox:
        yield inbox


def _mail(app, mail_id: int) -> OutboxMail:
    with app.app_context():
        found = db.session.get(OutboxMail, mail_id)
        db.session.expunge(found)
        return found


def test_a_refused_mail_is_retried_later_then_sent(app, refusing, monkeypatch):
    start = clock.now()
    with app.app_context():
        queued = mail.queue("someone@example.test", "Sujet", "Texte")
        db.session.commit()
        mail_id = queued.id
        mail.kick()
    failed = _mail(app, mail_id)
    assert failed.sent_at is None and failed.attempts == 1 and "451" in failed.error
    assert failed.body == "Texte"  # kept for the next attempt
    assert failed.next_attempt_at - start >= mail.BACKOFF[0]
    (job,) = _outbox_jobs(app)
    assert job.status is JobStatus.DONE and job.outcome.startswith("0 e-mail(s) envoyé(s), 1")

    with app.app_context():
        mail.kick()  # too early: nothing is due, nothing is tried
    assert _mail(app, mail_id).attempts == 1 and refusing.received == []

    refusing.refuse = False
    later = failed.next_attempt_at + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with app.app_context():
        mail.kick()
    sent = _mail(app, mail_id)
    assert sent.sent_at == later and sent.body is None and sent.error is None
    assert sent.next_attempt_at is None
    ((recipients, message),) = refusing.received
    assert recipients == ["someone@example.test"] and message["Subject"] == "Sujet"


def _outbox_jobs(app) -> list[Job]:
    with app.app_context():
        found = db.session.scalars(select(Job).where(Job.kind == "outbox").order_by(Job.id)).all()
        db.session.expunge_all()
        return found


def test_a_mail_refused_every_time_is_given_up_and_staff_can_send_it_again(
    app, refusing, monkeypatch
):
    moment = [clock.now()]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    with app.app_context():
        mail_id = mail.queue("someone@example.test", "Sujet", "Texte").id
        db.session.commit()
        for _ in range(len(mail.BACKOFF) + 1):
            mail.kick()
            moment[0] += timedelta(hours=7)
    given_up = _mail(app, mail_id)
    assert given_up.attempts == len(mail.BACKOFF) + 1 and given_up.next_attempt_at is None
    assert given_up.sent_at is None and given_up.error
    refusing.refuse = False
    with app.app_context():
        mail.kick()  # given up: no longer tried
        assert refusing.received == []
        assert mail.send_again([mail_id]) == 1
        db.session.commit()
    assert _mail(app, mail_id).sent_at is not None and len(refusing.received) == 1


def test_a_personal_link_is_never_retried_nor_sent_again(app, refusing):
    with app.app_context():
        queued = mail.queue("a@b.test", "Lien", "Cliquez https://x/reset/SECRET", secret="SECRET")
        db.session.commit()
        mail.deliver([queued.id], {queued.id: "https://x/reset/SECRET"})
        mail.kick()
        assert mail.send_again([queued.id]) == 0
    kept = _mail(app, queued.id)
    assert kept.attempts == 1 and kept.next_attempt_at is None and "SECRET" not in kept.body


def test_two_senders_at_once_send_each_mail_once(app, refusing):
    refusing.refuse = False
    with app.app_context():
        ids = [mail.queue(f"u{n}@example.test", f"Sujet {n}", "Texte").id for n in range(40)]
        db.session.commit()

    def send():
        with app.app_context():
            mail.send_due(batch=5)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    subjects = sorted(message["Subject"] for _, message in refusing.received)
    assert subjects == sorted(f"Sujet {n}" for n in range(40))
    assert all(_mail(app, mail_id).sent_at is not None for mail_id in ids)


# --- the batch commands hand their work over with --background --------------------------------


def test_a_batch_command_with_background_is_a_job_staff_can_follow(app, redis_queue):
    def invoke(*args):
        with app.app_context():  # as `flask` does
            return app.test_cli_runner().invoke(args=list(args))

    result = invoke("send-reminders", "--nci", "--background")
    assert result.exit_code == 0, result.output
    with app.app_context():
        (job,) = db.session.scalars(select(Job).where(Job.kind == "reminders")).all()
        assert job.status is JobStatus.QUEUED and f"job {job.id} (reminders): queued" in (
            result.output
        )
    _work(app)
    with app.app_context():
        done = db.session.scalars(select(Job).where(Job.kind == "reminders")).one()
        assert done.status is JobStatus.DONE and done.outcome.startswith("NCI : ")
    failed = invoke("campaign-invite", "2999", "--background")
    assert failed.exit_code == 0  # queued: the worker finds no campaign, the job fails there
    _work(app)
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.kind == "campaign_mailing")).one()
        assert job.status is JobStatus.FAILED and "2999" in job.error


def test_the_outbox_forgets_its_done_runs_after_a_month_not_the_failed_ones(app, monkeypatch):
    with app.app_context():
        old = clock.now() - timedelta(days=31)
        for status in (JobStatus.DONE, JobStatus.FAILED):
            db.session.add(Job(kind="outbox", status=status, created_at=old, params="{}"))
        db.session.add(Job(kind="test_count", status=JobStatus.DONE, created_at=old, params="{}"))
        db.session.commit()
        mail.kick()
        kept = db.session.execute(select(Job.kind, Job.status, Job.created_at)).all()
    assert sorted((kind, status.value) for kind, status, _ in kept) == [
        ("outbox", "done"),  # the run just made
        ("outbox", "failed"),
        ("test_count", "done"),
    ]


def _members(progress) -> str:
    from app.models.member import Member

    return str(db.session.scalar(select(func.count(Member.id))))


def test_a_job_sees_every_member_even_under_a_member_users_request(app):
    from flask import g

    from app.models.member import Member
    from app.security.tenancy import Scope

    with app.app_context():
        members = db.session.scalar(select(func.count(Member.id)))
        job = Job(kind="test_members", params="{}", created_at=clock.now())
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    with app.test_request_context():
        g.tenant_scope = Scope(member_id=1)  # a member user's request, still open
        jobs.perform(job_id)
    with app.app_context():
        assert db.session.get(Job, job_id).outcome == str(members) and members > 1


def test_with_redis_a_refused_mail_plans_one_retry_however_many_runs(app, redis_queue, refusing):
    with app.app_context():
        mail.queue("someone@example.test", "Sujet", "Texte")
        db.session.commit()
        for _ in range(3):
            mail.kick()
            _work(app)
        planned = db.session.scalars(
            select(Job).where(Job.kind == "outbox", Job.run_after.is_not(None))
        ).all()
        (retry,) = planned
        failed = db.session.scalars(select(OutboxMail)).one()
        assert retry.status is JobStatus.QUEUED and retry.run_after == failed.next_attempt_at
        scheduled = redis_queue.zrange("rq:scheduled:portal", 0, -1)
    assert len(scheduled) == 1
