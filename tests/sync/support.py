"""API-level helpers for sync tests: signed-in clients, a real uvicorn server in the test's loop,
and a reader of server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from litestar import Litestar

from server.clock import FrozenClock
from server.settings import Settings
from store.models.enums import JobType, Role
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient


async def signed_in(
    http: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock, login_id: str,
    *, role: Role = Role.member, job_type: JobType = JobType.nurse, origin: str | None = None,
) -> tuple[MadeUser, ApiClient]:
    user = await make_user(sessionmaker, settings, login_id, now=clock.now(), role=role,
                           job_type=job_type)
    api = ApiClient(http, origin=origin) if origin else ApiClient(http)
    assert user.totp_secret is not None
    answer = await api.sign_in_totp(user.login_id, user.password, user.totp_secret,
                                    clock.now() if isinstance(clock, FrozenClock) else None)
    assert answer.status_code == 200, answer.text
    return user, api


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """The app behind a real uvicorn on a free loopback port, in this event loop."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@dataclass
class SseEvent:
    event: str | None
    data: Any
    comment: str | None = None


class EventReader:
    """Reads `GET /api/sync/events` in a background task, as EventSource would."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self._stack = contextlib.AsyncExitStack()
        self.response: httpx.Response | None = None
        self._queue: asyncio.Queue[SseEvent | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    async def __aenter__(self) -> EventReader:
        self.response = await self._stack.enter_async_context(
            self.api.http.stream("GET", "/api/sync/events", headers=self.api.headers(),
                                 timeout=httpx.Timeout(30, read=None))
        )
        if self.response.status_code == 200:
            self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._stack.aclose()

    async def next(self, within: float = 5.0, *, comments: bool = False) -> SseEvent:
        """The next event (skipping comments unless asked); TimeoutError when none comes,
        EOFError when the server ended the stream."""
        async with asyncio.timeout(within):
            while True:
                event = await self._queue.get()
                if event is None:
                    self.closed = True
                    raise EOFError("the event stream ended")
                if event.comment is not None and not comments:
                    continue
                return event

    async def none_within(self, seconds: float) -> list[SseEvent]:
        """Every non-comment event within `seconds` (expected: none)."""
        seen: list[SseEvent] = []
        with contextlib.suppress(TimeoutError, EOFError):
            async with asyncio.timeout(seconds):
                while True:
                    seen.append(await self.next(seconds))
        return seen

    async def _read(self) -> None:
        assert self.response is not None
        name: str | None = None
        data: list[str] = []
        comment: str | None = None
        try:
            async for line in self.response.aiter_lines():
                if line == "":
                    if name is not None or data or comment is not None:
                        payload = json.loads("\n".join(data)) if data else None
                        self._queue.put_nowait(SseEvent(name, payload, comment))
                    name, data, comment = None, [], None
                elif line.startswith(":"):
                    comment = line[1:].strip()
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
        except httpx.HTTPError:
            pass
        finally:
            self._queue.put_nowait(None)
