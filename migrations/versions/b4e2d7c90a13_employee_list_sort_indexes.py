"""Employee list sort indexes (issue 13, "Throughput"): each sorted column of the workforce list
that had none, then the name order (the list's tiebreak), covering the workforce filter; the
post's and the establishment's also serve their filter in name order.

Revision ID: b4e2d7c90a13
Revises: a7c13e5f0b21
Create Date: 2026-11-30 10:20:00

"""

from alembic import op

revision = "b4e2d7c90a13"
down_revision = "a7c13e5f0b21"
branch_labels = None
depends_on = None

COLUMNS = (
    "first_name", "birth_name", "birth_date", "hired_on", "post_entry_on", "work_post_id",
    "establishment_id",
)  # fmt: skip


def _keys(column: str) -> list[str]:
    names = [key for key in ("last_name", "first_name") if key != column]
    return ["member_id", column, *names, "id", "contract_end_on"]


def upgrade():
    with op.batch_alter_table("employee", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.create_index(f"ix_employee_member_{column}", _keys(column), unique=False)


def downgrade():
    with op.batch_alter_table("employee", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_index(f"ix_employee_member_{column}")
