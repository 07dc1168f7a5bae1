"""class exam dates: an exam date of a class quiz, for every current student of its class

Revision ID: 0021_class_exam_dates
Revises: 0020_pending_documents
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_class_exam_dates"
down_revision = "0020_pending_documents"
branch_labels = None
depends_on = None


def upgrade():
    # quiz_id was reserved without a foreign key; nothing wrote it, but a stray value
    # would stop the key from being created.
    op.execute(
        "UPDATE exam_dates SET quiz_id = NULL WHERE quiz_id IS NOT NULL"
        " AND quiz_id NOT IN (SELECT id FROM quizzes)"
    )
    with op.batch_alter_table("exam_dates", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_exam_dates_has_scope"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_exam_dates_has_scope"),
            "bank_id is not null or topic_id is not null or quiz_id is not null",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_exam_dates_student_or_quiz"),
            "(user_id is null) <> (quiz_id is null)",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_exam_dates_quiz_id"), ["quiz_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_exam_dates_quiz_id_quizzes"),
            "quizzes",
            ["quiz_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    op.execute("DELETE FROM exam_dates WHERE user_id IS NULL")
    with op.batch_alter_table("exam_dates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_exam_dates_quiz_id_quizzes"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_exam_dates_quiz_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_exam_dates_student_or_quiz"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_exam_dates_has_scope"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_exam_dates_has_scope"), "bank_id is not null or topic_id is not null"
        )
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
