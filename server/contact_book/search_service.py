"""Search a room's live posts; works for Japanese, which has no spaces between words.

Matching is by substring, never by word: SQLite uses the FTS5 trigram index made
by revision 0003_search, PostgreSQL `ILIKE` served by a pg_trgm GIN index. A
trigram index cannot look up fewer than three characters, yet the words nurses
search for most are two (発熱, 褥瘡, 浮腫): such terms are matched with `LIKE`
inside the one room, which its index keeps small. Terms split on any space
(including the ideographic one) and must all match.

The audit event records the room, the count and the query's length — never the
query, which is often a patient's condition.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Integer, MetaData, Select, Table, Text, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Post
from store.writer import begin_write

from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import InvalidInput
from .room_access import require_reader

MAX_QUERY_CHARS = 100
MAX_TERMS = 5
MAX_LIMIT = 50
TRIGRAM = 3
SNIPPET_BEFORE = 30
SNIPPET_CHARS = 100

# The hand-made SQLite search tables; a metadata of their own, unknown to Alembic.
_search_metadata = MetaData()
post_fts_key = Table(
    "post_fts_key",
    _search_metadata,
    Column("rowid", Integer, primary_key=True),
    Column("post_id", Uuid),
)
post_fts = Table("post_fts", _search_metadata, Column("rowid", Integer), Column("body", Text))


@dataclass(frozen=True)
class SearchHit:
    id: uuid.UUID
    version: int
    snippet: str
    created_at: datetime
    report_title_id: uuid.UUID | None


def parse_terms(q: str) -> list[str]:
    """Split a query into at most MAX_TERMS distinct terms; a bad query is a 400."""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"検索語は {MAX_QUERY_CHARS} 文字までです。",
            f"The search text may have at most {MAX_QUERY_CHARS} characters.",
            code="query_too_long",
        )
    terms = list(dict.fromkeys(term for term in q.split() if term))
    if not terms:
        raise InvalidInput(
            "検索する言葉を入力してください。",
            "Please enter something to search for.",
            code="query_empty",
        )
    if len(terms) > MAX_TERMS:
        raise InvalidInput(
            f"検索語は {MAX_TERMS} 個までです。",
            f"Use at most {MAX_TERMS} search terms.",
            code="query_too_many_terms",
        )
    return terms


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's wildcards in the term taken literally (escape character `\\`)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    """An FTS5 string literal: with the trigram tokenizer it matches as a substring."""
    return '"' + term.replace('"', '""') + '"'


def snippet(body: str, terms: list[str]) -> str:
    """A short, single-line excerpt around the first match."""
    flat = " ".join(body.split())
    folded = flat.lower()
    found = [i for i in (folded.find(t.lower()) for t in terms) if i >= 0]
    start = max(0, min(found) - SNIPPET_BEFORE) if found else 0
    excerpt = flat[start : start + SNIPPET_CHARS]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_CHARS < len(flat) else ""
    return prefix + excerpt + suffix


def matching_posts(dialect: str, room_id: uuid.UUID, terms: list[str]) -> Select[tuple[Post]]:
    """The room's live posts that contain every term."""
    stmt = select(Post).where(Post.room_id == room_id, Post.deleted_at.is_(None))
    if dialect == "postgresql":
        for term in terms:
            stmt = stmt.where(Post.body.ilike(like_pattern(term)))
        return stmt
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        indexed = (
            select(post_fts_key.c.post_id)
            .select_from(post_fts.join(post_fts_key, post_fts_key.c.rowid == post_fts.c.rowid))
            .where(post_fts.c.body.match(" AND ".join(fts_phrase(t) for t in long_terms)))
        )
        stmt = stmt.where(Post.id.in_(indexed))
    for term in terms:
        if len(term) < TRIGRAM:
            stmt = stmt.where(Post.body.like(like_pattern(term), escape="\\"))
    return stmt


async def search_room(
    session: AsyncSession, ctx: AuthContext, room_id: uuid.UUID, q: str, limit: int
) -> tuple[list[SearchHit], bool]:
    """The newest matching live posts (at most `limit`), and whether there are more."""
    assert ctx.user is not None
    terms = parse_terms(q)
    await begin_write(session)  # the audit event is written with the read
    access = await require_reader(session, ctx.user, room_id)
    dialect = session.get_bind().dialect.name
    stmt = matching_posts(dialect, room_id, terms)
    stmt = stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit + 1)
    posts = list(await session.scalars(stmt))
    more = len(posts) > limit
    hits = [
        SearchHit(
            id=p.id,
            version=p.version,
            snippet=snippet(p.body, terms),
            created_at=p.created_at,
            report_title_id=p.report_title_id,
        )
        for p in posts[:limit]
    ]
    await audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action="post.search",
        target_type="room",
        target_id=room_id,
        room_id=room_id,
        patient_id=access.patient_id,
        details={"queryLength": len(q), "terms": len(terms), "results": len(hits)},
    )
    await session.commit()
    return hits, more
