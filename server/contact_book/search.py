"""HTTP for searching a room's contact book (current members only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from .search_schemas import SearchHitOut, SearchOut
from .search_service import MAX_LIMIT, MAX_QUERY_CHARS, search_room


@get(
    "/api/rooms/{room_id:uuid}/search",
    summary="Search the room's live posts (substring match, works for Japanese)",
    tags=["contact book"],
)
async def search_posts(
    room_id: uuid.UUID,
    auth: AuthContext,
    db_session: AsyncSession,
    q: Annotated[str, Parameter(min_length=1, max_length=MAX_QUERY_CHARS)],
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 20,
) -> SearchOut:
    hits, more = await search_room(db_session, auth, room_id, q, limit)
    return SearchOut(
        results=[
            SearchHitOut(
                id=h.id,
                version=h.version,
                snippet=h.snippet,
                created_at=h.created_at,
                report_title_id=h.report_title_id,
            )
            for h in hits
        ],
        has_more=more,
    )


ROUTE_HANDLERS = [search_posts]
