"""search triggers again: 0010_attention rebuilt `post` on SQLite and lost them

Revision ID: 0014_search_triggers
Revises: 0013_import_keys
Create Date: 2026-12-06 12:40:00

On SQLite the full-text index of 0003_search is fed by triggers on `post`. Alembic's batch
mode rebuilt `post` in 0010_attention (copy, drop, rename), and a rebuilt table has no
triggers: posts written since were not indexed, and edits did not reach the index. This
revision creates the triggers again and rebuilds the index from the live posts, so an
installation upgraded through 0010 finds every post again.

The statements repeat 0003's on purpose: a landed revision is never edited nor imported.
PostgreSQL's trigram index is an index on `post` itself and survived; nothing to do there.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014_search_triggers'
down_revision: str | None = '0013_import_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REINDEX_ONE = """
    DELETE FROM post_fts WHERE rowid = (SELECT rowid FROM post_fts_key WHERE post_id = old.id);
    DELETE FROM post_fts_key WHERE post_id = old.id;
    INSERT INTO post_fts_key (post_id) SELECT new.id WHERE new.deleted_at IS NULL;
    INSERT INTO post_fts (rowid, body)
        SELECT rowid, new.body FROM post_fts_key WHERE post_id = new.id;
"""

_TRIGGERS = [
    """
    CREATE TRIGGER post_fts_ai AFTER INSERT ON post WHEN new.deleted_at IS NULL BEGIN
        INSERT INTO post_fts_key (post_id) VALUES (new.id);
        INSERT INTO post_fts (rowid, body)
            SELECT rowid, new.body FROM post_fts_key WHERE post_id = new.id;
    END
    """,
    f"""
    CREATE TRIGGER post_fts_au AFTER UPDATE OF body, deleted_at ON post BEGIN
        {_REINDEX_ONE}
    END
    """,
    """
    CREATE TRIGGER post_fts_ad AFTER DELETE ON post BEGIN
        DELETE FROM post_fts WHERE rowid = (SELECT rowid FROM post_fts_key WHERE post_id = old.id);
        DELETE FROM post_fts_key WHERE post_id = old.id;
    END
    """,
]

_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS post_fts_ad",
    "DROP TRIGGER IF EXISTS post_fts_au",
    "DROP TRIGGER IF EXISTS post_fts_ai",
]

# The index from scratch: whatever was written while the triggers were missing.
_REBUILD_INDEX = [
    "DELETE FROM post_fts",
    "DELETE FROM post_fts_key",
    "INSERT INTO post_fts_key (post_id) SELECT id FROM post WHERE deleted_at IS NULL",
    "INSERT INTO post_fts (rowid, body)"
    " SELECT k.rowid, p.body FROM post_fts_key AS k JOIN post AS p ON p.id = k.post_id",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in [*_DROP_TRIGGERS, *_TRIGGERS, *_REBUILD_INDEX]:
        op.execute(statement)


def downgrade() -> None:
    # The triggers belong to 0003_search; they stay (0003's own downgrade drops them).
    pass
