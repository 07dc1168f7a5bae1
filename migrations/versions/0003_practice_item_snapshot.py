"""practice items keep the question version, kind and content they were drawn with

Revision ID: 0003_item_snapshot
Revises: 0002
Create Date: 2026-12-01 21:50:00

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0003_item_snapshot"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("practice_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("question_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("question_kind", sa.String(length=24), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("content", JSON_DOCUMENT, nullable=True))
    # Items drawn before snapshots existed take their question as it is now.
    op.execute(
        "UPDATE practice_items SET"
        " question_version = (SELECT q.version FROM questions q WHERE q.id = practice_items.question_id),"
        " question_kind = (SELECT q.kind FROM questions q WHERE q.id = practice_items.question_id),"
        " content = (SELECT q.content FROM questions q WHERE q.id = practice_items.question_id)"
    )
    with op.batch_alter_table("practice_items", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=JSON_DOCUMENT, nullable=False)


def downgrade():
    with op.batch_alter_table("practice_items", schema=None) as batch_op:
        batch_op.drop_column("content")
        batch_op.drop_column("question_kind")
        batch_op.drop_column("question_version")
