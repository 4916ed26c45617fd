"""SECURITY.md 28: schemathesis over every operation of the OpenAPI document, signed in as a
member and as an admin — no 5xx (bodies that are not JSON at all included: invalid UTF-8,
nesting 3,000 deep), every answer (refusals included: the `Error` schema of
server/openapi.py) has a documented status and matches its schema, refusals change nothing.

Bounded here (CAREBOOK_FUZZ_EXAMPLES, default 5 valid + 5 invalid cases per operation);
`scripts/fuzz.sh` runs it long.
"""

from __future__ import annotations

import secrets
from typing import Any

import pyotp
from sqlalchemy import update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import User
from store.models.enums import JobType, Permission, Role
from tests.factories import MadeUser
from tests.ops.conftest import second_http
from tests.ops.fuzzing import FuzzReport, fuzz, load_operations
from tests.support.api import ApiClient
from tests.sync.support import signed_in
from tests.sync.world import RoomIds, join, uid

REPORTS: dict[str, FuzzReport] = {}


async def _known_ids(api: ApiClient, room: RoomIds) -> dict[str, str]:
    post_id = uid()
    pushed = await api.post("/api/sync/push", {"clientId": "fuzz-seed-client", "mutations": [
        {"id": 1, "name": "post.create", "args": {
            "id": post_id, "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "fuzzing seed post"}}]})
    assert pushed.json()["results"][0]["status"] == "ok", pushed.text
    return {"room_id": str(room.room_id), "patient_id": str(room.patient_id),
            "post_id": post_id, "source_id": str(room.room_id)}


def _resigner(api: ApiClient, user: MadeUser, clock: FrozenClock, sessionmaker: Any) -> Any:
    async def resign() -> None:
        """Sign in again; on a new device when the fuzzer's failed sign-ins got this one
        flagged for wipe (SECURITY.md 5: by design)."""
        clock.advance(seconds=31)  # a TOTP code works once
        assert user.totp_secret is not None
        probe = await api.http.get("/api/auth/csrf", headers=api.headers())
        if probe.status_code == 401 and probe.json().get("error") == "device_wiped":
            api.device = secrets.token_urlsafe(16)
            api.http.cookies.clear()
        # The fuzzer's wrong passwords and codes may have locked the account (SECURITY.md
        # 5, by design); unlock it as an admin would, to keep fuzzing.
        async with sessionmaker() as session:
            await session.execute(update(User).where(User.id == user.id).values(
                failed_attempts=0, locked_until=None))
            await session.commit()
        await api.refresh_csrf()
        first = await api.login(user.login_id, user.password)
        if first.status_code != 200:
            async with sessionmaker() as session:
                row = await session.get(User, user.id)
                assert row is not None
                state = (row.status, row.failed_attempts, row.locked_until, row.lock_count,
                         row.password_changed_at)
            raise AssertionError(f"cannot sign in again: {first.text} (user {state})")
        code = pyotp.TOTP(user.totp_secret).at(clock.now())
        answer = await api.post("/api/auth/totp", {"code": code})
        assert answer.status_code == 200, answer.text

    return resign


def _assert_clean(report: FuzzReport) -> None:
    assert report.cases >= report.operations * 2, report
    # Bodies that are not JSON at all went to every operation that takes JSON (item 3, #13).
    assert report.malformed >= 4 * 20, report
    assert not report.failures, "\n\n".join(report.failures[:20]) + (
        f"\n\n… {len(report.failures)} failure(s) in {report.cases} cases")


async def test_fuzz_as_a_member(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock,
    member: tuple[MadeUser, ApiClient], room: RoomIds,
) -> None:
    user, api = member
    document = (await client.get("/schema/openapi.json")).json()
    operations = load_operations(document)
    assert len(operations) >= 70
    report = REPORTS.setdefault("member", FuzzReport())
    await fuzz(api, operations, sessionmaker, role="member",
               known_ids=await _known_ids(api, room),
               resign=_resigner(api, user, clock, sessionmaker), report=report)
    print(f"fuzz member: {report}")
    _assert_clean(report)


async def test_fuzz_as_an_admin(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock,
    member: tuple[MadeUser, ApiClient], room: RoomIds,
) -> None:
    known = await _known_ids(member[1], room)
    async with second_http(client) as http:
        admin, api = await signed_in(http, sessionmaker, settings, clock, "city-admin-fuzz",
                                     role=Role.municipal_admin, job_type=JobType.city_staff)
        await join(sessionmaker, room.room_id, admin.id, Permission.read, clock.now())
        document = (await http.get("/schema/openapi.json")).json()
        operations = load_operations(document)
        report = REPORTS.setdefault("admin", FuzzReport())
        await fuzz(api, operations, sessionmaker, role="admin", known_ids=known,
                   resign=_resigner(api, admin, clock, sessionmaker),
                   report=report)
    print(f"fuzz admin: {report}")
    _assert_clean(report)
