"""A device's recovery secret (issue 13, item 8): the server's share of the PWA's data key.

It lets a nurse who forgot the device passcode keep her unsent records after a full sign-in,
so it is released only to that device's own session, only right after a full sign-in once it
exists, never to a wiped device or a stopped account, and every step is audited.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select, update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import AuditEvent, DeviceKeyShare, User
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient

RECOVERY = "/api/device-keys/recovery"


async def _sign_in(api: ApiClient, user: MadeUser, clock: FrozenClock) -> None:
    assert user.totp_secret is not None
    done = await api.sign_in_totp(user.login_id, user.password, user.totp_secret, clock.now())
    assert done.json()["next"] == "done", done.text


async def _audit(sessionmaker: Any) -> list[tuple[str, str, dict[str, Any]]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(AuditEvent.action, AuditEvent.outcome, AuditEvent.details)
            .where(AuditEvent.action.like("device.recovery_key%"))
            .order_by(AuditEvent.seq)
        )
        return [(a, o, d) for a, o, d in rows]


async def test_made_on_the_first_request_then_released_only_right_after_a_full_sign_in(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any
) -> None:
    await _sign_in(api, nurse, clock)
    made = await api.post(RECOVERY)
    assert made.status_code == 200, made.text
    assert made.json()["created"] is True
    secret = made.json()["secret"]
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32

    clock.advance(minutes=5)  # the sign-in is still fresh
    again = await api.post(RECOVERY)
    assert again.json() == {"secret": secret, "created": False}

    clock.advance(minutes=6)  # 11 minutes after the sign-in: a tablet left signed in
    stale = await api.post(RECOVERY)
    assert stale.status_code == 401
    assert stale.json()["error"] == "reauth_required"
    assert (await api.get("/api/me")).status_code == 200  # the session itself goes on

    clock.advance(seconds=31)  # a new TOTP step for the new sign-in
    await _sign_in(api, nurse, clock)  # password and second factor again
    released = await api.post(RECOVERY)
    assert released.json() == {"secret": secret, "created": False}

    events = await _audit(sessionmaker)
    assert [(a, o) for a, o, _ in events] == [
        ("device.recovery_key_created", "ok"),
        ("device.recovery_key_released", "ok"),
        ("device.recovery_key_refused", "failure"),
        ("device.recovery_key_released", "ok"),
    ]
    assert events[2][2] == {"reason": "not_fresh"}
    async with sessionmaker() as session:
        everything = " ".join(str(d) for d in await session.scalars(select(AuditEvent.details)))
        stored = await session.scalar(select(DeviceKeyShare.secret_sealed))
    assert secret not in everything  # the audit log names the event, never the secret
    assert stored is not None and secret not in stored  # sealed at rest


async def test_only_to_the_device_it_was_made_for(
    api: ApiClient, client: Any, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any
) -> None:
    await _sign_in(api, nurse, clock)
    mine = (await api.post(RECOVERY)).json()["secret"]

    # The same session cookie and unlock proof without the device header, or naming a device
    # nobody registered: the request contract refuses both before the route is reached (the
    # session does not answer another device, so neither does the CSRF token bound to it).
    for device, status, code in (
        ("", 400, "device_required"),
        ("made-up-device-0001", 403, "csrf"),
    ):
        refused = await api.post(RECOVERY, headers={"X-Carebook-Device": device})
        assert (refused.status_code, refused.json()["error"]) == (status, code), refused.text
        assert mine not in refused.text

    # The same nurse on another tablet gets that tablet's own secret, never this one.
    other = ApiClient(client.__class__(client.app, base_url=str(client.base_url)))
    async with other.http:
        clock.advance(seconds=31)
        await _sign_in(other, nurse, clock)
        theirs = await other.post(RECOVERY)
        assert theirs.json()["created"] is True
        assert theirs.json()["secret"] != mine
    # One secret made per device, and nothing released to the refused requests.
    assert [a for a, _, _ in await _audit(sessionmaker)] == [
        "device.recovery_key_created",
        "device.recovery_key_created",
    ]


async def test_a_locked_app_gets_nothing_even_right_after_a_sign_in(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any
) -> None:
    """The route asks for the unlock proof like every signed-in request. A forgotten passcode
    is reset after a sign-in made now, whose answer carries a fresh proof; the session of a
    locked tablet, minutes after a full sign-in, has nothing released."""
    await _sign_in(api, nurse, clock)
    secret = (await api.post(RECOVERY)).json()["secret"]
    proof = api.unlock
    assert await api.lock() is not None  # the app locks: its proof is forgotten and replaced

    clock.advance(minutes=1)  # well within the 10 minutes after the sign-in
    for held in (None, proof):  # no proof at all, or the one the lock retired
        api.unlock = held
        refused = await api.post(RECOVERY)
        assert (refused.status_code, refused.json()["error"]) == (401, "unlock_required")
        assert secret not in refused.text

    clock.advance(seconds=31)  # a new TOTP step
    await _sign_in(api, nurse, clock)  # 「パスコードを忘れた場合」: password and second factor
    assert api.unlock not in {None, proof}  # the answer's fresh proof, sent with the request
    released = await api.post(RECOVERY)
    assert released.json() == {"secret": secret, "created": False}
    assert [a for a, _, _ in await _audit(sessionmaker)] == [
        "device.recovery_key_created",
        "device.recovery_key_released",
    ]


async def test_the_password_step_alone_gets_nothing(api: ApiClient, nurse: MadeUser) -> None:
    first = await api.login(nurse.login_id, nurse.password)
    assert first.json()["next"] == "totp"
    response = await api.post(RECOVERY)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


async def test_never_to_a_wiped_device(
    api: ApiClient, client: Any, nurse: MadeUser, admin: MadeUser, clock: FrozenClock,
    sessionmaker: Any,
) -> None:
    await _sign_in(api, nurse, clock)
    await api.post(RECOVERY)
    admin_api = ApiClient(client.__class__(client.app, base_url=str(client.base_url)))
    async with admin_api.http:
        clock.advance(seconds=31)
        await _sign_in(admin_api, admin, clock)
        wiped = await admin_api.post(f"/api/admin/users/{nurse.id}/wipe-devices")
        assert wiped.status_code == 200
    response = await api.post(RECOVERY)
    assert response.status_code == 401
    assert response.json()["error"] == "device_wiped"
    # Even signing in again from the wiped device id gets the wipe, not the secret.
    again = await api.login(nurse.login_id, nurse.password)
    assert again.json().get("error") == "device_wiped"
    assert (await api.post(RECOVERY)).json()["error"] == "device_wiped"
    async with sessionmaker() as session:
        share = await session.scalar(select(DeviceKeyShare))
    assert share is not None and share.released_at is None


async def test_never_to_a_stopped_account(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any
) -> None:
    await _sign_in(api, nurse, clock)
    await api.post(RECOVERY)
    async with sessionmaker() as session:
        await session.execute(update(User).where(User.id == nurse.id).values(status="stopped"))
        await session.commit()
    response = await api.post(RECOVERY)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


async def test_another_user_on_the_same_device_gets_a_new_secret_and_the_old_one_goes(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any, settings: Settings
) -> None:
    colleague = await make_user(sessionmaker, settings, "nurse-taro", now=clock.now())
    await _sign_in(api, nurse, clock)
    first = (await api.post(RECOVERY)).json()["secret"]
    await api.post("/api/auth/logout")
    clock.advance(seconds=31)
    await _sign_in(api, colleague, clock)  # the PWA wiped the first nurse's data here
    second = await api.post(RECOVERY)
    assert second.json()["created"] is True
    assert second.json()["secret"] != first
    async with sessionmaker() as session:
        shares = list(await session.scalars(select(DeviceKeyShare)))
    assert [s.user_id for s in shares] == [colleague.id]
