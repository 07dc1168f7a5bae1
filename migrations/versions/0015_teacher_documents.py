"""teachers' own source documents and the question drafts drawn from them

Revision ID: 0015_teacher_documents
Revises: 0009_classes
Create Date: 2026-12-02 00:50:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0015_teacher_documents'
down_revision = '0014_quizzes'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    # The seeded documents keep no owner: every signed-in user reads them, as before.
    with op.batch_alter_table('source_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('file_name', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('file_type', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('draft_bank_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_source_documents_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_source_documents_owner_id_users'), 'users', ['owner_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_source_documents_draft_bank_id_question_banks'), 'question_banks', ['draft_bank_id'], ['id'], ondelete='SET NULL')

    op.create_table('question_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('content', JSON, nullable=False),
    sa.Column('section', sa.String(length=80), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('basis', sa.String(length=40), server_default='', nullable=False),
    sa.Column('draft_key', sa.String(length=40), server_default='', nullable=False),
    sa.Column('needs_review', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('state', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state in ('pending', 'accepted', 'rejected')", name=op.f('ck_question_drafts_draft_state_known')),
    sa.ForeignKeyConstraint(['document_id'], ['source_documents.id'], name=op.f('fk_question_drafts_document_id_source_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_question_drafts_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_drafts_question_id_questions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_drafts'))
    )
    with op.batch_alter_table('question_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_drafts_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_drafts_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('question_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_drafts_owner_id'))
        batch_op.drop_index(batch_op.f('ix_question_drafts_document_id'))
    op.drop_table('question_drafts')
    with op.batch_alter_table('source_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_source_documents_draft_bank_id_question_banks'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_source_documents_owner_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_source_documents_owner_id'))
        batch_op.drop_column('draft_bank_id')
        batch_op.drop_column('file_type')
        batch_op.drop_column('file_name')
        batch_op.drop_column('owner_id')
