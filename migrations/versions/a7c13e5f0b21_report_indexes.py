"""Report indexes (issue 13, "Throughput"): the workforce report's sorts and the home's counts
walk an index holding the name order and the workforce filter; a member's appointments and
visits by date; the back-office list of every employee by name.

Revision ID: a7c13e5f0b21
Revises: cb39f41ab40e
Create Date: 2026-11-30 09:30:00

"""

from alembic import op

revision = "a7c13e5f0b21"
down_revision = "cb39f41ab40e"
branch_labels = None
depends_on = None

BY_NAME = ["last_name", "first_name", "id", "contract_end_on"]


def upgrade():
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index("ix_employee_member_due")
        batch_op.create_index(
            "ix_employee_member_due", ["member_id", "next_due_on", *BY_NAME], unique=False
        )
        batch_op.create_index(
            "ix_employee_member_category", ["member_id", "category", *BY_NAME], unique=False
        )
        batch_op.create_index(
            "ix_employee_member_exam", ["member_id", "last_exam_on", *BY_NAME], unique=False
        )
        batch_op.create_index("ix_employee_name", ["last_name", "id"], unique=False)
    with op.batch_alter_table("visit_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_request_member_status",
            ["member_id", "status", "scheduled_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_visit_request_member_employee",
            ["member_id", "status", "employee_id", "scheduled_at"],
            unique=False,
        )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_member_outcome", ["member_id", "outcome", "visit_on", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_member_outcome")
    with op.batch_alter_table("visit_request", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_request_member_employee")
        batch_op.drop_index("ix_visit_request_member_status")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index("ix_employee_name")
        batch_op.drop_index("ix_employee_member_exam")
        batch_op.drop_index("ix_employee_member_category")
        batch_op.drop_index("ix_employee_member_due")
        batch_op.create_index("ix_employee_member_due", ["member_id", "next_due_on"], unique=False)
