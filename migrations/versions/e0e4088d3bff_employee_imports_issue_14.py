"""employee imports (issue 14): the import and its checked rows; employees from a DSN with
their risks to declare; the risk history's import

Revision ID: e0e4088d3bff
Revises: c7d19e2a4b60
Create Date: 2026-11-30 13:04:54.585466

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e0e4088d3bff'
down_revision = 'c7d19e2a4b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employee_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('XLSX', 'CSV', 'DSN', name='importsource', native_enum=False, length=20), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.Enum('CHECKING', 'REFUSED', 'CHECKED', 'APPLYING', 'APPLIED', name='importstatus', native_enum=False, length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('notices', sa.JSON(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('to_create', sa.Integer(), nullable=False),
    sa.Column('to_update', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('in_error', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('check_job_id', sa.Integer(), nullable=True),
    sa.Column('apply_job_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['apply_job_id'], ['background_job.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['check_job_id'], ['background_job.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('employee_import', schema=None) as batch_op:
        batch_op.create_index('ix_employee_import_member_created', ['member_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_import_member_id'), ['member_id'], unique=False)

    op.create_table('employee_import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('CREATE', 'UPDATE', 'RETURN', 'UNCHANGED', 'ERROR', name='rowaction', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=250), nullable=True),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=10), nullable=True),
    sa.Column('values', sa.JSON(), nullable=True),
    sa.Column('cells', sa.JSON(), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=True),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_id'], ['employee_import.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('employee_import_row', schema=None) as batch_op:
        batch_op.create_index('ix_employee_import_row_action', ['import_id', 'action', 'line'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_import_row_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risks_to_declare', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_employee_member_risks_to_declare', ['member_id', 'contract_end_on'], unique=False, sqlite_where=sa.text('risks_to_declare'), postgresql_where=sa.text('risks_to_declare'))

    with op.batch_alter_table('risk_declaration_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_risk_declaration_change_import_id', 'employee_import', ['import_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('risk_declaration_change', schema=None) as batch_op:
        batch_op.drop_constraint('fk_risk_declaration_change_import_id', type_='foreignkey')
        batch_op.drop_column('import_id')

    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_index('ix_employee_member_risks_to_declare', sqlite_where=sa.text('risks_to_declare'), postgresql_where=sa.text('risks_to_declare'))
        batch_op.drop_column('risks_to_declare')

    with op.batch_alter_table('employee_import_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_import_row_member_id'))
        batch_op.drop_index('ix_employee_import_row_action')

    op.drop_table('employee_import_row')
    with op.batch_alter_table('employee_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_import_member_id'))
        batch_op.drop_index('ix_employee_import_member_created')

    op.drop_table('employee_import')
