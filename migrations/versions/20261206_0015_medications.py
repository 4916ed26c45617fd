"""Medications and allergies per patient (kept in the room), and the opt-in daily mail

Revision ID: 0015_medications
Revises: 0014_search_triggers
Create Date: 2026-12-06 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = '0015_medications'
down_revision: str | None = '0014_search_triggers'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = advanced_alchemy.types.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Reviewed: one new table; notification_preference gains two columns with server
    # defaults, so every existing user stays out of the daily mail until they opt in.
    op.create_table('medication',
        sa.Column('room_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('dose', sa.String(length=200), nullable=False),
        sa.Column('timing', sa.String(length=200), nullable=False),
        sa.Column('reaction', sa.String(length=200), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('stopped_on', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('changed_by', sa.Uuid(), nullable=False),
        sa.Column('changed_at', _UTC, nullable=False),
        sa.Column('created_at', _UTC, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('deleted_at', _UTC, nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_medication_room_id_room')),
        sa.ForeignKeyConstraint(['changed_by'], ['user_account.id'], name=op.f('fk_medication_changed_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_medication')),
    )
    op.create_index('ix_medication_room_id_version', 'medication', ['room_id', 'version'])
    with op.batch_alter_table('notification_preference') as batch:
        batch.add_column(sa.Column('daily_mail', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('daily_mail_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notification_preference') as batch:
        batch.drop_column('daily_mail_on')
        batch.drop_column('daily_mail')
    op.drop_index('ix_medication_room_id_version', table_name='medication')
    op.drop_table('medication')
