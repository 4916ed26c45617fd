"""Documents: PDF attachments (kind, file name, page count) and the documents a post carries

Revision ID: 0012_documents
Revises: 0011_templates
Create Date: 2026-12-06 13:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012_documents'
down_revision: str | None = '0011_templates'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    # Reviewed: columns only, with server defaults, so existing attachments read as photos
    # and existing posts as carrying no documents.
    with op.batch_alter_table('attachment') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=20), nullable=False,
                                   server_default='photo'))
        batch.add_column(sa.Column('filename', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('page_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('post') as batch:
        batch.add_column(sa.Column('documents', _JSON, nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('post') as batch:
        batch.drop_column('documents')
    with op.batch_alter_table('attachment') as batch:
        batch.drop_column('page_count')
        batch.drop_column('filename')
        batch.drop_column('kind')
