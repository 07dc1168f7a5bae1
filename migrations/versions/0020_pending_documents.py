"""uploaded documents kept until their owner saves them with the sections chosen

Revision ID: 0020_pending_documents
Revises: 0019_foreign_key_indexes
Create Date: 2026-12-02 03:30:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0020_pending_documents"
down_revision = "0019_foreign_key_indexes"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "pending_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=300), server_default="", nullable=False),
        sa.Column("file_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("file_type", sa.String(length=10), server_default="", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sections", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_pending_documents_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_documents")),
    )
    with op.batch_alter_table("pending_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_documents_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_documents_owner_id"), ["owner_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pending_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_documents_owner_id"))
        batch_op.drop_index(batch_op.f("ix_pending_documents_created_at"))
    op.drop_table("pending_documents")
