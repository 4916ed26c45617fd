"""The city's whole story through the API, with real SMTP on loopback and the real sync:
invite a nurse, approve her, she activates and enrols TOTP, a room opens with her in it,
a member asks to close it, the admin closes it, her office asks to stop her ID, and her
next request is refused and her device wiped."""

from __future__ import annotations

import uuid
from typing import Any

import pyotp
from sqlalchemy import select

from server.clock import FrozenClock
from store.models import Device, RoomMember, User
from tests.factories import make_office_pledge
from tests.support.smtp import SmtpSink

from .conftest import City, Clients, SignIn, consent, patient, team

PASSWORD = "冬の朝は訪問前に路面を確かめる"
TODAY = "2026-11-26"  # the test clock's day in Japan: the stop takes effect at once


async def test_invite_approve_activate_room_close_and_stop(
    city: City,
    sign_in: SignIn,
    clients: Clients,
    smtp: SmtpSink,
    sessionmaker: Any,
    clock: FrozenClock,
) -> None:
    admin = await sign_in(city.users["admin"])
    # The station's 様式4-1 is on record (it came on paper when the station registered).
    await make_office_pledge(sessionmaker, city.offices["station"], at=clock.now())

    # 1. The admin invites a nurse of the visiting nurse station.
    invited = await admin.post(
        "/api/admin/invitations",
        {
            "name": "石井 あかり",
            "email": "ishii@station.example.jp",
            "officeId": str(city.offices["station"]),
        },
    )
    assert invited.status_code == 201, invited.text
    (invitation,) = smtp.wait_for(1)
    invite_token = SmtpSink.links(invitation)[0].rsplit("/", 1)[1]

    # 2. She opens the link and applies, accepting 様式4-2.
    nurse = await clients.anonymous()
    offer = (await nurse.get(f"/api/invitations/{invite_token}")).json()
    applied = await nurse.post(
        f"/api/invitations/{invite_token}/apply",
        {
            "name": "石井 あかり",
            "nameKana": "イシイ アカリ",
            "officeId": offer["office"]["id"],
            "jobType": "nurse",
            "email": "ishii@station.example.jp",
            "phone": "012-555-0177",
            "pledge": {"version": offer["pledge"]["version"], "accepted": True},
        },
    )
    assert applied.status_code == 201, applied.text

    # 3. The admin approves: the login ID is issued and the activation link mailed.
    smtp.clear()
    inbox = (await admin.get("/api/admin/applications?state=submitted")).json()
    assert [a["kind"] for a in inbox] == ["idInvited"]
    approved = await admin.post(f"/api/admin/applications/{inbox[0]['id']}/approve")
    assert approved.status_code == 200, approved.text
    login_id = approved.json()["subjectUser"]["loginId"]
    nurse_id = uuid.UUID(approved.json()["subjectUser"]["id"])
    (issued,) = smtp.wait_for(1)
    assert issued.rcpt_tos == ("ishii@station.example.jp",) and login_id in issued.text
    ledger = (await admin.get("/api/admin/ledger", params={"q": login_id})).json()
    assert ledger["users"][0]["status"] == "pending"

    # 4. She sets her password with the link, signs in and must enrol TOTP.
    activation_token = SmtpSink.links(issued)[0].rsplit("/", 1)[1]
    activated = await nurse.post(f"/api/activation/{activation_token}", {"password": PASSWORD})
    assert activated.status_code == 200, activated.text
    first = await nurse.login(login_id, PASSWORD)
    assert first.json()["next"] == "enroll"
    assert (await nurse.get("/api/me")).status_code == 401
    secret = (await nurse.post("/api/auth/totp/enroll")).json()["secret"]
    enrolled = await nurse.post(
        "/api/auth/totp/enroll/confirm", {"code": pyotp.TOTP(secret).at(clock.now())}
    )
    assert enrolled.json()["next"] == "done"
    assert (await nurse.get("/api/me")).json()["user"]["loginId"] == login_id
    assert (await admin.get("/api/admin/ledger", params={"q": login_id})).json()["users"][0][
        "status"
    ] == "active"

    # 5. The admin opens a room for a patient with the required members, her included.
    smtp.clear()
    opened = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(),
            "members": [
                *team(city, "home_doctor", "care_manager"),
                {"userId": str(nurse_id), "permission": "write"},
            ],
            "label": "若葉-01",
        },
    )
    assert opened.status_code == 201, opened.text
    room_id = opened.json()["id"]

    # 6. Her first pull serves the new room.
    pulled = await nurse.post("/api/sync/pull", {"cursor": None})
    assert pulled.status_code == 200, pulled.text
    assert room_id in pulled.json()["rooms"]
    changes = pulled.json()["rooms"][room_id]["changes"]
    assert {"room", "patient", "member", "reportTitle"} <= {c["type"] for c in changes}
    async with sessionmaker() as s:
        stay = await s.scalar(select(RoomMember).where(RoomMember.user_id == nurse_id))
    assert stay is not None and stay.left_at is None

    # 7. The care manager posts a closing request through sync.
    care_manager = await sign_in(city.users["care_manager"])
    title = next(t for t in opened.json()["reportTitles"] if t["name"] == "連絡事項")
    post_id = str(uuid.uuid4())
    pushed = await care_manager.post(
        "/api/sync/push",
        {
            "clientId": "caremanager-tablet-1",
            "mutations": [
                {
                    "id": 1,
                    "name": "post.create",
                    "args": {
                        "id": post_id,
                        "roomId": room_id,
                        "reportTitleId": title["id"],
                        "body": "本日、施設へ入所されました。部屋の終了をお願いします。",
                        "kind": "closingRequest",
                        "closingReason": "facilityAdmission",
                    },
                },
                {
                    "id": 2,
                    "name": "post.create",
                    "args": {
                        "id": str(uuid.uuid4()),
                        "roomId": room_id,
                        "reportTitleId": title["id"],
                        "body": "退所時サマリーを施設へ送付済みです。",
                    },
                },
            ],
        },
    )
    assert pushed.status_code == 200, pushed.text
    assert [r["status"] for r in pushed.json()["results"]] == ["ok", "ok"]

    # 8. The admin sees the closing request (and only it) and closes the room.
    requests = (await admin.get("/api/admin/closing-requests")).json()
    assert [r["postId"] for r in requests] == [post_id]
    assert requests[0]["reason"] == "facilityAdmission"
    smtp.clear()
    closed = await admin.post(f"/api/admin/rooms/{room_id}/close", {"closingRequestId": post_id})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    notified = {m.rcpt_tos[0] for m in smtp.wait_for(3)}
    assert "ishii@station.example.jp" in notified

    # 9. Her office asks to stop her ID (様式3); the admin approves.
    station = await sign_in(city.users["station_admin"])
    stop = await station.post(
        "/api/applications",
        {
            "kind": "idStop",
            "payload": {"userId": str(nurse_id), "reason": "退職のため", "date": TODAY},
        },
    )
    assert stop.status_code == 201, stop.text
    assert (await nurse.get("/api/me")).status_code == 200
    stopped = await admin.post(f"/api/admin/applications/{stop.json()['id']}/approve")
    assert stopped.status_code == 200, stopped.text

    # 10. Her next request is refused, and her device gets the wipe.
    refused = await nurse.post("/api/sync/pull", {"cursor": None})
    assert refused.status_code == 401
    assert refused.json()["wipe"] is True
    async with sessionmaker() as s:
        user = await s.get(User, nurse_id)
        devices = list(await s.scalars(select(Device).where(Device.user_id == nurse_id)))
    assert user is not None and user.status == "stopped"
    assert devices and all(d.wipe_delivered_at is not None for d in devices)
    kept = (await admin.get("/api/admin/ledger", params={"q": login_id})).json()["users"]
    assert [(u["loginId"], u["status"]) for u in kept] == [(login_id, "stopped")]
