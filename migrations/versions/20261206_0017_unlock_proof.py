"""unlock proof: the hash of the session's unlock secret (issue 13: a locked app locks the server)

Revision ID: 0017_unlock_proof
Revises: 0016_terms_acceptance
Create Date: 2026-12-06 18:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017_unlock_proof'
down_revision: str | None = '0016_terms_acceptance'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: one nullable column on user_session (SQLite: a batch rebuild of that table).
    # Sessions made before it have no unlock secret: they must sign in again, as intended.
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unlock_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('unlock_hash')
