"""What needs me: vitals thresholds and flags, addressees (宛先), each member's own reading state

Revision ID: 0010_attention
Revises: 0009_sync_stream
Create Date: 2026-12-06 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import advanced_alchemy.types

revision: str = '0010_attention'
down_revision: str | None = '0009_sync_stream'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
_UTC = advanced_alchemy.types.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Reviewed: three new tables; post and comment gain columns with server defaults, so
    # existing rows read as "no flags, nobody addressed".
    op.create_table('vital_threshold',
        sa.Column('room_id', sa.Uuid(), nullable=False),
        sa.Column('sign', sa.String(length=30), nullable=False),
        sa.Column('low', sa.Float(), nullable=True),
        sa.Column('high', sa.Float(), nullable=True),
        sa.Column('set_by', sa.Uuid(), nullable=False),
        sa.Column('set_at', _UTC, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_vital_threshold_room_id_room')),
        sa.ForeignKeyConstraint(['set_by'], ['user_account.id'], name=op.f('fk_vital_threshold_set_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vital_threshold')),
        sa.UniqueConstraint('room_id', 'sign', name=op.f('uq_vital_threshold_room_id_sign')),
    )
    op.create_table('addressee',
        sa.Column('room_id', sa.Uuid(), nullable=False),
        sa.Column('post_id', sa.Uuid(), nullable=False),
        sa.Column('comment_id', sa.Uuid(), nullable=True),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('author_id', sa.Uuid(), nullable=False),
        sa.Column('asks_answer', sa.Boolean(), nullable=False),
        sa.Column('answered_at', _UTC, nullable=True),
        sa.Column('answer_comment_id', sa.Uuid(), nullable=True),
        sa.Column('done_at', _UTC, nullable=True),
        sa.Column('created_at', _UTC, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('deleted_at', _UTC, nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_addressee_room_id_room')),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_addressee_post_id_post')),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_addressee_comment_id_comment')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_addressee_user_id_user_account')),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_addressee_author_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_addressee')),
    )
    op.create_index('ix_addressee_post_id_user_id', 'addressee', ['post_id', 'user_id'])
    op.create_index('ix_addressee_room_id_version', 'addressee', ['room_id', 'version'])
    op.create_table('room_personal',
        sa.Column('room_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('unread_post_ids', _JSON, nullable=False),
        sa.Column('cleared_version', sa.BigInteger(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('updated_at', _UTC, nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_personal_room_id_room')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_room_personal_user_id_user_account')),
        sa.PrimaryKeyConstraint('room_id', 'user_id', name=op.f('pk_room_personal')),
    )
    with op.batch_alter_table('post') as batch:
        batch.add_column(sa.Column('vitals_flags', _JSON, nullable=True))
        batch.add_column(sa.Column('addressee_ids', _JSON, nullable=False, server_default='[]'))
        batch.add_column(sa.Column('asks_answer', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('comment') as batch:
        batch.add_column(sa.Column('addressee_ids', _JSON, nullable=False, server_default='[]'))
        batch.add_column(sa.Column('asks_answer', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('comment') as batch:
        batch.drop_column('asks_answer')
        batch.drop_column('addressee_ids')
    with op.batch_alter_table('post') as batch:
        batch.drop_column('asks_answer')
        batch.drop_column('addressee_ids')
        batch.drop_column('vitals_flags')
    op.drop_table('room_personal')
    op.drop_index('ix_addressee_room_id_version', table_name='addressee')
    op.drop_index('ix_addressee_post_id_user_id', table_name='addressee')
    op.drop_table('addressee')
    op.drop_table('vital_threshold')
