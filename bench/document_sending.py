"""Timing of the service sending one document to every active member (issue 10, "Sending"): the
members of the demo plus `--members` synthetic ones, each with one portal contact; prints the time
of the use case as the back-office form runs it (recipients, documents, audit entries, outbox
mails, commit), and the rows it wrote. A script, not a timed test.

    .venv/bin/python -m bench.document_sending [--members 14000]   # a fresh SQLite database
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
from app.models.member import Member
from app.models.reference import DocumentClass
from app.models.user import PortalUser
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
        start = time.perf_counter()
        members = document_sending.recipients(True, None)
        sent = documents.send(members, notice, documents.Details(class_id, "Notice"), None)
        mails = document_sending.notify(members)
        db.session.commit()
        elapsed = time.perf_counter() - start
        written = {name: count - before[name] for name, count in _counts().items()}
        dialect = db.engine.dialect.name
    print(f"{dialect}: sent to {len(sent)} members, {len(mails)} mails queued")
    print(f"  {elapsed:.2f} s; rows written: {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
