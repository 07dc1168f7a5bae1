"""personal decks, archived banks and questions, copies

Revision ID: 0013_personal_decks
Revises: 0009_classes
Create Date: 2026-12-02 01:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_personal_decks"
down_revision = "0012_imports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_banks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("personal", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copied_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_copied_from_id_questions"),
            "questions",
            ["copied_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_questions_archived_at"), ["archived_at"], unique=False)


def downgrade():
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_archived_at"))
        batch_op.drop_constraint(
            batch_op.f("fk_questions_copied_from_id_questions"), type_="foreignkey"
        )
        batch_op.drop_column("archived_at")
        batch_op.drop_column("copied_from_id")

    with op.batch_alter_table("question_banks", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("personal")
