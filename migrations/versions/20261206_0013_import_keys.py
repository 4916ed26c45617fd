"""import keys: an office's code (事業所番号) and the previous system's key of imported posts

Revision ID: 0013_import_keys
Revises: 0012_documents
Create Date: 2026-12-06 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013_import_keys'
down_revision: str | None = '0012_documents'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: added columns only, so SQLite alters in place (no rebuild: post keeps its
    # full-text search triggers).
    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=20), server_default='', nullable=False))
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_key', sa.String(length=64), nullable=True))
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_key', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('import_key')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_column('import_key')
    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.drop_column('code')
