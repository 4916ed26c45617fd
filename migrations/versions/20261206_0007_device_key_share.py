"""device key share: a per-device recovery secret the server releases after a full sign-in

Revision ID: 0007_device_key_share
Revises: 0006_id_stop_schedule
Create Date: 2026-12-06 08:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = '0007_device_key_share'
down_revision: str | None = '0006_id_stop_schedule'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: one new table; nothing existing changes.
    op.create_table('device_key_share',
    sa.Column('device_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('secret_sealed', sa.String(length=200), nullable=False),
    sa.Column('released_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], name=op.f('fk_device_key_share_device_id_device')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_device_key_share_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_key_share')),
    sa.UniqueConstraint('device_id', name=op.f('uq_device_key_share_device_id'))
    )
    with op.batch_alter_table('device_key_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_key_share_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('device_key_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_key_share_user_id'))
    op.drop_table('device_key_share')
