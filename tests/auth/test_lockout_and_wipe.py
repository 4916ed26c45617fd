"""Repeated failures hold the account back for a growing time and wipe a known device
(SECURITY 5) — a soft lock (issue 13, item 7): the account's own registered devices are not
held up and sessions in use are not ended, so knowing a login ID is not enough to keep a
nurse out or to sign her out mid-visit."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import select

from server.clock import FrozenClock
from store.models import AuditEvent, Device
from tests.factories import MadeUser
from tests.support.api import ApiClient

WRONG = "definitely the wrong password"


async def _fail(api: ApiClient, user: MadeUser, times: int) -> Any:
    response = None
    for _ in range(times):
        response = await api.login(user.login_id, WRONG)
    return response


async def test_five_failures_lock_for_a_minute_then_doubling_up_to_an_hour(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    await _fail(api, nurse, 5)
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 401
    clock.advance(seconds=59)
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 401
    clock.advance(seconds=2)
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 200

    await _fail(api, nurse, 5)  # second lock: two minutes
    clock.advance(seconds=119)
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 401
    clock.advance(seconds=2)
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 200

    for _ in range(10):  # keep locking: the wait grows but stops at an hour
        await _fail(api, nurse, 5)
        clock.advance(hours=1, seconds=1)
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 200


async def test_a_stranger_who_knows_the_login_id_cannot_lock_the_nurse_out(
    client: Any, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    tablet = ApiClient(client)
    done = await tablet.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret,
                                     clock.now())
    assert done.json()["next"] == "done"
    async with client.__class__(client.app, base_url=str(client.base_url)) as other_http:
        stranger = ApiClient(other_http)
        await _fail(stranger, nurse, 5)  # the account is held back now
        # Not even the right password gets through from the stranger's device, nor from
        # any other device the nurse never used — same answer as a wrong password.
        held = await stranger.login(nurse.login_id, nurse.password)
        assert held.status_code == 401 and held.json()["error"] == "invalid_credentials"
    # The nurse, mid-visit, was not signed out...
    assert (await tablet.get("/api/me")).status_code == 200
    # ...and on her own tablet she signs in again at once, the account held back or not.
    assert (await tablet.post("/api/auth/logout")).status_code == 200
    clock.advance(seconds=31)  # a TOTP code works once
    again = await tablet.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret,
                                      clock.now())
    assert again.status_code == 200 and again.json()["next"] == "done"
    # The hold is over after its minute, for every device.
    async with client.__class__(client.app, base_url=str(client.base_url)) as later_http:
        clock.advance(seconds=61)
        assert (await ApiClient(later_http).login(nurse.login_id, nurse.password)).status_code \
            == 200


async def test_wrong_totp_codes_count_towards_the_lock_and_success_resets_the_count(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    await _fail(api, nurse, 4)
    await api.login(nurse.login_id, nurse.password)
    ok = await api.post("/api/auth/totp", {"code": pyotp.TOTP(nurse.totp_secret).at(clock.now())})
    assert ok.json()["next"] == "done"  # 4 failures, then success: the count starts again
    await api.post("/api/auth/logout")
    await _fail(api, nurse, 4)
    await api.login(nurse.login_id, nurse.password)
    wrong = await api.post("/api/auth/totp", {"code": "000000"})
    assert wrong.status_code == 401  # the fifth failure locks
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 401


async def test_admin_unlocks_a_locked_account(
    api: ApiClient, client: Any, nurse: MadeUser, admin: MadeUser, clock: FrozenClock
) -> None:
    await _fail(api, nurse, 5)
    admin_api = ApiClient(client)
    assert admin.totp_secret is not None
    await admin_api.sign_in_totp(admin.login_id, admin.password, admin.totp_secret, clock.now())
    unlocked = await admin_api.post(f"/api/admin/users/{nurse.id}/unlock")
    assert unlocked.status_code == 200, unlocked.text
    await admin_api.post("/api/auth/logout")
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 200


async def test_five_failed_sign_ins_from_a_registered_device_wipe_it(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    await api.post("/api/auth/logout")  # the device has signed in before

    answers = [await api.login(nurse.login_id, WRONG) for _ in range(5)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    assert all(a.json()["error"] == "invalid_credentials" for a in answers[:4])
    wiped = answers[4]
    assert wiped.status_code == 401
    assert wiped.json()["error"] == "device_wiped"
    assert wiped.json()["wipe"] is True
    assert wiped.headers["clear-site-data"] == '"cache", "storage"'

    again = await api.get("/api/me")  # every later request from it is told the same …
    assert again.status_code == 401 and again.json()["wipe"] is True
    # … without the browser's own clearing: a late answer must not erase the next sign-in.
    assert "clear-site-data" not in again.headers

    async with sessionmaker() as session:
        device = await session.scalar(select(Device).where(Device.device_key == api.device))
        assert device is not None
        assert device.wipe_requested_at is not None and device.wipe_delivered_at is not None
        actions = set(await session.scalars(select(AuditEvent.action)))
    assert {"device.wipe_flagged", "auth.lockout", "auth.signin"} <= actions


async def test_failures_from_an_unknown_device_do_not_wipe_it(
    api: ApiClient, nurse: MadeUser
) -> None:
    answers = [await api.login(nurse.login_id, WRONG) for _ in range(6)]
    assert all(a.json()["error"] == "invalid_credentials" for a in answers)


async def test_admin_wipes_every_device_of_a_user(
    api: ApiClient, client: Any, nurse: MadeUser, admin: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None and admin.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    admin_api = ApiClient(client.__class__(client.app, base_url=str(client.base_url)))
    async with admin_api.http:
        clock.advance(seconds=31)
        await admin_api.sign_in_totp(admin.login_id, admin.password, admin.totp_secret, clock.now())
        assert (
            await admin_api.post(f"/api/admin/users/{nurse.id}/wipe-devices")
        ).status_code == 200
    response = await api.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"] == "device_wiped"


async def test_members_cannot_use_admin_actions(
    api: ApiClient, nurse: MadeUser, admin: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    for action in ("unlock", "reset-factors", "reset-password", "wipe-devices"):
        response = await api.post(f"/api/admin/users/{admin.id}/{action}")
        assert response.status_code == 403, action


async def test_sign_in_attempts_are_throttled_per_ip(
    data_dir: Any, database_url: str, clock: FrozenClock, sessionmaker: Any
) -> None:
    from litestar.testing import AsyncTestClient

    from server.app import create_app
    from server.settings import load_settings
    from tests.conftest import server_env

    settings = load_settings(
        server_env(data_dir, database_url, CAREBOOK_SIGNIN_PER_IP_PER_MINUTE="3")
    )
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://localhost:8000") as http:
        # Each attempt from a new device and for another account: only the IP links them.
        answers = [
            await ApiClient(http).login(f"someone-{i}", WRONG) for i in range(4)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert answers[3].json()["error"] == "too_many_requests"
        assert answers[3].headers["retry-after"] == "60"
        clock.advance(seconds=61)
        assert (await ApiClient(http).login("someone-5", WRONG)).status_code == 401
