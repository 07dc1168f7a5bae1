"""stored images and audio, keyed by the SHA-256 of their bytes

Revision ID: 0011_media
Revises: 0009_classes
Create Date: 2026-12-02 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_media'
down_revision = '0010_practice_navigation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_media_files'))
    )


def downgrade():
    op.drop_table('media_files')
