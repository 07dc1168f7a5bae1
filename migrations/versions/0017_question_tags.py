"""tags on questions, kept from Anki and the formats that carry them

Revision ID: 0017_question_tags
Revises: 0015_teacher_documents
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0017_question_tags'
down_revision = '0016_study_indexes'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags', JSON, server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('tags')
