"""Structured logs with request ids, `/api/metrics` for the operator, and no secret or post text
in any log line or audit row."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.app import create_app
from server.clock import FrozenClock
from server.ops.logging import JsonFormatter, configure_logging
from server.settings import Settings, load_settings
from store.models import AuditEvent, Outbox, PushSubscription
from tests.conftest import BASE_URL, server_env
from tests.factories import MadeUser, make_user
from tests.ops.conftest import second_http
from tests.support.api import ApiClient
from tests.sync.world import RoomIds, uid

METRIC_LINE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
    r"(-?[0-9.e+-]+|NaN|\+Inf)$"
)


@pytest.fixture()
def json_log() -> Iterator[io.StringIO]:
    """Every log line (INFO and up, as in production) as JSON, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.INFO)
    # The test's own HTTP client logs the URLs it asks for; that is not the server's log.
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def _access(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in _lines(buffer) if line["logger"] == "carebook.access"]


async def test_request_ids_and_one_access_line_per_request(
    client: Any, member: tuple[MadeUser, ApiClient], room: RoomIds, json_log: io.StringIO,
) -> None:
    user, api = member
    given = await api.get("/api/health", headers={"X-Request-Id": "lb-7f3a.42"})
    assert given.headers["X-Request-Id"] == "lb-7f3a.42"
    made = await api.get("/api/health")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    hostile = await api.get("/api/health", headers={"X-Request-Id": "a b\"c" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-Id"])

    json_log.truncate(0)
    json_log.seek(0)
    attachment = uid()
    missing = await api.get(f"/api/attachments/{attachment}?token=should-not-be-logged")
    assert missing.status_code == 404
    lines = _access(json_log)
    assert len(lines) == 1
    line = lines[0]
    assert line["requestId"] == missing.headers["X-Request-Id"]
    assert line["method"] == "GET"
    assert line["status"] == 404
    assert "{" in line["route"] and attachment not in json.dumps(line)  # the template, not path
    assert "should-not-be-logged" not in json_log.getvalue()
    assert line["userId"] == str(user.id)
    assert line["deviceId"]
    assert isinstance(line["durationMs"], float)
    assert line["level"] == "info" and line["ts"].endswith("+00:00")

    # The router's own 405 gets a line and an id too.
    json_log.truncate(0)
    json_log.seek(0)
    refused = await client.delete("/api/health")
    assert refused.status_code == 405
    (line,) = _access(json_log)
    assert line["status"] == 405 and line["requestId"] == refused.headers["X-Request-Id"]


def test_configure_logging_writes_json_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("json")
        logging.getLogger("carebook.test").info("hello", extra={"rows": 3})
        logging.getLogger("uvicorn.access").info("GET /x?token=secret")  # silenced
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("carebook.test").exception(
                "failed: [parameters: ('post text here', 1)] (Background on this error)"
            )
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("uvicorn.access").disabled = False
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert lines[0]["msg"] == "hello" and lines[0]["rows"] == 3
    assert "token=secret" not in err
    assert "post text here" not in err
    assert lines[1]["error"] == "ValueError"


async def test_metrics_for_the_operator_only(
    app: Litestar, client: Any, member: tuple[MadeUser, ApiClient],
    operator: tuple[MadeUser, ApiClient], room: RoomIds, sessionmaker: Any, clock: FrozenClock,
) -> None:
    _, api = member
    _, op = operator
    async with second_http(client) as anon_http:
        assert (await anon_http.get("/api/metrics")).status_code == 401
    assert (await api.get("/api/metrics")).status_code == 403

    # A failed sign-in, some traffic, an outbox row waiting and a change 90 s old.
    async with second_http(client) as other:
        assert (await ApiClient(other).login("nobody", "wrong password")).status_code == 401
    await api.post("/api/sync/pull", {"cursor": None})
    async with sessionmaker() as session:
        subscription = PushSubscription(
            user_id=member[0].id, endpoint="https://push.example/1", p256dh="x", auth="y"
        )
        session.add(subscription)
        await session.flush()
        session.add(Outbox(subscription_id=subscription.id, payload={}, created_at=clock.now()))
        await session.commit()
    clock.advance(seconds=90)

    response = await op.get("/api/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert METRIC_LINE.match(line), line
    assert 'carebook_http_request_duration_seconds_count{method="POST",route="/api/sync/pull"} 1' \
        in text
    assert 'route="/api/sync/pull",le="+Inf"} 1' in text
    assert 'carebook_signin_failures_total{step="password",status="401"} 1' in text
    assert "carebook_outbox_pending 1" in text
    assert "carebook_outbox_oldest_pending_seconds 90.000" in text
    lag = float(re.search(r"^carebook_sync_lag_seconds (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert 90 <= lag < 91
    assert "carebook_database_up 1" in text


async def test_metrics_bearer_token_for_the_scraper(
    settings: Settings, data_dir: Any, database_url: str, clock: FrozenClock
) -> None:
    token = "scrape-" + "k" * 30
    with_token = load_settings(server_env(data_dir, database_url, CAREBOOK_METRICS_TOKEN=token))
    app = create_app(with_token, clock=clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as scraper:
        ok = await scraper.get("/api/metrics", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert "carebook_database_up 1" in ok.text
        wrong = await scraper.get("/api/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401


async def test_no_secret_or_post_text_in_logs_or_audit(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock,
    json_log: io.StringIO,
) -> None:
    from store.models.enums import Permission
    from tests.sync.world import open_room

    user = await make_user(sessionmaker, settings, "nurse-leak", now=clock.now())
    assert user.totp_secret is not None
    room = await open_room(sessionmaker, clock.now(), {user.id: Permission.write})
    api = ApiClient(client)
    # A wrong password, a wrong code, then the right ones.
    wrong_password = "Wrong-Passw0rd-Zebra-Quokka"
    assert (await api.login(user.login_id, wrong_password)).status_code == 401
    await api.login(user.login_id, user.password)
    wrong_code = f"{(int(pyotp.TOTP(user.totp_secret).at(clock.now())) + 1) % 1_000_000:06d}"
    assert (await api.post("/api/auth/totp", {"code": wrong_code})).status_code == 401
    clock.advance(seconds=31)
    code = pyotp.TOTP(user.totp_secret).at(clock.now())
    signed = await api.sign_in_totp(user.login_id, user.password, user.totp_secret, clock.now())
    assert signed.status_code == 200, signed.text
    post_text = "秘密の投稿本文: 褥瘡ステージ3 左仙骨部 ZQX-771"
    pushed = await api.post("/api/sync/push", {"clientId": "leak-test-client", "mutations": [
        {"id": 1, "name": "post.create", "args": {
            "id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": post_text}},
    ]})
    assert pushed.status_code == 200 and pushed.json()["results"][0]["status"] == "ok"
    pulled = await api.post("/api/sync/pull", {"cursor": None})
    assert post_text in pulled.text
    await api.post("/api/auth/logout")

    secrets = {
        "password": user.password,
        "wrong password": wrong_password,
        "totp secret": user.totp_secret,
        "totp code": code,
        "wrong code": wrong_code,
        "post text": post_text,
        "post text (part)": "ZQX-771",
        "csrf token": api.csrf or "",
    }
    cookie = client.cookies.get("carebook_session") or ""
    if cookie:
        secrets["session cookie"] = cookie
    async with sessionmaker() as session:
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    audit_text = "\n".join(
        json.dumps({c.name: str(getattr(e, c.name)) for c in AuditEvent.__table__.columns},
                   ensure_ascii=False)
        for e in events
    )
    assert len(events) >= 4, audit_text  # failures, sign-in, post create, logout
    log_text = json_log.getvalue()
    assert len(_access(json_log)) >= 6
    for name, value in secrets.items():
        if not value:
            continue
        assert value not in audit_text, f"{name} found in the audit log"
        assert value not in log_text, f"{name} found in a log line"
        # JSON escapes non-ASCII unless told not to; check the escaped form too.
        escaped = json.dumps(value)[1:-1]
        assert escaped not in log_text and escaped not in audit_text, name
    assert timedelta(seconds=0) <= clock.now() - events[0].at
