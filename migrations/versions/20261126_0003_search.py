"""search: Japanese-capable full-text search over live posts

SQLite: an FTS5 table with the trigram tokenizer (substring matching, no word
splitting needed for Japanese), fed by triggers on `post`. The FTS rows are keyed
through `post_fts_key`, whose INTEGER PRIMARY KEY is stable: `post` has a UUID key,
and its implicit rowid may be renumbered by VACUUM or by a batch table rebuild.

PostgreSQL: pg_trgm and a partial GIN trigram index on the live posts' bodies,
used by `ILIKE '%…%'`.

Written by hand: autogenerate knows neither virtual tables, triggers nor operator
classes; `migrations/env.py` keeps `alembic check` from flagging these objects.

CAUTION for later revisions: a SQLite batch rebuild of `post` (batch_alter_table
with recreate) drops the triggers below; such a revision must create them again.

Revision ID: 0003_search
Revises: 0001_baseline
Create Date: 2026-11-26 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_search"
down_revision: str | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Re-index one post: drop its FTS row (if any), then add it again when it is live.
_SQLITE_REINDEX = """
    DELETE FROM post_fts WHERE rowid = (SELECT rowid FROM post_fts_key WHERE post_id = old.id);
    DELETE FROM post_fts_key WHERE post_id = old.id;
    INSERT INTO post_fts_key (post_id) SELECT new.id WHERE new.deleted_at IS NULL;
    INSERT INTO post_fts (rowid, body)
        SELECT rowid, new.body FROM post_fts_key WHERE post_id = new.id;
"""

_SQLITE_UP = [
    "CREATE TABLE post_fts_key ("
    " rowid INTEGER PRIMARY KEY,"
    " post_id CHAR(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE post_fts USING fts5(body, tokenize = 'trigram')",
    """
    CREATE TRIGGER post_fts_ai AFTER INSERT ON post WHEN new.deleted_at IS NULL BEGIN
        INSERT INTO post_fts_key (post_id) VALUES (new.id);
        INSERT INTO post_fts (rowid, body)
            SELECT rowid, new.body FROM post_fts_key WHERE post_id = new.id;
    END
    """,
    f"""
    CREATE TRIGGER post_fts_au AFTER UPDATE OF body, deleted_at ON post BEGIN
        {_SQLITE_REINDEX}
    END
    """,
    """
    CREATE TRIGGER post_fts_ad AFTER DELETE ON post BEGIN
        DELETE FROM post_fts WHERE rowid = (SELECT rowid FROM post_fts_key WHERE post_id = old.id);
        DELETE FROM post_fts_key WHERE post_id = old.id;
    END
    """,
    # Posts that exist already (an upgraded installation, the demo data).
    "INSERT INTO post_fts_key (post_id) SELECT id FROM post WHERE deleted_at IS NULL",
    "INSERT INTO post_fts (rowid, body)"
    " SELECT k.rowid, p.body FROM post_fts_key AS k JOIN post AS p ON p.id = k.post_id",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS post_fts_ad",
    "DROP TRIGGER IF EXISTS post_fts_au",
    "DROP TRIGGER IF EXISTS post_fts_ai",
    "DROP TABLE IF EXISTS post_fts",
    "DROP TABLE IF EXISTS post_fts_key",
]

_POSTGRESQL_UP = [
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_post_body_trgm ON post USING gin (body gin_trgm_ops)"
    " WHERE deleted_at IS NULL",
]

_POSTGRESQL_DOWN = [
    # The extension stays: dropping it could break anything else that came to use it.
    "DROP INDEX IF EXISTS ix_post_body_trgm",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_UP)
    elif dialect == "postgresql":
        _run(_POSTGRESQL_UP)
    else:
        raise NotImplementedError(f"search index for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(_POSTGRESQL_DOWN)
    else:
        raise NotImplementedError(f"search index for {dialect}")
