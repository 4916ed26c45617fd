"""terms acceptance: who accepted which version of the city's terms of use, and when

Revision ID: 0016_terms_acceptance
Revises: 0015_medications
Create Date: 2026-12-06 18:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = '0016_terms_acceptance'
down_revision: str | None = '0015_medications'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: one new table; nothing existing changes.
    op.create_table('terms_acceptance',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('accepted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_terms_acceptance_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms_acceptance')),
    sa.UniqueConstraint('user_id', 'version', name=op.f('uq_terms_acceptance_user_id_version'))
    )
    with op.batch_alter_table('terms_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terms_acceptance_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('terms_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terms_acceptance_user_id'))
    op.drop_table('terms_acceptance')
