"""Bodies that are not JSON at all — invalid UTF-8, or arrays nested thousands deep — get a
400 `invalid_json` on sign-in and on sync, change nothing and log no traceback; on the sign-in
step they count against the per-IP throttle like any other attempt."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.clock import FrozenClock
from store.models import ClientMutation, Post, UserSession
from tests.factories import MadeUser
from tests.ops.test_limits import app_with
from tests.support.api import ApiClient

NOT_UTF8 = b'{"loginId": "\xff\xfe\xfd", "password": "x"}'
DEEP = b"[" * 3000 + b"]" * 3000
DEEP_IN_OBJECT = b'{"cursor": ' + b"[" * 3000 + b"]" * 3000 + b"}"
BROKEN = [NOT_UTF8, DEEP, DEEP_IN_OBJECT, b'{"loginId": ', b"\xef\xbb\xbf\xc3("]


async def _count(sessionmaker: Any, model: Any) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]


async def _raw(api: ApiClient, path: str, body: bytes) -> Any:
    if api.csrf is None:
        await api.refresh_csrf()
    return await api.http.post(
        path, content=body, headers=api.headers({"Content-Type": "application/json"})
    )


@pytest.mark.parametrize("body", BROKEN, ids=["not-utf8", "deep", "deep-in-object",
                                              "cut-short", "bad-utf8-after-bom"])
async def test_sign_in_with_a_body_that_is_not_json_is_a_400(
    client: Any, sessionmaker: Any, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    api = ApiClient(client)
    caplog.set_level(logging.INFO)
    answer = await _raw(api, "/api/auth/login", body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_json"
    assert answer.json()["message"]
    assert await _count(sessionmaker, UserSession) == 0
    _no_traceback(caplog)


@pytest.mark.parametrize("path", ["/api/sync/pull", "/api/sync/push"])
@pytest.mark.parametrize("body", [NOT_UTF8, DEEP, DEEP_IN_OBJECT], ids=["not-utf8", "deep",
                                                                       "deep-in-object"])
async def test_sync_with_a_body_that_is_not_json_is_a_400_and_changes_nothing(
    member: tuple[MadeUser, ApiClient], sessionmaker: Any, path: str, body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, api = member
    caplog.set_level(logging.INFO)
    answer = await _raw(api, path, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_json"
    assert await _count(sessionmaker, Post) == 0
    assert await _count(sessionmaker, ClientMutation) == 0
    _no_traceback(caplog)
    # The session is untouched: the next well-formed pull works.
    assert (await api.post("/api/sync/pull", {"cursor": None})).status_code == 200


async def test_bodies_that_are_not_json_count_against_the_sign_in_throttle(
    data_dir: Path, database_url: str, clock: FrozenClock
) -> None:
    async with app_with(data_dir, database_url, clock,
                        CAREBOOK_SIGNIN_PER_IP_PER_MINUTE="3") as (_, _, client):
        api = ApiClient(client)
        statuses = [(await _raw(api, "/api/auth/login", DEEP)).status_code for _ in range(3)]
        assert statuses == [400, 400, 400]
        refused = await _raw(api, "/api/auth/login", NOT_UTF8)
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "60"
        # A well-formed attempt from the same address is throttled too: one window for both.
        well_formed = await api.login("nobody", "x" * 20)
        assert well_formed.status_code == 429
