"""Serialising the changes of one member that check a count before writing (the company keeps
one active administrator, a member holds one usable first-connection letter): the member's row
is locked first, in the caller's transaction, so that a concurrent change of the same member
waits, then reads what the first one wrote.

PostgreSQL: `SELECT ... FOR UPDATE` on the member's row. SQLite has no row locks: a write to the
row takes the database's write lock at once (a reader's check would otherwise run before the
other transaction commits)."""

from sqlalchemy import select, update

from app.extensions import db
from app.models.member import Member


def lock_member(member_id: int) -> None:
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Member).where(Member.id == member_id).values(id=Member.id),
            execution_options={"synchronize_session": False},
        )
    else:
        db.session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
