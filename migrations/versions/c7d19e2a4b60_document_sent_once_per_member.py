"""a document the service sends reaches each member once (unique content_id, member_id)

Revision ID: c7d19e2a4b60
Revises: b4e2d7c90a13
Create Date: 2026-11-30 10:30:00

Sending to many members is a background job (issue 13) that may run twice: the unique index
makes a second run's batch fail instead of giving a member the same document again. Existing
data: the application never wrote two documents of one content for one member (the numbers
typed are taken once each), but a row copied by hand might have; such a duplicate keeps its
row and gets its own copy of the bytes, so no document is lost and the index can be built.
"""

import sqlalchemy as sa
from alembic import op

revision = "c7d19e2a4b60"
down_revision = "b4e2d7c90a13"
branch_labels = None
depends_on = None

SENT = "direction = 'TO_MEMBER'"


def _separate_duplicates() -> None:
    bind = op.get_bind()
    duplicates = bind.execute(
        sa.text(
            "SELECT d.id, d.content_id FROM document d WHERE d.direction = 'TO_MEMBER' "
            "AND EXISTS (SELECT 1 FROM document e WHERE e.direction = 'TO_MEMBER' "
            "AND e.content_id = d.content_id AND e.member_id = d.member_id AND e.id < d.id)"
        )
    ).all()
    content = sa.table(
        "document_content", sa.column("id", sa.Integer), sa.column("data", sa.LargeBinary)
    )
    for document_id, content_id in duplicates:
        data = bind.execute(
            sa.select(content.c.data).where(content.c.id == content_id)
        ).scalar_one()
        copy_id = bind.execute(
            content.insert().values(data=data).returning(content.c.id)
        ).scalar_one()
        bind.execute(
            sa.text("UPDATE document SET content_id = :copy WHERE id = :id"),
            {"copy": copy_id, "id": document_id},
        )


def upgrade():
    _separate_duplicates()
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(
            "uq_document_sent_once",
            ["content_id", "member_id"],
            unique=True,
            sqlite_where=sa.text(SENT),
            postgresql_where=sa.text(SENT),
        )


def downgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_document_sent_once", sqlite_where=sa.text(SENT), postgresql_where=sa.text(SENT)
        )
