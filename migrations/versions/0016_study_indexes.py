"""covering indexes for the study queue (review_cards by user_id, state, due) and for
the day's counts and the Progress page (review_logs by user_id, reviewed_at)

Revision ID: 0016_study_indexes
Revises: 0009_classes
Create Date: 2026-12-02 01:20:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0016_study_indexes"
down_revision = "0015_teacher_documents"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_cards_user_state_due",
            [
                "user_id",
                "state",
                "due",
                "reps",
                "suspended",
                "buried_until",
                "stability",
                "last_review",
            ],
            unique=False,
        )
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_logs_user_reviewed_at_kind",
            ["user_id", "reviewed_at", "state_before", "rating", "was_new"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_review_logs_user_reviewed_at_kind")
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_review_cards_user_state_due")
