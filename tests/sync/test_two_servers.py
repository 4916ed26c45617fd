"""Two `carebook serve` processes on one PostgreSQL database behave as one: a post pushed
through one pokes an event stream held by the other (LISTEN/NOTIFY), and the poked member's
pull through that other process returns the post.

PostgreSQL only (SQLite pokes stay in-process by design): marked `postgres_only`, deselected
without CAREBOOK_TEST_DATABASE_URL, and the fixture insists on it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.settings import Settings
from store.models.enums import JobType, Permission
from tests.browser.server import live_server_process
from tests.factories import make_user
from tests.support.api import ApiClient
from tests.sync.support import EventReader
from tests.sync.world import open_room, uid

pytestmark = pytest.mark.postgres_only


async def _signed_in(url: str, sm: Any, settings: Settings, login: str, **kwargs: Any) -> Any:
    user = await make_user(sm, settings, login, now=datetime.now(UTC), **kwargs)
    http = httpx.AsyncClient(base_url=url, timeout=30)
    api = ApiClient(http, origin=url)
    assert user.totp_secret is not None
    answer = await api.sign_in_totp(user.login_id, user.password, user.totp_secret)
    assert answer.status_code == 200, answer.text
    return user, api


async def test_a_post_through_one_server_pokes_a_stream_on_the_other(
    postgres_url: str, tmp_path: Path, sessionmaker: Any, settings: Settings
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with live_server_process(tmp_path / "a", postgres_url) as one, \
            live_server_process(tmp_path / "b", postgres_url) as other:
        nurse, nurse_api = await _signed_in(one.url, sessionmaker, settings, "two-nurse")
        doctor, doctor_api = await _signed_in(other.url, sessionmaker, settings, "two-doctor",
                                              job_type=JobType.doctor)
        room = await open_room(sessionmaker, datetime.now(UTC),
                               {nurse.id: Permission.write, doctor.id: Permission.write})
        try:
            cursor = (await doctor_api.post("/api/sync/pull", {"cursor": None})).json()["cursor"]
            async with EventReader(doctor_api) as stream:
                assert (await stream.next(comments=True)).comment == "connected"
                args = {"id": uid(), "roomId": str(room.room_id),
                        "reportTitleId": str(room.titles[0]), "body": "別のサーバーからの投稿"}
                started = time.monotonic()
                pushed = await nurse_api.post("/api/sync/push", {
                    "clientId": "two-nurse-client",
                    "mutations": [{"id": 1, "name": "post.create", "args": args}]})
                assert pushed.json()["results"] == [{"id": 1, "status": "ok"}]
                poke = await stream.next(10.0)
                elapsed = time.monotonic() - started
                assert poke.event == "poke" and poke.data["roomId"] == str(room.room_id)
                assert elapsed < 5.0
            delta = (await doctor_api.post("/api/sync/pull", {"cursor": cursor})).json()
            posts = [c["data"]["body"] for c in delta["rooms"][str(room.room_id)]["changes"]
                     if c["type"] == "post"]
            assert posts == ["別のサーバーからの投稿"]
        finally:
            await nurse_api.http.aclose()
            await doctor_api.http.aclose()
