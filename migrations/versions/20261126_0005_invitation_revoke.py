"""invitation revoke: an admin withdraws an unused invitation (who and when)

Revision ID: 0005_invitation_revoke
Revises: 0004_push
Create Date: 2026-11-26 15:15:58.977620
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = '0005_invitation_revoke'
down_revision: str | None = '0004_push'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: two nullable columns on invitation (SQLite: a batch rebuild of that table only).
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitation_revoked_by_id_user_account'), 'user_account', ['revoked_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitation_revoked_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
