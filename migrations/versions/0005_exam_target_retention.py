"""exam dates: own target retention, room for a class quiz scope

Revision ID: 0005_exam_target
Revises: 0004_jobs
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0005_exam_target'
down_revision = '0004_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_dates', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('target_retention', sa.Float(), server_default='0.95', nullable=False)
        )
        batch_op.add_column(sa.Column('quiz_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_exam_dates_target_retention_range'),
            'target_retention > 0.7 and target_retention < 1',
        )


def downgrade():
    with op.batch_alter_table('exam_dates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_exam_dates_target_retention_range'), type_='check')
        batch_op.drop_column('quiz_id')
        batch_op.drop_column('target_retention')
