"""review cards: last_review_us, the last review in microseconds since the epoch, filled
from last_review, and in the due-review index in its place: the queue ranks a day's
reviews by whole days since the last review in integer arithmetic, from the index alone

Revision ID: 0024_review_cards_last_review_us
Revises: 0023_review_logs_one_index
Create Date: 2026-12-06 21:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024_review_cards_last_review_us"
down_revision = "0023_review_logs_one_index"
branch_labels = None
depends_on = None

INDEX = "ix_review_cards_user_state_due"
LEADING = ["user_id", "state", "due", "reps", "suspended", "buried_until", "stability"]

# Exact to the microsecond, as the application computes it. SQLite keeps the time as
# text, "YYYY-MM-DD HH:MM:SS.ffffff": whole seconds from the first 19 characters, then
# the fraction, padded to six digits (empty when there is none).
SQLITE_FILL = """
UPDATE review_cards SET last_review_us =
    CAST(strftime('%s', substr(last_review, 1, 19)) AS INTEGER) * 1000000
    + CAST(substr(substr(last_review, 21) || '000000', 1, 6) AS INTEGER)
WHERE last_review IS NOT NULL
"""
# extract() gives a numeric (exact) on PostgreSQL 14 and later.
POSTGRESQL_FILL = """
UPDATE review_cards
SET last_review_us = CAST(round(extract(epoch FROM last_review) * 1000000) AS BIGINT)
WHERE last_review IS NOT NULL
"""


def upgrade():
    op.add_column("review_cards", sa.Column("last_review_us", sa.BigInteger(), nullable=True))
    fill = SQLITE_FILL if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_FILL
    op.execute(fill)
    op.drop_index(INDEX, table_name="review_cards")
    op.create_index(INDEX, "review_cards", [*LEADING, "last_review_us", "id"], unique=False)


def downgrade():
    op.drop_index(INDEX, table_name="review_cards")
    op.create_index(INDEX, "review_cards", [*LEADING, "last_review", "id"], unique=False)
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): no copy of the table, whose
    # drop would cascade to the review logs.
    op.drop_column("review_cards", "last_review_us")
