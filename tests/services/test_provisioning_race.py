"""Two staff users issuing first-connection letters for one member at the same moment: the
member ends with exactly one usable letter (issue 8, single-use credentials)."""

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models.member import Member
from app.models.provisioning import ProvisionalCredential
from app.services import provisioning


def _usable_letters(app, member_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(
                ProvisionalCredential.member_id == member_id,
                ProvisionalCredential.used_at.is_(None),
                ProvisionalCredential.revoked_at.is_(None),
            )
        )


def test_letters_issued_at_once_leave_one_usable(app):
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).where(Member.number == "10252"))
    assert _usable_letters(app, member_id) == 1
    barrier = threading.Barrier(3)
    errors = []

    def issue():
        with app.app_context():
            member = db.session.get(Member, member_id)
            barrier.wait()
            try:
                provisioning.issue_credentials(member)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert _usable_letters(app, member_id) == 1
