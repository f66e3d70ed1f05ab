"""Timing of the service sending one document to every active member (issue 10, "Sending"; issue
13: a background job beyond DOCUMENT_SEND_INLINE_MAX recipients): the members of the demo plus
`--members` synthetic ones, each with one portal contact. Prints the time of the request (the
recipients, the file checked and stored once, the job started) and, separately, the time of the
job that writes the documents, audit entries and outbox mails by batches (run in the process
once the response is closed, as without REDIS_URL), and the rows written. `--inline` measures
the whole use case inside the request instead (the path of 50 recipients or fewer). A script,
not a timed test.

    .venv/bin/python -m bench.document_sending [--members 14000] [--inline]  # fresh SQLite
    .venv/bin/python -m bench.document_sending --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

import argparse
import time

from sqlalchemy import func, select

from app import clock
from app.demo import synthetic
from app.demo.documents import pdf
from app.extensions import db
from app.models.account import OutboxMail
from app.models.audit import AuditEntry
from app.models.document import Document, DocumentContent
from app.models.job import Job
from app.models.member import Member
from app.models.reference import DocumentClass
from app.models.user import PortalUser
from app.security import tenancy
from app.services import document_sending, documents
from bench.access_timing import _app


def _contacts(member_ids: dict[int, str]) -> None:
    """One active portal contact per synthetic member (what the demo's members have)."""
    now = clock.now()
    rows = (
        {
            "username": f"bench{number}",
            "first_name": "Contact",
            "last_name": f"BENCH {number}",
            "email": f"contact{number}@bench.example",
            "active": True,
            "password": "!",
            "member_id": member_id,
            "is_portal_contact": True,
            "must_change_password": False,
            "session_stamp": f"bench{number}",
            "created_on": now,
            "changed_on": now,
        }
        for member_id, number in member_ids.items()
    )
    synthetic._insert(PortalUser.__table__, rows)


def _counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count(model.id)))
        for model in (Document, DocumentContent, AuditEntry, OutboxMail)
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=14000)
    parser.add_argument("--database-url")
    parser.add_argument("--inline", action="store_true", help="all in the request (<= 50)")
    args = parser.parse_args()
    app = _app(args.database_url)
    with app.app_context():
        synthetic._insert(Member.__table__, synthetic._member_rows(args.members, clock.today()))
        _contacts(synthetic.bench_member_ids())
        db.session.commit()
        synthetic.settle()
        before = _counts()
        notice = documents.Upload("notice.pdf", pdf("Notice annuelle", "À tous nos adhérents"))
        class_id = db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == "FE"))
        if args.inline:
            app.config["DOCUMENT_SEND_INLINE_MAX"] = args.members * 10
        request = app.test_request_context("/backoffice/documents/send/", method="POST")
        with request, tenancy.system_scope():  # as staff: every member
            start = time.perf_counter()
            outcome = document_sending.send(
                True, None, notice, documents.Details(class_id, "Notice"), None
            )
            db.session.commit()
            response = app.process_response(app.response_class("", status=302))
            request_time = time.perf_counter() - start
        start = time.perf_counter()
        response.close()  # the server closes the response, the request over: the job runs
        job_time = time.perf_counter() - start
        db.session.remove()
        written = {name: count - before[name] for name, count in _counts().items()}
        job = db.session.get(Job, outcome.job_id) if outcome.job_id else None
        dialect = db.engine.dialect.name
    print(f"{dialect}: sent to {outcome.members} members")
    print(f"  request {request_time:.2f} s" + (" (inline: everything)" if job is None else ""))
    if job is not None:
        print(f"  job {job_time:.2f} s: {job.status.value}, {job.outcome or job.error}")
    print(f"  rows written: {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
