"""`/api/sync/*`: pull, push and the live event stream (DESIGN.md "Delta sync").

Thin: each handler hands its body to `SyncService` or `EventStream` and returns the
engine's wire Structs (`sync/wire.py`); the engine in `sync/` does the work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.openapi import ResponseSpec
from litestar.response import ServerSentEvent, ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession

from sync.push import Mutation
from sync.wire import PokeEvent, PullOut, PushOut, RevokedEvent, WipeEvent

from ..auth.context import AuthContext
from ..route_policy import policy
from .sync_schemas import PUSH_BODY_LIMIT, PullIn, PushEnvelope
from .sync_service import HEARTBEAT_S, EventStream, SyncService

TAGS = ["sync"]
RETRY_MS = 3000


@post(
    "/api/sync/pull",
    status_code=200,
    summary="Changes in my rooms since the cursor (null: from scratch), paged by limit",
    tags=TAGS,
)
async def sync_pull(data: PullIn, auth: AuthContext, db_session: AsyncSession) -> PullOut:
    return await SyncService(db_session, auth).pull(data.cursor, data.limit)


@post(
    "/api/sync/push",
    status_code=200,
    summary="Apply my client's mutations in order, each at most once",
    description="A mutation that cannot apply (bad arguments, unknown name, no permission) "
    "is answered `rejected` with a reason; the others still apply.",
    tags=TAGS,
    opt=policy(body_limit=PUSH_BODY_LIMIT, refuses={409}),
)
async def sync_push(
    data: PushEnvelope, auth: AuthContext, db_session: AsyncSession
) -> PushOut:
    mutations = [Mutation(m.id, m.name, m.args) for m in data.mutations]
    return await SyncService(db_session, auth).push(data.client_id, mutations)


@get(
    "/api/sync/events",
    summary="Server-sent events: pokes {roomId, version}, revoked {roomId}, wipe; "
    "a heartbeat comment every 20 s",
    tags=TAGS,
    opt=policy(stream=True),
    responses={
        200: ResponseSpec(
            # A union documents one of three shapes; Litestar's hint names single types
            # (and, with pydantic installed for the FHIR tests, mypy reads it strictly).
            data_container=PokeEvent | RevokedEvent | WipeEvent,  # type: ignore[arg-type]
            media_type="text/event-stream",
            description="A stream of events; each event's `data` is JSON: `poke` a "
            "PokeEvent, `revoked` a RevokedEvent, `wipe` a WipeEvent. A comment line "
            "every 20 s keeps the connection open.",
            generate_examples=False,
        )
    },
)
async def sync_events(request: Request[Any, Any, Any], auth: AuthContext) -> ServerSentEvent:
    state = request.app.state
    stream = EventStream(
        state.sessionmaker,
        state.clock,
        state.settings,
        auth,
        heartbeat_s=float(state.get("sync_heartbeat_s", HEARTBEAT_S)),
    )

    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        first = True
        async for item in stream.events():
            retry = RETRY_MS if first else None
            first = False
            if item.comment is not None:
                yield ServerSentEventMessage(data=None, comment=item.comment, retry=retry)
            else:
                yield ServerSentEventMessage(
                    data=msgspec.json.encode(item.data).decode(),
                    event=item.event,
                    retry=retry,
                )

    return ServerSentEvent(messages(), headers={"Cache-Control": "no-store"})


ROUTE_HANDLERS = [sync_pull, sync_push, sync_events]
