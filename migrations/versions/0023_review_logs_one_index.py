"""review logs: drop ix_review_logs_user_reviewed_at, a prefix of
ix_review_logs_user_reviewed_at_kind, which serves every query it served; one index
fewer to write on each answer

Revision ID: 0023_review_logs_one_index
Revises: 0022_study_steps_index
Create Date: 2026-12-02 05:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_review_logs_one_index"
down_revision = "0022_study_steps_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_user_reviewed_at")


def downgrade():
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_logs_user_reviewed_at", ["user_id", "reviewed_at"], unique=False
        )
