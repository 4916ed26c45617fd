"""sync stream: a database-wide stream position for constant-size sync cursors

Revision ID: 0009_sync_stream
Revises: 0008_corrections
Create Date: 2026-12-06 09:00:00.000000

Everything recorded before this revision is at position 0 (rooms, changes and stays alike):
the stream starts at 0 and the first transaction that records a change takes position 1.
Cursors made before it are recognised by their format and reset their rooms (sync/cursor.py).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_sync_stream'
down_revision: str | None = '0008_corrections'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: a one-row table; new columns on change_log (its position filled with 0, then
    # without a default: every later row must say its position), room and room_member; the
    # change log's (room_id, version) index becomes (room_id, position, version).
    stream = op.create_table(
        'sync_stream',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_stream')),
    )
    op.bulk_insert(stream, [{'id': 1, 'position': 0}])

    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.BigInteger(), nullable=False,
                                      server_default=sa.text('0')))
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.alter_column('position', server_default=None)
        batch_op.drop_index('ix_change_log_room_id_version')
        batch_op.create_index('ix_change_log_room_id_position', ['room_id', 'position', 'version'],
                              unique=False)

    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_position', sa.BigInteger(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.create_index(batch_op.f('ix_room_changed_position'), ['changed_position'],
                              unique=False)

    with op.batch_alter_table('room_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_position', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('left_position', sa.BigInteger(), nullable=True))
    op.execute("UPDATE room_member SET joined_position = 0")
    op.execute("UPDATE room_member SET left_position = 0 WHERE left_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('room_member', schema=None) as batch_op:
        batch_op.drop_column('left_position')
        batch_op.drop_column('joined_position')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_changed_position'))
        batch_op.drop_column('changed_position')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_room_id_position')
        batch_op.create_index('ix_change_log_room_id_version', ['room_id', 'version'],
                              unique=False)
        batch_op.drop_column('position')
    op.drop_table('sync_stream')
