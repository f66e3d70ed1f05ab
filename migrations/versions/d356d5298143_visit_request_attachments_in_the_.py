"""visit request attachments in the database (issue 10): the files written under UPLOAD_DIR move
into document_content, like the documents' bytes, so that several application servers share them,
the database backup holds them and a rolled-back request leaves no file

Revision ID: d356d5298143
Revises: 138bc16aa913
Create Date: 2026-11-29 23:03:27.913672

"""

import logging
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "d356d5298143"
down_revision = "138bc16aa913"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_visit_request_attachment_content_id_document_content"
log = logging.getLogger("alembic.runtime.migration")

visit_request = sa.table(
    "visit_request",
    sa.column("id", sa.Integer),
    sa.column("attachment_key", sa.String),
    sa.column("attachment_content_id", sa.Integer),
)
document_content = sa.table(
    "document_content", sa.column("id", sa.Integer), sa.column("data", sa.LargeBinary)
)


def _upload_dir() -> Path:
    """Where the previous version wrote the files (its UPLOAD_DIR setting and default)."""
    return Path(os.environ.get("UPLOAD_DIR") or Path(current_app.instance_path, "uploads"))


def upgrade():
    with op.batch_alter_table("visit_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_content_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            FOREIGN_KEY, "document_content", ["attachment_content_id"], ["id"]
        )
    connection = op.get_bind()
    folder = _upload_dir()
    rows = connection.execute(
        sa.select(visit_request.c.id, visit_request.c.attachment_key).where(
            visit_request.c.attachment_key.is_not(None)
        )
    ).all()
    for request_id, key in rows:
        path = folder / key
        if not path.is_file():
            log.warning("visit request %s: attached file %s not found, left out", request_id, path)
            continue
        content_id = connection.execute(
            sa.insert(document_content)
            .values(data=path.read_bytes())
            .returning(document_content.c.id)
        ).scalar_one()
        connection.execute(
            sa.update(visit_request)
            .where(visit_request.c.id == request_id)
            .values(attachment_content_id=content_id)
        )
    with op.batch_alter_table("visit_request", schema=None) as batch_op:
        batch_op.drop_column("attachment_key")
    if rows:
        log.info("%d attached files copied into the database; %s may be removed", len(rows), folder)


def downgrade():
    """The files are written back under UPLOAD_DIR with their request's id as name."""
    with op.batch_alter_table("visit_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_key", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    folder = _upload_dir()
    rows = connection.execute(
        sa.select(visit_request.c.id, document_content.c.id, document_content.c.data).join(
            document_content, document_content.c.id == visit_request.c.attachment_content_id
        )
    ).all()
    if rows:
        folder.mkdir(parents=True, exist_ok=True)
    for request_id, _content_id, data in rows:
        key = f"visit-request-{request_id}"
        (folder / key).write_bytes(data)
        connection.execute(
            sa.update(visit_request)
            .where(visit_request.c.id == request_id)
            .values(attachment_key=key)
        )
    with op.batch_alter_table("visit_request", schema=None) as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch_op.drop_column("attachment_content_id")
    content_ids = [content_id for _request_id, content_id, _data in rows]
    if content_ids:
        connection.execute(
            sa.delete(document_content).where(document_content.c.id.in_(content_ids))
        )
