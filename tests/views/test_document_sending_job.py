"""Sending a document to many members as a background job (issue 13): beyond
DOCUMENT_SEND_INLINE_MAX recipients the request checks the form and the file, stores the content
once and starts the job; the job writes each member's document, audit entry and notices by
batches, once per member however many times it runs. Few recipients and one employee stay in
the request. Without REDIS_URL the job runs in the process once the response is closed."""

import json

import pytest
from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.demo.documents import pdf
from app.domain.notifications import Notice
from app.extensions import db
from app.models.account import OutboxMail
from app.models.audit import AuditEntry
from app.models.document import Document, DocumentContent, DocumentDirection
from app.models.job import Job, JobStatus
from app.models.member import Member, MemberStatus
from app.services import document_sending, documents, jobs, notifications
from tests.views.test_backoffice_documents import _class_id, _count, _fe, _member, _send_form
from tests.views.test_documents import _employee
from tests.views.test_employees import logged_in

NUMBERS = ("10250", "10251")


def _jobs() -> list[Job]:
    return db.session.scalars(
        select(Job).where(Job.kind == "document_sending").order_by(Job.id)
    ).all()


def _held(description: str) -> dict[str, int]:
    """Per member number, how many documents of that description it holds."""
    rows = db.session.execute(
        select(Member.number, func.count(Document.id))
        .join(Member, Member.id == Document.member_id)
        .where(Document.description == description)
        .group_by(Member.number)
    ).all()
    return dict(rows)


def _expected_mails(numbers) -> int:
    ids = [_member(n).id for n in numbers]
    return sum(len(r) for r in notifications.recipients(ids, Notice.DOCUMENT_SENT).values())


def _rerun(job: Job) -> str:
    """The job's task run again (a relaunch, or a second worker handed the same work)."""
    return jobs.TASKS[job.kind].run(lambda *_a, **_k: None, **json.loads(job.params))


@pytest.fixture
def by_job(app):
    app.config["DOCUMENT_SEND_INLINE_MAX"] = 1
    return app


def test_many_members_are_sent_by_a_job_after_the_response(by_job, staff):
    app = by_job
    with app.app_context():
        contents, mails = _count(DocumentContent), _count(OutboxMail)
        expected_mails = _expected_mails(NUMBERS)
    assert expected_mails >= 2
    form = {"class_id": _fe(app), "description": "Notice par tâche", "recipients": "10250 10251"}
    response = _send_form(staff, form)
    assert response.status_code == 302
    with app.app_context():
        # the request stored the content once and started the job; no document yet
        assert _count(DocumentContent) == contents + 1
        assert _held("Notice par tâche") == {}
        (job,) = _jobs()
        assert job.status is JobStatus.QUEUED
        params = json.loads(job.params)
        assert params["every_active"] is False
        assert sorted(params["member_ids"]) == sorted(_member(n).id for n in NUMBERS)
    response.close()  # as a WSGI server does once the answer is out: the job runs then
    with app.app_context():
        job = db.session.get(Job, job.id)
        assert job.status is JobStatus.DONE, job.error
        assert job.outcome.startswith("2 document(s)")
        assert (job.done, job.total) == (2, 2)
        assert _held("Notice par tâche") == {"10250": 1, "10251": 1}
        sent = db.session.scalars(
            select(Document).where(Document.description == "Notice par tâche")
        ).all()
        assert {d.direction for d in sent} == {DocumentDirection.TO_MEMBER}
        assert len({d.content_id for d in sent}) == 1
        assert all(d.sent_by.username == "gestion" for d in sent)
        audited = db.session.scalars(
            select(AuditEntry.target).where(AuditEntry.action == "document_sent")
        ).all()
        assert {f"document:{d.id}" for d in sent} <= set(audited)
        new_mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()[mails:]
        assert len(new_mails) == expected_mails  # the notices, through the outbox
        assert all("http://portal.test/documents/" in m.body for m in new_mails)
        assert all("Notice par tâche" not in m.body for m in new_mails)
        with app.test_request_context():
            link = url_for("BackofficeJobView.show", job_id=job.id)
    page = staff.get("/backofficedocumentview/list/").text
    assert link in page  # the flash links to the job's page


def test_a_relaunch_gives_no_member_the_document_twice(by_job, staff):
    app = by_job
    form = {"class_id": _fe(app), "description": "Notice relancée", "recipients": "10250,10251"}
    _send_form(staff, form).close()
    with app.app_context():
        (job,) = _jobs()
        assert _held("Notice relancée") == {"10250": 1, "10251": 1}
        mails = _count(OutboxMail)
        assert _rerun(job).startswith("0 document(s)")  # everything was done: nothing again
        assert _held("Notice relancée") == {"10250": 1, "10251": 1}
        assert _count(OutboxMail) == mails
        # a run stopped before its last batch: the relaunch writes only what is missing
        missing = db.session.scalar(
            select(Document).where(
                Document.description == "Notice relancée",
                Document.member_id == _member("10251").id,
            )
        )
        db.session.delete(missing)
        db.session.commit()
        assert _rerun(job).startswith("1 document(s)")
        assert _held("Notice relancée") == {"10250": 1, "10251": 1}
        assert _count(OutboxMail) == mails + _expected_mails(["10251"])


def test_a_concurrent_run_meets_the_unique_index_and_takes_what_is_left(by_job, staff, monkeypatch):
    """Two runs at once: one read the pending members before the other wrote some of them;
    its batch fails on the unique index, is rolled back, and the pending are read again."""
    app = by_job
    form = {"class_id": _fe(app), "description": "Notice en double", "recipients": "10250,10251"}
    _send_form(staff, form).close()
    with app.app_context():
        (job,) = _jobs()
        params = json.loads(job.params)
        sending = documents.Sending.from_params(params["sending"])
        db.session.execute(
            Document.__table__.delete().where(
                Document.content_id == sending.content_id,
                Document.member_id == _member("10251").id,
            )
        )
        db.session.commit()
        real, reads = document_sending._pending, []

        def stale_first(*args):  # the other run's view: both members still pending
            reads.append(args)
            if len(reads) == 1:
                return db.session.execute(
                    select(Member.id, Member.number)
                    .where(Member.number.in_(NUMBERS))
                    .order_by(Member.number)
                ).all()
            return real(*args)

        monkeypatch.setattr(document_sending, "_pending", stale_first)
        served, _mails = document_sending.run(sending, None, False, params["member_ids"])
        assert len(reads) == 2 and served == 1
        assert _held("Notice en double") == {"10250": 1, "10251": 1}


def test_the_unique_index_refuses_a_second_document_of_one_content(by_job, staff):
    app = by_job
    form = {"class_id": _fe(app), "description": "Notice unique", "recipients": "10250,10251"}
    _send_form(staff, form).close()
    with app.app_context():
        (job,) = _jobs()
        sending = documents.Sending.from_params(json.loads(job.params)["sending"])
        with pytest.raises(IntegrityError):
            documents.send_to([_member("10250")], sending, None)
        db.session.rollback()
        assert _held("Notice unique") == {"10250": 1, "10251": 1}


def test_every_active_member_by_a_job(by_job, staff):
    app = by_job
    with app.app_context():
        active = {
            m.number
            for m in db.session.scalars(select(Member).where(Member.status == MemberStatus.ACTIVE))
        }
    assert len(active) > 1
    form = {"class_id": _fe(app), "description": "Notice à tous", "all_active": "y"}
    response = _send_form(staff, form)
    assert response.status_code == 302
    response.close()
    with app.app_context():
        (job,) = _jobs()
        assert job.status is JobStatus.DONE, job.error
        assert json.loads(job.params)["every_active"] is True
        assert _held("Notice à tous") == dict.fromkeys(active, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"file": b"<html>not a pdf</html>"},
        {"file": pdf("Tronque")[:-200]},
        {"recipients": "10250 10251 99999"},
        {"class_id": "999999"},
    ],
    ids=["not-pdf", "cut", "unknown-number", "class"],
)
def test_a_refusal_comes_before_any_job_and_keeps_nothing(by_job, staff, change):
    app = by_job
    with app.app_context():
        before = _count(Document), _count(DocumentContent), _count(OutboxMail), _count(Job)
    change = dict(change)
    file = change.pop("file", None)
    form = {"class_id": _fe(app), "description": "Refusée", "recipients": "10250 10251", **change}
    response = _send_form(staff, form, file=file)
    response.close()
    assert response.status_code == 200
    assert "alert-danger" in response.text or "has-error" in response.text
    with app.app_context():
        assert (_count(Document), _count(DocumentContent), _count(OutboxMail), _count(Job)) == (
            before
        )


def test_each_member_sees_its_own_document_only(by_job, staff):
    app = by_job
    form = {"class_id": _fe(app), "description": "Notice privée", "recipients": "10250,10251"}
    _send_form(staff, form).close()
    with app.app_context():
        ids = {
            d.member.number: d.id
            for d in db.session.scalars(
                select(Document).where(Document.description == "Notice privée")
            )
        }
    assert set(ids) == set(NUMBERS)
    for own, other in (("10250", "10251"), ("10251", "10250")):
        client = logged_in(app, f"ets{own}")
        listed = client.get("/documents/").text
        assert f"/documents/{ids[own]}/download" in listed
        assert f"/documents/{ids[other]}/download" not in listed
        assert client.get(f"/documents/{ids[own]}/download").status_code == 200
        assert client.get(f"/documents/{ids[other]}/download").status_code == 404


def test_few_members_stay_in_the_request(app, staff):
    assert app.config["DOCUMENT_SEND_INLINE_MAX"] == 50
    form = {"class_id": _fe(app), "description": "Notice directe", "recipients": "10250,10251"}
    response = _send_form(staff, form)  # not closed: nothing waits for the response
    assert response.status_code == 302
    with app.app_context():
        assert _held("Notice directe") == {"10250": 1, "10251": 1}
        assert _jobs() == []


def test_one_employee_stays_in_the_request_whatever_the_threshold(app, staff):
    app.config["DOCUMENT_SEND_INLINE_MAX"] = 0
    employee_id = _employee(app, "10250")
    with app.app_context():
        attestation = str(_class_id("ATT"))
    form = {"class_id": attestation, "description": "Attestation directe", "recipients": "10250"}
    response = _send_form(staff, form, url=f"/backoffice/documents/send/?employee_id={employee_id}")
    assert response.status_code == 302
    with app.app_context():
        assert _held("Attestation directe") == {"10250": 1}
        assert _jobs() == []
