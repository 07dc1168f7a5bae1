"""indexes on the foreign keys that deletes follow into large tables

Revision ID: 0019_foreign_key_indexes
Revises: 0018_results
Create Date: 2026-12-02 03:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_foreign_key_indexes"
down_revision = "0018_results"
branch_labels = None
depends_on = None

# Without them, deleting a bank (its questions cascade) scans these tables once per row.
INDEXES = [
    ("ix_questions_copied_from_id", "questions", "copied_from_id"),
    ("ix_question_drafts_question_id", "question_drafts", "question_id"),
    ("ix_practice_sessions_retry_of_id", "practice_sessions", "retry_of_id"),
    ("ix_quiz_slots_bank_id", "quiz_slots", "bank_id"),
    ("ix_quiz_slots_topic_id", "quiz_slots", "topic_id"),
    ("ix_source_documents_draft_bank_id", "source_documents", "draft_bank_id"),
]


def upgrade():
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade():
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
