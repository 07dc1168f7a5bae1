""""I was right" overrides of automatic grades, on review logs and practice items

Revision ID: 0007_grade_overrides
Revises: 0006_study_actions
Create Date: 2026-12-01 23:15:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007_grade_overrides'
down_revision = '0006_study_actions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overridden_from', sa.Float(), nullable=True))

    with op.batch_alter_table('practice_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overridden_from', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('practice_items', schema=None) as batch_op:
        batch_op.drop_column('overridden_at')
        batch_op.drop_column('overridden_from')

    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_column('overridden_from')
