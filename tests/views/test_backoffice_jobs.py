"""The staff's page of background jobs and the outbox's failures (issue 13, "Jobs ... are visible
to staff (queued, running, done, failed with the error)", "a mail that failed is retried, not
lost, and staff see the failures"): the list (newest first, filters, counts, the stale running
job, the relaunch button where it applies), a job's page and its state, relaunching a failed job
(it runs again once the response is closed) and refusing to relaunch a done one, member users
kept out, the outbox's statuses and "Renvoyer", the staff home's figures, and the list's
statements independent of its rows."""

import json
from datetime import timedelta

import pytest
from lxml import html
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models.account import OutboxMail
from app.models.job import Job, JobStatus
from app.models.user import PortalUser
from app.services import outbox
from app.services.mail import BACKOFF, SECRET_PLACEHOLDER
from tests.conftest import csrf_token
from tests.views.test_employees import logged_in
from tests.views.test_same_work import statements_of

JOBS = "/backoffice/jobs/"
OUTBOX = "/adminoutboxview/list/"
GIVEN_UP = "/adminoutboxgivenupview/list/"


def _tree(response):
    return html.fromstring(response.get_data(as_text=True))


def _insert(app, **fields) -> int:
    """A job row written directly (its id)."""
    now = clock.now()
    values = {"kind": "outbox", "params": "{}", "status": JobStatus.QUEUED, "created_at": now}
    values.update(fields)
    with app.app_context():
        job = Job(**values)
        db.session.add(job)
        db.session.commit()
        return job.id


def _job(app, job_id: int) -> dict:
    with app.app_context():
        job = db.session.get(Job, job_id)
        return {c.key: getattr(job, c.key) for c in Job.__table__.columns}


def _staff_id(app, username: str = "gestion") -> int:
    with app.app_context():
        return db.session.scalar(select(PortalUser.id).where(PortalUser.username == username))


@pytest.fixture
def four(app) -> dict[str, int]:
    """A queued job asked by a staff member, a running one whose worker went silent an hour
    ago, a done one and a failed one (created a minute apart, the failed one last)."""
    now = clock.now()
    hour_ago = now - timedelta(hours=1)
    return {
        "queued": _insert(
            app,
            kind="recompute_categories",
            params=json.dumps({"risk_ids": [3, 5]}),
            requested_by_id=_staff_id(app),
            created_at=now - timedelta(minutes=4),
        ),
        "stale": _insert(
            app,
            kind="refresh_due_dates",
            status=JobStatus.RUNNING,
            done=3,
            total=10,
            attempts=1,
            created_at=now - timedelta(minutes=3),
            started_at=hour_ago,
            heartbeat_at=hour_ago,
        ),
        "done": _insert(
            app,
            status=JobStatus.DONE,
            done=7,
            total=7,
            attempts=1,
            outcome="7 e-mail(s) envoyé(s), 0 échec(s)",
            created_at=now - timedelta(minutes=2),
            started_at=now,
            finished_at=now,
        ),
        "failed": _insert(
            app,
            status=JobStatus.FAILED,
            attempts=1,
            error="LookupError: " + "x" * 300 + " END-OF-ERROR",
            created_at=now - timedelta(minutes=1),
            started_at=now,
            finished_at=now,
        ),
    }


def _rows(response) -> list[int]:
    return [int(i) for i in _tree(response).xpath("//table[@id='job-rows']/tbody/tr/@data-id")]


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_every_job_newest_first_with_its_state(app, staff, four):
    response = staff.get(JOBS)

    assert response.status_code == 200
    ids = _rows(response)
    mine = [four[name] for name in ("failed", "done", "stale", "queued")]
    assert [i for i in ids if i in mine] == mine
    tree = _tree(response)

    def row(name):
        (found,) = tree.xpath(f"//tr[@data-id='{four[name]}']")
        return found

    assert row("queued").get("data-status") == "queued"
    with app.app_context():
        staff_user = db.session.get(PortalUser, _staff_id(app))
        name = f"{staff_user.first_name} {staff_user.last_name}"
    assert row("queued").xpath("string(td[@class='requester'])").strip() == name
    # Started by a command or the scheduler: said so, in grey ("commande / planificateur").
    assert row("done").xpath("td[@class='requester']/span[@class='text-muted']")
    # The running job without news for an hour: flagged, its progress shown, relaunchable.
    assert row("stale").get("data-stale") == "1"
    (bar,) = row("stale").xpath(".//progress")
    assert (bar.get("value"), bar.get("max")) == ("3", "10")
    assert row("stale").xpath(".//*[contains(@class, 'job-stale')]")
    # The outcome, the error cut short, and the relaunch button only where it applies.
    assert "7 e-mail(s)" in row("done").xpath("string(td[@class='outcome'])")
    error = row("failed").xpath("string(td[@class='outcome'])")
    assert "LookupError" in error and "END-OF-ERROR" not in error
    relaunchable = {
        name for name in four if row(name).xpath(".//form[contains(@class, 'job-relaunch')]")
    }
    assert relaunchable == {"failed", "stale"}
    (form,) = row("failed").xpath(".//form")
    assert form.get("action") == f"/backoffice/jobs/{four['failed']}/relaunch"
    assert form.xpath(".//input[@name='csrf_token']/@value")


def test_the_list_filters_by_status_and_kind_with_the_counts(app, staff, four):
    failed = staff.get(JOBS, query_string={"status": "failed"})
    assert four["failed"] in _rows(failed)
    with app.app_context():
        expected = db.session.scalars(
            select(Job.id).where(Job.status == JobStatus.FAILED).order_by(Job.id.desc())
        ).all()
        everything = db.session.scalar(select(func.count(Job.id)))
    assert sorted(_rows(failed)) == sorted(expected)
    badges = {
        a.get("data-status"): int(a.xpath("string(span)"))
        for a in _tree(failed).xpath("//ul[@id='job-counts']//a")
    }
    assert badges[""] == everything
    assert badges["failed"] == len(expected)

    by_kind = _rows(staff.get(JOBS, query_string={"kind": "recompute_categories"}))
    assert four["queued"] in by_kind
    assert not {four["done"], four["failed"], four["stale"]} & set(by_kind)
    # A filter that means nothing is ignored, never an error.
    assert (
        staff.get(JOBS, query_string={"status": "nope", "kind": "x", "page": "-3"}).status_code
        == 200
    )


def test_the_list_pages_newest_first(app, staff):
    now = clock.now()
    ids = [_insert(app, created_at=now + timedelta(minutes=i)) for i in range(55)]

    first, second = staff.get(JOBS), staff.get(JOBS, query_string={"page": 2})

    assert _rows(first) == ids[::-1][:50]
    assert _rows(second)[:5] == ids[::-1][50:]
    assert _tree(first).xpath("//ul[contains(@class, 'pagination')]//a")


def test_the_list_costs_the_same_statements_with_many_jobs(app, staff, four):
    few = statements_of(app, lambda: staff.get(JOBS))
    requester = _staff_id(app)
    for i in range(40):
        _insert(app, status=JobStatus.FAILED, error=f"e{i}", requested_by_id=requester)
    many = statements_of(app, lambda: staff.get(JOBS))

    assert len(many) == len(few)
    assert sum(s.endswith("background_job") for s in many) == 2  # the counts, then the rows


# --- a job's page ---------------------------------------------------------------------------------


def test_a_job_page_shows_every_field_the_full_error_and_the_params(app, staff, four):
    failed = staff.get(f"{JOBS}{four['failed']}")
    assert failed.status_code == 200
    tree = _tree(failed)
    assert "END-OF-ERROR" in tree.xpath("string(//pre[@id='job-error'])")
    assert tree.xpath("string(//dd[@id='job-attempts'])").strip() == "1"
    assert not tree.xpath("//*[@data-state-url]")  # finished: not followed
    assert tree.xpath("//form[contains(@class, 'job-relaunch')]")

    queued = _tree(staff.get(f"{JOBS}{four['queued']}"))
    (page,) = queued.xpath("//div[@id='job-page']")
    assert page.get("data-state-url") == f"/backoffice/jobs/{four['queued']}/state"
    assert page.get("data-refresh") == "3"
    assert queued.xpath("//script[contains(@src, 'job_state.js')]")
    params = queued.xpath("string(//dd[@id='job-params'])")
    assert "3, 5" in params and "risk_ids" not in params  # labelled, not the raw name
    assert not queued.xpath("//form[contains(@class, 'job-relaunch')]")


def test_the_state_of_a_job_as_json(app, staff, four):
    state = staff.get(f"{JOBS}{four['stale']}/state")

    assert state.status_code == 200
    found = state.get_json()
    assert (found["status"], found["done"], found["total"]) == ("running", 3, 10)
    assert found["outcome"] is None and found["error"] is None


@pytest.mark.parametrize("path", ["{}", "{}/state"])
def test_an_unknown_job_is_a_404(staff, path):
    assert staff.get(JOBS + path.format(999_999)).status_code == 404


# --- relaunching ----------------------------------------------------------------------------------


def _relaunch(client, job_id: int):
    token = csrf_token(client.get(f"{JOBS}{job_id}").get_data(as_text=True))
    return client.post(f"{JOBS}{job_id}/relaunch", data={"csrf_token": token})


def test_a_failed_job_relaunched_runs_again_once_the_response_is_closed(app, staff, four):
    response = _relaunch(staff, four["failed"])

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{JOBS}{four['failed']}")
    queued = _job(app, four["failed"])
    assert (queued["status"], queued["error"]) == (JobStatus.QUEUED, None)
    response.close()  # as a WSGI server does once the answer is out: the job runs then
    ran = _job(app, four["failed"])
    assert ran["status"] is JobStatus.DONE
    assert ran["attempts"] == 2
    assert "e-mail(s)" in ran["outcome"]


def test_a_done_job_is_not_relaunched(app, staff, four):
    before = _job(app, four["done"])

    response = _relaunch(staff, four["done"])

    assert response.status_code == 409
    assert _tree(response).xpath("//div[contains(@class, 'alert-danger')]")  # why, in a message
    response.close()
    assert _job(app, four["done"]) == before


def test_a_queued_job_is_not_relaunched_and_the_token_is_required(app, staff, four):
    before = _job(app, four["queued"])
    assert _relaunch(staff, four["queued"]).status_code == 409
    assert staff.post(f"{JOBS}{four['failed']}/relaunch").status_code == 400  # no CSRF token
    assert _job(app, four["queued"]) == before
    assert _job(app, four["failed"])["status"] is JobStatus.FAILED


# --- member users are kept out --------------------------------------------------------------------


def test_member_users_reach_none_of_the_job_routes(app, member, four):
    job_id = four["failed"]
    token = csrf_token(member.get("/").get_data(as_text=True))
    answers = [
        member.get(JOBS),
        member.get(f"{JOBS}{job_id}"),
        member.get(f"{JOBS}{job_id}/state"),
        member.post(f"{JOBS}{job_id}/relaunch", data={"csrf_token": token}),
        member.get(OUTBOX),
        member.get(GIVEN_UP),
        member.post(
            "/adminoutboxview/action_post",
            data={"action": "send_again", "rowid": ["1"], "csrf_token": token},
        ),
    ]
    for response in answers:
        assert response.status_code in (302, 403, 404), response.request.path
        assert "END-OF-ERROR" not in response.get_data(as_text=True)
    assert _job(app, job_id)["status"] is JobStatus.FAILED


# --- the outbox -----------------------------------------------------------------------------------


@pytest.fixture
def mails(app) -> dict[str, int]:
    """One mail in each state: sent, waiting, a retry planned, given up, a personal link."""
    now = clock.now()
    fields = {
        "sent": {"sent_at": now, "attempts": 0, "body": None},
        "waiting": {"next_attempt_at": now, "attempts": 0},
        "retry": {"next_attempt_at": now + timedelta(minutes=5), "attempts": 2, "error": "busy"},
        "given_up": {"attempts": len(BACKOFF) + 1, "error": "550 mailbox unavailable"},
        "personal": {"body": f"Votre lien : {SECRET_PLACEHOLDER}", "error": "refused"},
    }
    ids = {}
    with app.app_context():
        for name, values in fields.items():
            mail = OutboxMail(
                created_at=now,
                recipient=f"{name}@h5.test",
                subject=f"Test {name}",
                body=values.pop("body", "Bonjour"),
                **values,
            )
            db.session.add(mail)
            db.session.flush()
            ids[name] = mail.id
        db.session.commit()
    return ids


def _mail(app, mail_id: int) -> OutboxMail:
    with app.app_context():
        found = db.session.get(OutboxMail, mail_id)
        db.session.expunge(found)
        return found


def test_the_outbox_shows_where_each_mail_stands(app, mails):
    admin = logged_in(app, "admin")
    tree = _tree(admin.get(OUTBOX, query_string={"psize_OutboxMail": 100}))

    shown = {}
    for name, mail_id in mails.items():
        (row,) = tree.xpath(f"//tr[.//input[@name='rowid' and @value='{mail_id}']]")
        shown[name] = row.xpath(".//span[@data-delivery]/@data-delivery")[0]
    assert shown == {name: name for name in mails}
    assert tree.xpath("//a[contains(@class, 'send_again_menu_item')]")  # "Renvoyer", multi-select
    with app.app_context():
        given_up = db.session.scalar(select(func.count(OutboxMail.id)).where(outbox.given_up()))
    assert given_up >= 1
    assert tree.xpath("string(//p[@id='outbox-given-up'])").split()[0] == str(given_up)


def test_the_given_up_list_holds_only_the_mails_given_up(app, mails):
    admin = logged_in(app, "admin")
    page = admin.get(GIVEN_UP, query_string={"psize_OutboxMail": 100}).get_data(as_text=True)

    assert "given_up@h5.test" in page
    assert not any(f"{name}@h5.test" in page for name in mails if name != "given_up")


def test_send_again_requeues_a_given_up_mail_and_not_a_personal_link(app, mails):
    admin = logged_in(app, "admin")
    token = csrf_token(admin.get(OUTBOX).get_data(as_text=True))
    chosen = [str(mails[name]) for name in ("given_up", "personal", "sent")]

    response = admin.post(
        "/adminoutboxview/action_post",
        data={"action": "send_again", "rowid": chosen, "csrf_token": token},
    )

    assert response.status_code == 302
    again = _mail(app, mails["given_up"])
    assert again.next_attempt_at is not None and again.attempts == 0
    personal = _mail(app, mails["personal"])
    assert personal.next_attempt_at is None and personal.error == "refused"
    assert _mail(app, mails["sent"]).next_attempt_at is None
    (flashed,) = _tree(admin.get(OUTBOX)).xpath("//div[contains(@class, 'alert-success')]")
    assert flashed.text_content().replace("×", "").split()[0] == "1"  # "1 e-mail remis ..."
    response.close()  # the outbox job runs (no SMTP server: the mail waits)
    assert _mail(app, mails["given_up"]).sent_at is None


def test_staff_do_not_reach_the_outbox(app, staff, mails):
    assert staff.get(OUTBOX).status_code in (302, 403)
    assert staff.get(GIVEN_UP).status_code in (302, 403)


# --- the staff home -------------------------------------------------------------------------------


def test_the_staff_home_counts_the_failed_jobs_and_admins_the_mails_given_up(app, staff, mails):
    _insert(app, status=JobStatus.FAILED, error="boom")
    _insert(app, status=JobStatus.FAILED, error="boom")
    _insert(app, status=JobStatus.DONE)
    with app.app_context():
        failed = db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.FAILED))
        given_up = db.session.scalar(select(func.count(OutboxMail.id)).where(outbox.given_up()))

    home = _tree(staff.get("/"))
    (link,) = home.xpath("//p[@id='failed-jobs']/a")
    assert link.get("href") == "/backoffice/jobs/?status=failed"
    assert link.text_content().startswith(f"{failed} ")
    assert not home.xpath("//p[@id='mails-given-up']")  # the outbox is the administrators'

    admin_home = _tree(logged_in(app, "admin").get("/"))
    (mails_link,) = admin_home.xpath("//p[@id='mails-given-up']/a")
    assert mails_link.get("href") == GIVEN_UP
    assert mails_link.text_content().startswith(f"{given_up} ")
