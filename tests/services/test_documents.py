"""The documents service (issue 10): one stored content for a document sent to several members,
the bytes streamed back exactly, a refused file leaving nothing, and the single-use state changes
(acknowledge, withdraw) holding when two requests arrive at once."""

import threading

import pytest
from sqlalchemy import func, select

from app.demo.documents import pdf
from app.extensions import db
from app.models.audit import AuditEntry
from app.models.document import Document, DocumentContent, DocumentDirection
from app.models.member import Member
from app.models.reference import DocumentClass
from app.models.user import PortalUser
from app.services import ServiceError, documents


def _member(number: str) -> Member:
    return db.session.scalar(select(Member).where(Member.number == number))


def _class_id(code: str) -> int:
    return db.session.scalar(select(DocumentClass.id).where(DocumentClass.code == code))


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _deposit(number="10250", code="ADM", data=None) -> Document:
    upload = documents.Upload("courrier.pdf", data or pdf("Courrier", "Objet : essai"))
    details = documents.Details(_class_id(code), "Courrier au service")
    return documents.deposit(_member(number), upload, details, None)


def test_a_document_sent_to_several_members_is_stored_once(app):
    with app.app_context():
        contents = _count(DocumentContent)
        members = [_member("10250"), _member("10251")]
        upload = documents.Upload("notice.pdf", pdf("Notice annuelle"))
        sent = documents.send(members, upload, documents.Details(_class_id("FE"), "Notice"), None)
        db.session.commit()

        assert [d.member_id for d in sent] == [m.id for m in members]
        assert {d.content_id for d in sent} == {sent[0].content_id}
        assert _count(DocumentContent) == contents + 1
        assert all(d.direction is DocumentDirection.TO_MEMBER for d in sent)


def test_the_stored_bytes_come_back_exactly_in_chunks(app, monkeypatch):
    monkeypatch.setattr(documents, "CHUNK", 1000)  # several chunks for a small file
    data = pdf("Long", *(f"ligne {n}" for n in range(40)))
    with app.app_context():
        document = _deposit(data=data)
        db.session.commit()
        parts = list(documents.chunks(document))

    assert len(parts) == -(-len(data) // 1000)
    assert b"".join(parts) == data


@pytest.mark.parametrize(
    ("code", "reason"),
    [("FE", "a class the service sends"), ("SAL", "a class about one employee")],
)
def test_a_class_not_allowed_for_the_member_leaves_nothing(app, code, reason):
    with app.app_context():
        before = (_count(Document), _count(DocumentContent))
        with pytest.raises(ServiceError) as refused:
            _deposit(code=code)
        db.session.rollback()
        assert refused.value.code == "document_class_not_allowed", reason
        assert (_count(Document), _count(DocumentContent)) == before


def test_a_file_over_the_setting_is_refused_with_the_limit(app):
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    with app.app_context(), pytest.raises(ServiceError) as refused:
        _deposit(data=b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF")
    assert refused.value.code == "document_too_large"
    assert refused.value.params == {"mb": 1}


def _at_once(app, work, count=2) -> list:
    """Run `work(session-bound app context)` in `count` threads released together; the results."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
                db.session.commit()
            except ServiceError as error:
                results.append(error.code)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_staff_acknowledging_at_once_record_one_acknowledgement(app):
    with app.app_context():
        document_id = _deposit().id
        staff_ids = db.session.scalars(
            select(PortalUser.id).where(PortalUser.username.in_(("gestion", "admin")))
        ).all()
        db.session.commit()
    turns = iter(staff_ids)

    def acknowledge():
        actor = db.session.get(PortalUser, next(turns))
        return documents.acknowledge(db.session.get(Document, document_id), actor)

    assert sorted(_at_once(app, acknowledge)) == [False, True]
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.acknowledged_at is not None
        assert document.acknowledged_by_id in staff_ids


def test_a_withdrawal_racing_an_acknowledgement_never_loses_an_acknowledged_document(app):
    with app.app_context():
        document_id = _deposit().id
        db.session.commit()
    steps = iter(("withdraw", "acknowledge"))

    def step():
        document = db.session.get(Document, document_id)
        if document is None:  # withdrawn and committed before this step loaded it
            return "none"
        if next(steps) == "withdraw":
            documents.withdraw(document, None)
            return "withdrawn"
        return "acknowledged" if documents.acknowledge(document, None) else "none"

    outcome = sorted(_at_once(app, step))
    with app.app_context():
        document = db.session.get(Document, document_id)
        withdrawals = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "document_withdrawn")
        )
    if document is None:  # the withdrawal went first: nothing left to acknowledge
        assert outcome == ["none", "withdrawn"]
        assert withdrawals == 1
    else:  # the acknowledgement went first: the withdrawal is refused, the document stays
        assert outcome == ["acknowledged", "document_cannot_withdraw"]
        assert document.acknowledged_at is not None
        assert withdrawals == 0


def test_a_duerp_version_is_never_withdrawn(app):
    with app.app_context():
        document = _deposit(code="AMT")
        with pytest.raises(ServiceError) as refused:
            documents.withdraw(document, None)
        assert refused.value.code == "document_cannot_withdraw"
