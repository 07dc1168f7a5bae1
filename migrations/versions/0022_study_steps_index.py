"""the study queue's indexes: a partial index of the review cards in a learning or
relearning step (new cards are in the learning state too, and left out), and the id
in the due-review index, so PostgreSQL ranks the day's reviews from the index alone

Revision ID: 0022_study_steps_index
Revises: 0021_class_exam_dates
Create Date: 2026-12-02 04:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_study_steps_index"
down_revision = "0021_class_exam_dates"
branch_labels = None
depends_on = None

# As app.models.reviews.STEPS_INDEX_WHERE: the queue's WHERE names these constants.
WHERE = "state IN (1, 3) AND reps > 0"
STATE_DUE = [
    "user_id",
    "state",
    "due",
    "reps",
    "suspended",
    "buried_until",
    "stability",
    "last_review",
]


def upgrade():
    op.create_index(
        "ix_review_cards_user_steps",
        "review_cards",
        ["user_id", "due", "state", "reps", "suspended", "buried_until"],
        unique=False,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )
    op.drop_index("ix_review_cards_user_state_due", table_name="review_cards")
    op.create_index(
        "ix_review_cards_user_state_due", "review_cards", [*STATE_DUE, "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_review_cards_user_state_due", table_name="review_cards")
    op.create_index("ix_review_cards_user_state_due", "review_cards", STATE_DUE, unique=False)
    op.drop_index("ix_review_cards_user_steps", table_name="review_cards")
