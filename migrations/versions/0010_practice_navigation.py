"""practice items can be flagged for later

Revision ID: 0010_practice_navigation
Revises: 0009_classes
Create Date: 2026-12-02 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_practice_navigation'
down_revision = '0009_classes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practice_items', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('practice_items', schema=None) as batch_op:
        batch_op.drop_column('flagged')
