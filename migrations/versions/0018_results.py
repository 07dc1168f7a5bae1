"""teachers' grade overrides per quiz, and the students' choice to share reviews with classes

Revision ID: 0018_results
Revises: 0017_question_tags
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_results'
down_revision = '0017_question_tags'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quiz_grade_overrides',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('grade', sa.Float(), nullable=False),
        sa.Column('original_grade', sa.Float(), nullable=True),
        sa.Column('comment', sa.Text(), server_default='', nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('grade >= 0 AND grade <= 1', name=op.f('ck_quiz_grade_overrides_grade_override_in_range')),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_quiz_grade_overrides_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_grade_overrides_quiz_id_quizzes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_grade_overrides_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_grade_overrides')),
        sa.UniqueConstraint('quiz_id', 'user_id', name=op.f('uq_quiz_grade_overrides_quiz_id_user_id')),
    )
    with op.batch_alter_table('quiz_grade_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_grade_overrides_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_reviews_with_classes', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('share_reviews_with_classes')

    with op.batch_alter_table('quiz_grade_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_grade_overrides_user_id'))

    op.drop_table('quiz_grade_overrides')
