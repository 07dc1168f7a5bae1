"""uploaded import files kept between preview and confirm, and the import history

Revision ID: 0012_imports
Revises: 0013_personal_decks
Create Date: 2026-12-02 00:45:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0012_imports'
down_revision = '0011_media'
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('bank_id', sa.Integer(), nullable=True),
    sa.Column('bank_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('topic', sa.String(length=500), server_default='', nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('options', _json(), nullable=False),
    sa.Column('file_name', sa.String(length=255), server_default='', nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('skip_invalid', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('counts', _json(), nullable=False),
    sa.Column('message', sa.String(length=500), server_default='', nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_imports_bank_id_question_banks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_imports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index('ix_imports_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index('ix_imports_user_created')
        batch_op.drop_index(batch_op.f('ix_imports_bank_id'))

    op.drop_table('imports')
