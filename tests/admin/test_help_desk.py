"""The help desk's calls through the API: find the person, see their account, act, and say so.

A nurse calls: locked out, or her phone is lost, or she has no e-mail and forgot her password.
The clerk finds her, sees what the server knows (lock, devices, sessions, sign-ins), acts
with one call, and the person gets a mail about it (real SMTP on loopback). Every action is
in the audit log; nothing the desk answers carries a password, and only the reset letter
carries a code — once, to print.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from store.models import Device, OneTimeToken, TotpFactor, User, UserSession
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import City, Clients, SignIn, audit_events

NEW_PASSWORD = "a long new passphrase for the desk"


async def _account(admin: ApiClient, user_id: uuid.UUID) -> dict[str, Any]:
    response = await admin.get(f"/api/admin/users/{user_id}/account")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _two_devices(clients: Clients, city: City, clock: FrozenClock) -> list[ApiClient]:
    """The station nurse signed in on a phone and a tablet (a TOTP code works once: the clock
    moves between the two sign-ins)."""
    phone = await clients.sign_in(city.users["station_nurse"])
    clock.advance(seconds=31)
    tablet = await clients.sign_in(city.users["station_nurse"])
    return [phone, tablet]


async def test_the_desk_finds_a_person_by_name_kana_login_id_or_office(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    async with sessionmaker() as s:
        nurse = await s.get(User, city.id("station_nurse"))
        assert nurse is not None
        nurse.name_kana = "すずき まりこ"
        await s.commit()

    async def found(**params: str) -> set[str]:
        response = await admin.get("/api/admin/help-desk", params=params)
        assert response.status_code == 200, response.text
        return {p["loginId"] for p in response.json()}

    assert "station-nurse" in await found(q="鈴木真理子")  # without the space
    assert "station-nurse" in await found(q="スズキ")  # katakana finds hiragana
    assert "station-nurse" in await found(q="すずき まり")
    assert await found(q="station-nu") == {"station-nurse"}
    assert {"station-nurse", "station-admin"} <= await found(q="訪問看護ステーション")
    by_office = await found(officeId=str(city.offices["pharmacy"]))
    assert by_office == {"pharmacist"}
    row = next(
        p for p in (await admin.get("/api/admin/help-desk", params={"q": "鈴木"})).json()
        if p["loginId"] == "station-nurse"
    )
    assert row["officeName"] == "みどり訪問看護ステーション"
    assert row["jobTypeLabel"] == "看護師" and row["statusLabel"] == "利用中"
    assert row["locked"] is False and row["hasEmail"] is True
    assert "email" not in row and "password" not in str(row).lower()


async def test_a_locked_account_shows_its_lock_and_the_desk_unlocks_it(
    city: City, sign_in: SignIn, clients: Clients, clock: FrozenClock, sessionmaker: Any
) -> None:
    nurse = city.users["station_nurse"]
    caller = await clients.anonymous()
    for _ in range(5):
        wrong = await caller.login(nurse.login_id, "not the password at all")
        assert wrong.status_code == 401
    admin = await sign_in(city.users["admin"])
    locked = await admin.get("/api/admin/help-desk", params={"locked": "true"})
    assert [p["loginId"] for p in locked.json()] == ["station-nurse"]

    account = await _account(admin, nurse.id)
    assert account["lock"]["locked"] is True
    assert account["lock"]["lockedUntil"] is not None
    assert account["lock"]["lockCount"] == 1 and account["lock"]["threshold"] == 5
    assert account["lastFailedSignInAt"] is not None
    assert account["person"]["lastSignInAt"] is None
    assert account["mayAct"] is True

    unlocked = await admin.post(f"/api/admin/users/{nurse.id}/unlock", {"note": "本人から電話"})
    assert unlocked.status_code == 200, unlocked.text
    assert (await _account(admin, nurse.id))["lock"]["locked"] is False
    (event,) = await audit_events(sessionmaker, "admin.user_unlocked")
    assert event.target_id == str(nurse.id) and event.details == {"note": "本人から電話"}
    assert event.actor_id == city.id("admin")

    # The nurse signs in again at once, and the desk sees when.
    again = await clients.sign_in(nurse)
    assert (await again.get("/api/me")).status_code == 200
    assert (await _account(admin, nurse.id))["person"]["lastSignInAt"] is not None
    viewed = await audit_events(sessionmaker, "admin.account_viewed")
    assert len(viewed) == 3 and {e.target_id for e in viewed} == {str(nurse.id)}


async def test_a_lost_phone_is_wiped_alone_the_tablet_keeps_working_and_she_is_told(
    city: City, sign_in: SignIn, clients: Clients, clock: FrozenClock, smtp: SmtpSink,
    sessionmaker: Any,
) -> None:
    phone, tablet = await _two_devices(clients, city, clock)
    admin = await sign_in(city.users["admin"])
    nurse_id = city.id("station_nurse")
    account = await _account(admin, nurse_id)
    assert len(account["devices"]) == 2 and len(account["sessions"]) == 2
    assert {d["sessions"] for d in account["devices"]} == {1}
    async with sessionmaker() as s:
        lost = await s.scalar(select(Device).where(Device.device_key == phone.device))
    assert lost is not None

    smtp.clear()
    wiped = await admin.post(f"/api/admin/users/{nurse_id}/devices/{lost.id}/wipe",
                             {"note": "電話で紛失の連絡"})
    assert wiped.status_code == 200, wiped.text
    assert wiped.json() == {"userId": str(nurse_id), "action": "wipe-device", "done": True,
                            "mailed": True, "count": 1}
    # The lost phone is refused and told to wipe; the tablet goes on.
    answer = await phone.get("/api/me")
    assert answer.status_code in (401, 410), answer.text
    assert (await tablet.get("/api/me")).status_code == 200
    after = await _account(admin, nurse_id)
    flagged = next(d for d in after["devices"] if d["id"] == str(lost.id))
    assert flagged["wipeRequestedAt"] is not None and flagged["wipeReason"] == "admin"
    assert len(after["sessions"]) == 1

    (mail,) = smtp.wait_for(1)
    assert mail.to == "station-nurse@example.jp"
    assert "端末のデータ消去" in mail.subject
    assert "鈴木 真理子 様" in mail.text
    (event,) = await audit_events(sessionmaker, "admin.devices_wiped")
    assert event.details == {"note": "電話で紛失の連絡", "devices": 1, "sessions": 0}
    assert [e.target_id for e in await audit_events(sessionmaker, "device.wipe_flagged")] == [
        str(lost.id)
    ]

    # A device of somebody else is not hers to wipe: 404, nothing flagged.
    other = await clients.sign_in(city.users["pharmacist"])
    async with sessionmaker() as s:
        foreign = await s.scalar(select(Device).where(Device.device_key == other.device))
    assert foreign is not None
    refused = await admin.post(f"/api/admin/users/{nurse_id}/devices/{foreign.id}/wipe")
    assert refused.status_code == 404 and refused.json()["error"] == "device_not_found"
    assert (await other.get("/api/me")).status_code == 200


async def test_a_lost_bag_wipes_every_device_and_ends_every_session(
    city: City, sign_in: SignIn, clients: Clients, clock: FrozenClock, smtp: SmtpSink,
    sessionmaker: Any,
) -> None:
    phone, tablet = await _two_devices(clients, city, clock)
    admin = await sign_in(city.users["admin"])
    nurse_id = city.id("station_nurse")
    smtp.clear()
    wiped = await admin.post(f"/api/admin/users/{nurse_id}/wipe-devices")
    assert wiped.status_code == 200 and wiped.json()["count"] == 2
    for device in (phone, tablet):
        assert (await device.get("/api/me")).status_code != 200
    account = await _account(admin, nurse_id)
    assert account["sessions"] == []
    assert all(d["wipeRequestedAt"] for d in account["devices"])
    assert "端末のデータ消去" in smtp.wait_for(1)[0].subject


async def test_ending_sessions_signs_her_out_without_wiping(
    city: City, sign_in: SignIn, clients: Clients, clock: FrozenClock, sessionmaker: Any,
) -> None:
    phone, tablet = await _two_devices(clients, city, clock)
    admin = await sign_in(city.users["admin"])
    nurse_id = city.id("station_nurse")
    account = await _account(admin, nurse_id)
    one = account["sessions"][0]["id"]
    ended = await admin.post(f"/api/admin/users/{nurse_id}/sessions/{one}/end")
    assert ended.status_code == 200 and ended.json()["count"] == 1
    assert len((await _account(admin, nurse_id))["sessions"]) == 1
    again = await admin.post(f"/api/admin/users/{nurse_id}/sessions/{one}/end")
    assert again.status_code == 404 and again.json()["error"] == "session_not_found"

    everywhere = await admin.post(f"/api/admin/users/{nurse_id}/end-sessions")
    assert everywhere.status_code == 200 and everywhere.json()["count"] == 1
    for device in (phone, tablet):
        assert (await device.get("/api/me")).status_code == 401
    account = await _account(admin, nurse_id)
    assert account["sessions"] == [] and not any(d["wipeRequestedAt"] for d in account["devices"])
    ended_events = await audit_events(sessionmaker, "admin.sessions_ended")
    assert [e.details["sessions"] for e in ended_events] == [1, 1]


async def test_reset_factors_mails_her_and_she_enrols_again(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    nurse = city.users["station_nurse"]
    admin = await sign_in(city.users["admin"])
    smtp.clear()
    reset = await admin.post(f"/api/admin/users/{nurse.id}/reset-factors",
                             {"note": "機種変更"})
    assert reset.status_code == 200 and reset.json()["mailed"] is True
    account = await _account(admin, nurse.id)
    assert account["factors"] == {"totp": False, "passkeys": []}
    (mail,) = smtp.wait_for(1)
    assert "二要素認証の登録をリセット" in mail.subject
    caller = await clients.anonymous()
    step = await caller.login(nurse.login_id, nurse.password)
    assert step.json()["next"] == "enroll"
    (event,) = await audit_events(sessionmaker, "admin.factors_reset")
    assert event.details["note"] == "機種変更"


async def test_staff_without_mail_get_a_printed_letter_whose_code_works_once(
    city: City, sign_in: SignIn, clients: Clients, clock: FrozenClock, smtp: SmtpSink,
    sessionmaker: Any,
) -> None:
    helper = city.users["pharmacist"]
    async with sessionmaker() as s:
        user = await s.get(User, helper.id)
        assert user is not None
        user.email = ""
        await s.commit()
    admin = await sign_in(city.users["admin"])
    assert (await _account(admin, helper.id))["person"]["hasEmail"] is False

    by_mail = await admin.post(f"/api/admin/users/{helper.id}/reset-password")
    assert by_mail.status_code == 409 and by_mail.json()["error"] == "no_email"
    assert "通知書" in by_mail.json()["message"]

    smtp.clear()
    letter = await admin.post(f"/api/admin/users/{helper.id}/reset-letter")
    assert letter.status_code == 200, letter.text
    body = letter.json()
    assert body["loginId"] == "pharmacist" and body["name"] == "山口 由美"
    assert body["officeName"] == "ひまわり薬局" and body["issuedBy"] == "市役所 太郎"
    code = body["code"]
    assert len(code) == 24 and code.count("-") == 4
    assert body["link"].endswith(f"/activate/{code}")
    assert body["qrImage"].startswith("data:image/svg+xml")
    assert body["contactName"]  # whom to call is printed on the letter
    assert (await _account(admin, helper.id))["resetLinkExpiresAt"] == body["expiresAt"]
    assert smtp.messages == []  # nobody to mail
    (event,) = await audit_events(sessionmaker, "admin.password_reset_letter")
    assert code not in str(event.details)

    # She types the code from the paper, in lower case and without hyphens.
    person = await clients.anonymous()
    typed = code.replace("-", "").lower()
    described = await person.get(f"/api/activation/{typed}")
    assert described.status_code == 200 and described.json()["loginId"] == "pharmacist"
    done = await person.post(f"/api/activation/{typed}", {"password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert (await person.post(f"/api/activation/{code}", {"password": NEW_PASSWORD})
            ).status_code == 404
    step = await person.login("pharmacist", NEW_PASSWORD)
    assert step.status_code == 200 and step.json()["next"] == "totp"

    # A second letter voids the first; a letter expires after seven days.
    first = (await admin.post(f"/api/admin/users/{helper.id}/reset-letter")).json()["code"]
    second = (await admin.post(f"/api/admin/users/{helper.id}/reset-letter")).json()["code"]
    assert (await person.get(f"/api/activation/{first}")).status_code == 404
    clock.advance(days=7, seconds=1)
    assert (await person.get(f"/api/activation/{second}")).status_code == 404


async def test_the_desk_refuses_what_it_must_not_do_and_changes_nothing(
    city: City, sign_in: SignIn, clients: Clients, sessionmaker: Any
) -> None:
    nurse = city.users["station_nurse"]
    office_admin = await sign_in(city.users["station_admin"])
    for path in ("unlock", "reset-factors", "reset-letter", "wipe-devices", "end-sessions"):
        refused = await office_admin.post(f"/api/admin/users/{nurse.id}/{path}")
        assert refused.status_code == 403 and refused.json()["error"] == "admin_only", path
    for path in (f"/api/admin/users/{nurse.id}/account", "/api/admin/help-desk?q=x"):
        assert (await office_admin.get(path)).status_code == 403

    admin = await sign_in(city.users["admin"])
    own = await admin.post(f"/api/admin/users/{city.id('admin')}/reset-factors")
    assert own.status_code == 409 and own.json()["error"] == "own_account"
    operator = await admin.post(f"/api/admin/users/{city.id('operator')}/reset-letter")
    assert operator.status_code == 403 and operator.json()["error"] == "operator_account"
    assert (await _account(admin, city.id("operator")))["mayAct"] is False
    missing = await admin.post(f"/api/admin/users/{uuid.uuid4()}/unlock")
    assert missing.status_code == 404
    too_long = await admin.post(f"/api/admin/users/{nurse.id}/reset-factors", {"note": "x" * 201})
    assert too_long.status_code == 400
    unknown = await admin.post(f"/api/admin/users/{nurse.id}/reset-factors", {"why": "x"})
    assert unknown.status_code == 400
    bad_query = await admin.get("/api/admin/help-desk", params={"q": "x" * 101})
    assert bad_query.status_code == 400

    # An operator may work on a clerk's account.
    op = await sign_in(city.users["operator"])
    assert (await op.post(f"/api/admin/users/{city.id('admin')}/unlock")).status_code == 200

    # The stopped are stopped: no reset for them.
    stop = await admin.post(f"/api/admin/users/{nurse.id}/stop", {"reason": "退職"})
    assert stop.status_code == 200
    for path in ("reset-factors", "reset-letter", "reset-password"):
        refused = await admin.post(f"/api/admin/users/{nurse.id}/{path}")
        assert refused.status_code == 409 and refused.json()["error"] == "user_stopped"

    async with sessionmaker() as s:
        assert await s.scalar(select(TotpFactor).where(TotpFactor.user_id == nurse.id))
        tokens = list(await s.scalars(select(OneTimeToken).where(OneTimeToken.user_id == nurse.id)))
        assert tokens == []
        sessions = await s.scalars(select(UserSession).where(UserSession.user_id == nurse.id))
        assert list(sessions) == []
    for action in ("admin.factors_reset", "admin.password_reset_letter"):
        assert await audit_events(sessionmaker, action) == []
