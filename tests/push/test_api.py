"""`/api/push/*`: the VAPID key, this device's subscription, preferences; sign-out and wipe
remove subscriptions; bad input is a 400 that changes nothing (SECURITY.md 16, 27, 28)."""

from __future__ import annotations

import base64
import os
import stat
from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from server.clock import FrozenClock
from server.push.keys import PRIVATE_FILE, PUBLIC_FILE, load_vapid_keys
from server.push.worker import PushWorker
from server.settings import Settings, SettingsError, load_settings
from store.models import AuditEvent, Device, Outbox, PushSubscription
from tests.conftest import server_env
from tests.push.conftest import make_member, make_room, post, second_client, signed_in
from tests.support.api import ApiClient
from tests.support.push_receiver import PushReceiver


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _subscriptions(sessionmaker: Any) -> list[PushSubscription]:
    async with sessionmaker() as session:
        return list((await session.scalars(select(PushSubscription))).all())


# --- the key ---------------------------------------------------------------------------------


async def test_key_is_made_on_first_start_kept_private_and_served(
    api: ApiClient, settings: Settings
) -> None:
    private = settings.data_dir / PRIVATE_FILE
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    response = await api.get("/api/push/key")
    assert response.status_code == 200
    key = response.json()["publicKey"]
    point = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(point) == 65 and point[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    assert (settings.data_dir / PUBLIC_FILE).read_text().strip() == key
    loaded = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    assert _b64(loaded.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)) == key
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("form", ["raw", "der"])
def test_key_from_settings_is_used_instead_of_a_file(
    tmp_path: Any, database_url: str, form: str
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    if form == "raw":
        value = _b64(key.private_numbers().private_value.to_bytes(32, "big"))
    else:
        value = _b64(key.private_bytes(serialization.Encoding.DER,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    settings = load_settings(server_env(tmp_path, database_url,
                                        CAREBOOK_VAPID_PRIVATE_KEY=value))
    keys = load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
    assert keys.public_key == _b64(key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    assert not (tmp_path / PRIVATE_FILE).exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CAREBOOK_VAPID_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nMIG...\n"),
        ("CAREBOOK_VAPID_PRIVATE_KEY", "not*base64"),
        ("CAREBOOK_VAPID_SUBJECT", "admin@example.jp"),
    ],
)
def test_bad_vapid_settings_stop_start_up(
    tmp_path: Any, database_url: str, name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(server_env(tmp_path, database_url, **{name: value}))


# --- subscriptions -----------------------------------------------------------------------------


async def test_subscribe_status_and_unsubscribe_for_this_device(
    api: ApiClient,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
) -> None:
    user = await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    assert (await api.get("/api/push/subscriptions")).json() == {"subscribed": False}
    sub = receiver.new_subscription("nurse-a")
    created = await api.post("/api/push/subscriptions", sub)
    assert created.status_code == 201, created.text
    assert (await api.get("/api/push/subscriptions")).json() == {"subscribed": True}
    [row] = await _subscriptions(sessionmaker)
    async with sessionmaker() as session:
        device = await session.scalar(select(Device).where(Device.device_key == api.device))
    assert device is not None
    assert (row.user_id, row.device_id, row.endpoint) == (user.id, device.id, sub["endpoint"])

    # Subscribing again (a new endpoint after the browser rotated it) replaces, never adds.
    newer = receiver.new_subscription("nurse-a-2")
    assert (await api.post("/api/push/subscriptions", newer)).status_code == 201
    assert [s.endpoint for s in await _subscriptions(sessionmaker)] == [newer["endpoint"]]

    gone = await api.delete("/api/push/subscriptions")
    assert gone.status_code == 200
    assert gone.json() == {"subscribed": False}
    assert await _subscriptions(sessionmaker) == []
    async with sessionmaker() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert Counter(a for a in actions if a.startswith("push."))["push.subscribed"] == 2


async def test_subscriptions_need_a_full_sign_in(
    api: ApiClient, receiver: PushReceiver, sessionmaker: Any
) -> None:
    sub = receiver.new_subscription("anon")
    assert (await api.post("/api/push/subscriptions", sub)).status_code == 401
    assert (await api.delete("/api/push/subscriptions")).status_code == 401
    assert (await api.get("/api/push/preferences")).status_code == 401
    assert await _subscriptions(sessionmaker) == []


async def test_without_a_device_id_there_is_nothing_to_bind_to(
    api: ApiClient,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
) -> None:
    await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    response = await api.post(
        "/api/push/subscriptions",
        receiver.new_subscription("x"),
        headers={"X-Carebook-Device": ""},
    )
    assert response.status_code == 400
    # Every request names its device (docs/api/requests.md): refused before the service.
    assert response.json()["error"] == "device_required"
    assert await _subscriptions(sessionmaker) == []


def _valid(receiver: PushReceiver) -> dict[str, Any]:
    return receiver.new_subscription("v")


def _point_not_on_curve() -> str:
    return _b64(b"\x04" + b"\x01" * 64)


BAD_SUBSCRIPTIONS = {
    "plain http to a public host": lambda s: {**s, "endpoint": "http://fcm.googleapis.com/x/y"},
    "not a URL": lambda s: {**s, "endpoint": "javascript:alert(1)"},
    "unknown push service": lambda s: {**s, "endpoint": "https://internal.example.jp/admin"},
    "credentials in URL": lambda s: {
        **s, "endpoint": "https://u:p@fcm.googleapis.com/fcm/send/abc"
    },
    # Issue 13, item 7: https on port 443 of a known push service only.
    "another port of a push service": lambda s: {
        **s, "endpoint": "https://fcm.googleapis.com:8443/fcm/send/abc"
    },
    "a look-alike host": lambda s: {
        **s, "endpoint": "https://fcm.googleapis.com.evil.example/fcm/send/abc"
    },
    "a suffix that is not a subdomain": lambda s: {
        **s, "endpoint": "https://evilpush.apple.com.example.jp/abc"
    },
    "an IP address": lambda s: {**s, "endpoint": "https://169.254.169.254/latest/meta-data"},
    "a bad port": lambda s: {**s, "endpoint": "https://fcm.googleapis.com:99999/x"},
    "endpoint too long": lambda s: {
        **s, "endpoint": "https://fcm.googleapis.com/" + "a" * 1000
    },
    "p256dh wrong size": lambda s: {**s, "keys": {**s["keys"], "p256dh": _b64(b"\x04" * 80)}},
    "p256dh not a point": lambda s: {**s, "keys": {**s["keys"], "p256dh": _point_not_on_curve()}},
    "p256dh not base64url": lambda s: {**s, "keys": {**s["keys"], "p256dh": "+" * 87}},
    "auth wrong size": lambda s: {**s, "keys": {**s["keys"], "auth": _b64(b"a" * 20)}},
    "auth missing": lambda s: {**s, "keys": {"p256dh": s["keys"]["p256dh"]}},
    "unknown field": lambda s: {**s, "userId": "someone-else"},
    "negative expiration": lambda s: {**s, "expirationTime": -5},
}


@pytest.mark.parametrize("case", list(BAD_SUBSCRIPTIONS))
async def test_bad_subscriptions_are_refused_and_change_nothing(
    api: ApiClient,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    case: str,
) -> None:
    await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    body = BAD_SUBSCRIPTIONS[case](_valid(receiver))
    response = await api.post("/api/push/subscriptions", body)
    assert response.status_code == 400, response.text
    assert response.json()["message"]
    english = await api.post(
        "/api/push/subscriptions", body, headers={"Accept-Language": "en"}
    )
    assert english.status_code == 400
    assert english.json()["message"].isascii()
    assert await _subscriptions(sessionmaker) == []


async def test_loopback_http_endpoints_only_when_the_test_setting_allows(
    data_dir: Any, database_url: str, clock: FrozenClock, sessionmaker: Any,
    receiver: PushReceiver,
) -> None:
    from litestar.testing import AsyncTestClient

    from server.app import create_app
    from tests.conftest import BASE_URL

    strict = load_settings(server_env(data_dir, database_url, CAREBOOK_PUSH_WORKER="0"))
    async with AsyncTestClient(create_app(strict, clock=clock), base_url=BASE_URL) as http:
        api = ApiClient(http)
        await signed_in(api, sessionmaker, strict, clock, "nurse-a")
        response = await api.post("/api/push/subscriptions", receiver.new_subscription("x"))
        assert response.status_code == 400
        assert response.json()["field"] == "endpoint"
    assert await _subscriptions(sessionmaker) == []


# --- sign-out and wipe -------------------------------------------------------------------------


async def test_sign_out_removes_this_devices_subscription_only(
    api: ApiClient,
    client: Any,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
) -> None:
    await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    assert (await api.post("/api/push/subscriptions",
                           receiver.new_subscription("a"))).status_code == 201
    other = second_client(client)
    async with other.http:
        await signed_in(other, sessionmaker, settings, clock, "nurse-b")
        b_sub = receiver.new_subscription("b")
        assert (await other.post("/api/push/subscriptions", b_sub)).status_code == 201
    assert (await api.post("/api/auth/logout")).status_code in (200, 204)
    assert [s.endpoint for s in await _subscriptions(sessionmaker)] == [b_sub["endpoint"]]


async def test_wiping_a_device_pushes_a_wipe_then_forgets_the_subscription(
    api: ApiClient,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    """A lost tablet: the owner wipes it from another device; the tablet gets a `wipe` push
    even with the app closed, and no post notification reaches it any more."""
    from tests.factories import make_user

    owner = await make_user(sessionmaker, settings, "nurse-a", now=clock.now())
    assert owner.totp_secret is not None
    lost = ApiClient(api.http)
    assert (await lost.sign_in_totp(owner.login_id, owner.password, owner.totp_secret,
                                    clock.now())).status_code == 200
    tablet = receiver.new_subscription("lost-tablet")
    assert (await lost.post("/api/push/subscriptions", tablet)).status_code == 201
    async with sessionmaker() as session:
        lost_id = await session.scalar(select(Device.id).where(Device.device_key == lost.device))
    author = await make_member(sessionmaker, settings, clock, receiver, "author")
    room_id = await make_room(sessionmaker, clock, [author.user.id, owner.id])
    await post(sessionmaker, room_id, author.user.id, clock.now())  # pending when wiped

    api.http.cookies.clear()
    office = ApiClient(api.http)  # the owner again, on the office PC
    clock.advance(seconds=31)
    assert (await office.sign_in_totp(owner.login_id, owner.password, owner.totp_secret,
                                      clock.now())).status_code == 200
    wiped = await office.delete(f"/api/me/devices/{lost_id}")
    assert wiped.status_code == 204, wiped.text

    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    [message] = receiver.received(tablet)
    assert message.json == {"type": "wipe"}
    assert message.urgency == "high"
    left = {s.endpoint for s in await _subscriptions(sessionmaker)}
    assert left == {author.subscription["endpoint"]}  # the tablet's is gone
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 0


# --- preferences -------------------------------------------------------------------------------


async def test_preferences_default_round_trip_and_are_per_user(
    api: ApiClient,
    client: Any,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    user = await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    defaults = await api.get("/api/push/preferences")
    assert defaults.json() == {
        "enabled": True, "quietHours": None, "mutedRoomIds": [], "showRoomLabel": False,
        "dailyMail": False,  # the daily mail is opt-in
    }
    room_id = await make_room(sessionmaker, clock, [user.id])
    wanted = {
        "enabled": True,
        "quietHours": {"start": "22:00", "end": "07:00"},
        "mutedRoomIds": [str(room_id)],
        "showRoomLabel": True,
        "dailyMail": True,
    }
    saved = await api.request("PUT", "/api/push/preferences", wanted)
    assert saved.status_code == 200, saved.text
    assert saved.json() == wanted
    assert (await api.get("/api/push/preferences")).json() == wanted

    other = second_client(client)
    async with other.http:
        await signed_in(other, sessionmaker, settings, clock, "nurse-b")
        assert (await other.get("/api/push/preferences")).json()["mutedRoomIds"] == []


BAD_PREFERENCES = {
    "same start and end": {"quietHours": {"start": "07:00", "end": "07:00"}},
    "hour 24": {"quietHours": {"start": "24:00", "end": "07:00"}},
    "no colon": {"quietHours": {"start": "2200", "end": "0700"}},
    "unknown field": {"sound": "loud"},
    "not a room id": {"mutedRoomIds": ["room-1"]},
    "enabled as text": {"enabled": "yes"},
}


@pytest.mark.parametrize("case", list(BAD_PREFERENCES))
async def test_bad_preferences_are_refused_and_change_nothing(
    api: ApiClient, sessionmaker: Any, settings: Settings, clock: FrozenClock, case: str
) -> None:
    await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    body = {"enabled": False, "quietHours": None, "mutedRoomIds": [], "showRoomLabel": False}
    body.update(BAD_PREFERENCES[case])
    response = await api.request("PUT", "/api/push/preferences", body)
    assert response.status_code == 400, response.text
    assert (await api.get("/api/push/preferences")).json()["enabled"] is True


async def test_muting_a_room_you_are_not_in_is_not_found(
    api: ApiClient, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    user = await signed_in(api, sessionmaker, settings, clock, "nurse-a")
    stranger = await make_member_plain(sessionmaker, settings, clock)
    mine = await make_room(sessionmaker, clock, [user.id])
    theirs = await make_room_for(sessionmaker, clock, stranger)
    body = {
        "enabled": False,
        "quietHours": None,
        "mutedRoomIds": [str(mine), str(theirs)],
        "showRoomLabel": False,
    }
    response = await api.request("PUT", "/api/push/preferences", body)
    assert response.status_code == 404
    assert response.json()["error"] == "room_not_found"
    assert (await api.get("/api/push/preferences")).json() == {
        "enabled": True, "quietHours": None, "mutedRoomIds": [], "showRoomLabel": False,
        "dailyMail": False,
    }


async def make_member_plain(sessionmaker: Any, settings: Settings, clock: FrozenClock) -> Any:
    from tests.factories import make_user

    return (await make_user(sessionmaker, settings, "stranger", now=clock.now())).id


async def make_room_for(sessionmaker: Any, clock: FrozenClock, user_id: Any) -> Any:
    from datetime import date

    from store.models import Patient, Room, RoomMember

    async with sessionmaker() as session:
        patient = Patient(name="他の 患者", name_kana="ほかの かんじゃ", sex="female",
                          birth_date=date(1941, 2, 3), care_level="要支援2")
        session.add(patient)
        await session.flush()
        room = Room(patient_id=patient.id)
        session.add(room)
        await session.flush()
        session.add(RoomMember(room_id=room.id, user_id=user_id, joined_at=clock.now()))
        await session.commit()
        return room.id
