"""定型文: personal and office-wide text templates

Revision ID: 0011_templates
Revises: 0010_attention
Create Date: 2026-12-06 12:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = '0011_templates'
down_revision: str | None = '0010_attention'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = advanced_alchemy.types.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Reviewed: one new table.
    op.create_table('text_template',
        sa.Column('owner_id', sa.Uuid(), nullable=True),
        sa.Column('office_id', sa.Uuid(), nullable=True),
        sa.Column('title', sa.String(length=60), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('report_title_name', sa.String(length=60), nullable=True),
        sa.Column('created_by', sa.Uuid(), nullable=False),
        sa.Column('created_at', _UTC, nullable=False),
        sa.Column('updated_at', _UTC, nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_text_template_owner_id_user_account')),
        sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_text_template_office_id_office')),
        sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_text_template_created_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_template')),
    )
    op.create_index('ix_text_template_owner_id', 'text_template', ['owner_id'])
    op.create_index('ix_text_template_office_id', 'text_template', ['office_id'])


def downgrade() -> None:
    op.drop_index('ix_text_template_office_id', table_name='text_template')
    op.drop_index('ix_text_template_owner_id', table_name='text_template')
    op.drop_table('text_template')
