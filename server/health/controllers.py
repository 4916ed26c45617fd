"""`GET /api/health`: is the server up, and which database does it use."""

from __future__ import annotations

import msgspec
from litestar import get
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..route_policy import policy
from ..settings import Settings


class Health(msgspec.Struct, rename="camel"):
    status: str
    database: str
    version: str


@get(
    "/api/health",
    tags=["health"],
    summary="Liveness and database check",
    # Load balancers and monitors call it without the app's headers (docs/api/requests.md).
    opt=policy(auth="public", bare=True),
)
async def health(settings: Settings, db_session: AsyncSession) -> Health:
    await db_session.execute(text("SELECT 1"))
    return Health(status="ok", database=settings.database.dialect, version=settings.version)
