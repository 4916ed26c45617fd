"""ID stops scheduled for a future date, the job lease, and room-join requests with a member list

Revision ID: 0006_id_stop_schedule
Revises: 0005_invitation_revoke
Create Date: 2026-12-06 08:16:17.519910
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import advanced_alchemy.types

revision: str = '0006_id_stop_schedule'
down_revision: str | None = '0005_invitation_revoke'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
_application = sa.table(
    'application',
    sa.column('id', sa.Uuid()),
    sa.column('kind', sa.String()),
    sa.column('payload', _JSON),
)


def _rewrite_room_joins(convert: object) -> None:
    """roomJoin payloads: `{roomId, userId, permission}` ⇄ `{roomId, members: [{userId, permission}]}`."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_application.c.id, _application.c.payload).where(_application.c.kind == 'roomJoin')
    ).all()
    for row_id, payload in rows:
        new = convert(dict(payload or {}))  # type: ignore[operator]
        if new is not None:
            bind.execute(
                _application.update().where(_application.c.id == row_id).values(payload=new)
            )


def _to_members(payload: dict) -> dict | None:
    if 'members' in payload or 'userId' not in payload:
        return None
    member = {'userId': payload.pop('userId'), 'permission': payload.pop('permission', 'write')}
    return {**payload, 'members': [member]}


def _to_single(payload: dict) -> dict | None:
    members = payload.pop('members', None)
    if not members or 'roomId' not in payload:
        return None
    return {**payload, 'userId': members[0]['userId'], 'permission': members[0].get('permission', 'write')}


def upgrade() -> None:
    # Reviewed: two new tables (no rebuild of existing ones); the lease row of the ID-stop job;
    # stored roomJoin payloads take the new shape (one member → a list of one).
    op.create_table('job_lease',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=True),
    sa.Column('expires_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_lease'))
    )
    op.bulk_insert(
        sa.table('job_lease', sa.column('name', sa.String())), [{'name': 'scheduledStops'}]
    )
    op.create_table('scheduled_stop',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=True),
    sa.Column('stop_on', sa.Date(), nullable=False),
    sa.Column('due_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('scheduled_by_id', sa.Uuid(), nullable=True),
    sa.Column('notice_sent_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('done_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('cancelled_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Uuid(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_scheduled_stop_application_id_application')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user_account.id'], name=op.f('fk_scheduled_stop_cancelled_by_id_user_account')),
    sa.ForeignKeyConstraint(['scheduled_by_id'], ['user_account.id'], name=op.f('fk_scheduled_stop_scheduled_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_scheduled_stop_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_stop'))
    )
    with op.batch_alter_table('scheduled_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_stop_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_stop_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_stop_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_stop_user_id'), ['user_id'], unique=False)
    _rewrite_room_joins(_to_members)


def downgrade() -> None:
    _rewrite_room_joins(_to_single)
    with op.batch_alter_table('scheduled_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduled_stop_user_id'))
        batch_op.drop_index(batch_op.f('ix_scheduled_stop_state'))
        batch_op.drop_index(batch_op.f('ix_scheduled_stop_due_at'))
        batch_op.drop_index(batch_op.f('ix_scheduled_stop_application_id'))

    op.drop_table('scheduled_stop')
    op.drop_table('job_lease')
