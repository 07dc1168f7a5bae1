"""study actions for undo, new-card order and the deck studied now

Revision ID: 0006_study_actions
Revises: 0005_exam_target
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006_study_actions'
down_revision = '0005_exam_target'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('study_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('card_before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('review_log_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['review_cards.id'], name=op.f('fk_study_actions_card_id_review_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_log_id'], ['review_logs.id'], name=op.f('fk_study_actions_review_log_id_review_logs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_study_actions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_actions'))
    )
    with op.batch_alter_table('study_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_actions_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_study_actions_review_log_id'), ['review_log_id'], unique=False)
        batch_op.create_index('ix_study_actions_user_id_id', ['user_id', 'id'], unique=False)

    with op.batch_alter_table('study_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_card_order', sa.String(length=8), server_default='file', nullable=False))
        batch_op.add_column(sa.Column('study_deck', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('study_settings', schema=None) as batch_op:
        batch_op.drop_column('study_deck')
        batch_op.drop_column('new_card_order')

    with op.batch_alter_table('study_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_study_actions_user_id_id')
        batch_op.drop_index(batch_op.f('ix_study_actions_review_log_id'))
        batch_op.drop_index(batch_op.f('ix_study_actions_card_id'))

    op.drop_table('study_actions')
