"""`carebook worker`: the outbox delivered by a process of its own (`serve --no-worker`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from server.cli import carebook
from server.clock import FrozenClock
from server.settings import Settings
from tests.push.conftest import make_member, make_room, post, push_env
from tests.support.push_receiver import PushReceiver


async def test_worker_once_delivers_what_is_due(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    data_dir: Path,
    database_url: str,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author")
    reader = await make_member(sessionmaker, settings, clock, receiver, "reader")
    room_id = await make_room(sessionmaker, clock, [author.user.id, reader.user.id])
    # The CLI runs on the real clock: a post "now" is due for it.
    from server.clock import Clock

    await post(sessionmaker, room_id, author.user.id, Clock().now())
    env = push_env(data_dir, database_url)
    result = await asyncio.to_thread(
        CliRunner().invoke, carebook, ["worker", "--once"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "1 push(es) tried" in result.output
    assert len(receiver.received(reader.subscription)) == 1


def test_serve_can_leave_pushes_to_a_separate_worker() -> None:
    result = CliRunner().invoke(carebook, ["serve", "--help"])
    assert "--no-worker" in result.output
    assert "carebook worker" in result.output
