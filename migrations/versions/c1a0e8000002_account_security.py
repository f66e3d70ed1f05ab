"""account security: e-mail not unique, e-mail change confirmation, outbox body erased once sent

Revision ID: c1a0e8000002
Revises: c1a0e8000001
Create Date: 2026-11-29 17:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a0e8000002'
down_revision = 'c1a0e8000001'
branch_labels = None
depends_on = None

# SQLite keeps FAB's unique constraint unnamed: name it for the batch copy.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _email_unique_name():
    return "ab_user_email_key" if op.get_bind().dialect.name == "postgresql" else "uq_ab_user_email"


def upgrade():
    op.create_table('email_change_token',
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('new_email', sa.String(length=320), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('email_change_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_change_token_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_change_token_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('ab_user', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.add_column(sa.Column('pending_email', sa.String(length=320), nullable=True))
        batch_op.drop_constraint(_email_unique_name(), type_='unique')

    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.alter_column('body',
               existing_type=sa.TEXT(),
               nullable=True)
    # Bodies already sent are erased; reset links kept in clear before this version too.
    op.execute("UPDATE outbox_mail SET body = NULL WHERE sent_at IS NOT NULL")
    op.execute("UPDATE outbox_mail SET body = NULL WHERE body LIKE '%/access/reset/%'")


def downgrade():
    op.execute("UPDATE outbox_mail SET body = '' WHERE body IS NULL")
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.alter_column('body',
               existing_type=sa.TEXT(),
               nullable=False)

    with op.batch_alter_table('ab_user', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_column('pending_email')
        batch_op.create_unique_constraint(_email_unique_name(), ['email'])

    with op.batch_alter_table('email_change_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_change_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_email_change_token_member_id'))

    op.drop_table('email_change_token')
