"""classes with join codes, their members and the banks shared with them

Revision ID: 0009_classes
Revises: 0008_account_sessions
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_classes'
down_revision = '0008_account_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('joining_open', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_classes_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classes')),
    sa.UniqueConstraint('join_code', name=op.f('uq_classes_join_code'))
    )
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classes_owner_id'), ['owner_id'], unique=False)

    op.create_table('class_banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_class_banks_bank_id_question_banks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_banks_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shared_by_id'], ['users.id'], name=op.f('fk_class_banks_shared_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_banks')),
    sa.UniqueConstraint('class_id', 'bank_id', name=op.f('uq_class_banks_class_id_bank_id'))
    )
    with op.batch_alter_table('class_banks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_banks_bank_id'), ['bank_id'], unique=False)

    op.create_table('class_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), server_default='student', nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role in ('teacher', 'student')", name=op.f('ck_class_members_member_role_known')),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_members_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_members')),
    sa.UniqueConstraint('class_id', 'user_id', name=op.f('uq_class_members_class_id_user_id'))
    )
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_members_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_members_user_id'))

    op.drop_table('class_members')
    with op.batch_alter_table('class_banks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_banks_bank_id'))

    op.drop_table('class_banks')
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classes_owner_id'))

    op.drop_table('classes')
