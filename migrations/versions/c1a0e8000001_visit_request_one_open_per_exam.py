"""visit request: one open request per employee and exam type

Revision ID: c1a0e8000001
Revises: b9270dad55fe
Create Date: 2026-11-29 17:15:00

A partial unique index: at most one request submitted, acknowledged or scheduled per employee
and exam type (statuses are stored by enum member name). Written by hand: autogenerate renders
neither the predicate nor the dialect options.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a0e8000001'
down_revision = 'b9270dad55fe'
branch_labels = None
depends_on = None

IS_OPEN = sa.text("status IN ('ACKNOWLEDGED', 'SCHEDULED', 'SUBMITTED')")


def upgrade():
    # A database from before this rule may hold several open requests for one employee and exam
    # type: the oldest stays open, the later ones are cancelled, or the unique index would fail.
    op.execute(
        "UPDATE visit_request SET status = 'CANCELLED' WHERE "
        + IS_OPEN.text
        + " AND id NOT IN (SELECT MIN(id) FROM visit_request WHERE "
        + IS_OPEN.text
        + " GROUP BY employee_id, exam_type_id)"
    )
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.create_index(
            'uq_visit_request_open_exam',
            ['employee_id', 'exam_type_id'],
            unique=True,
            sqlite_where=IS_OPEN,
            postgresql_where=IS_OPEN,
        )


def downgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.drop_index(
            'uq_visit_request_open_exam', sqlite_where=IS_OPEN, postgresql_where=IS_OPEN
        )
