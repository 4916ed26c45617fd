"""ID stop (様式3): it takes effect on the user's next request; the ledger keeps the person."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from store.models import ChangeLog, Device, RoomMember, User, UserSession
from tests.support.api import ApiClient

from .conftest import REQUIRED_TEAM, City, SignIn, consent, patient, team

TODAY = "2026-11-26"  # the test clock's day in Japan: a stop dated today takes effect at once


async def test_an_approved_id_stop_ends_every_way_in_and_keeps_the_record(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    nurse = await sign_in(city.users["station_nurse"])
    assert (await nurse.get("/api/me")).status_code == 200
    admin = await sign_in(city.users["admin"])
    room = await admin.post(
        "/api/admin/rooms",
        {"patient": patient(), "consent": consent(), "members": team(city, *REQUIRED_TEAM)},
    )
    room_id = uuid.UUID(room.json()["id"])
    nurse_id = city.id("station_nurse")
    async with sessionmaker() as s:
        version_before = (await s.get(User, nurse_id)).membership_version

    office = await sign_in(city.users["station_admin"])
    applied = await office.post(
        "/api/applications",
        {
            "kind": "idStop",
            "payload": {"userId": str(nurse_id), "reason": "退職のため", "date": TODAY},
        },
    )
    assert applied.status_code == 201, applied.text
    assert (await nurse.get("/api/me")).status_code == 200  # nothing happens before approval
    approved = await admin.post(f"/api/admin/applications/{applied.json()['id']}/approve")
    assert approved.status_code == 200, approved.text

    refused = await nurse.get("/api/me")
    assert refused.status_code == 401
    assert refused.json()["wipe"] is True  # her tablet is told to wipe at once
    assert "clear-site-data" in refused.headers
    again = ApiClient(nurse.http)  # a fresh device id cannot sign her in either
    login = await again.login("station-nurse", city.users["station_nurse"].password)
    assert login.status_code == 401

    async with sessionmaker() as s:
        user = await s.get(User, nurse_id)
        sessions = list(await s.scalars(select(UserSession).where(UserSession.user_id == nurse_id)))
        devices = list(await s.scalars(select(Device).where(Device.user_id == nurse_id)))
        stay = await s.scalar(select(RoomMember).where(RoomMember.user_id == nurse_id))
        change = await s.scalar(
            select(ChangeLog)
            .where(ChangeLog.entity_id == str(stay.id))
            .order_by(ChangeLog.seq.desc())
        )
    assert user is not None and user.status == "stopped" and user.stopped_at is not None
    assert user.membership_version > version_before
    assert sessions == []
    assert devices and all(
        d.wipe_requested_at is not None and d.wipe_reason == "idStop" for d in devices
    )
    assert stay.left_at is not None and stay.left_reason == "idStop"
    assert change is not None and change.room_id == room_id and stay.version == change.version

    ledger = (await admin.get("/api/admin/ledger", params={"status": "stopped"})).json()
    assert [u["loginId"] for u in ledger["users"]] == ["station-nurse"]
    assert ledger["users"][0]["stoppedAt"] is not None
    detail = (await admin.get(f"/api/admin/users/{nurse_id}")).json()
    assert "admin.user_stopped" in [h["action"] for h in detail["history"]]
    assert detail["rooms"] == []

    twice = await admin.post(f"/api/admin/users/{nurse_id}/stop")
    assert twice.status_code == 409
    assert twice.json()["error"] == "already_stopped"
    shown = await admin.get(f"/api/admin/rooms/{room_id}")
    assert [m["user"]["loginId"] for m in shown.json()["formerMembers"]] == ["station-nurse"]
    assert shown.json()["missing"] == []  # the home-visit doctor still counts as visiting


async def test_an_admin_stops_an_id_directly_but_never_their_own(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    own = await admin.post(f"/api/admin/users/{city.id('admin')}/stop")
    assert own.status_code == 409
    assert own.json()["error"] == "stop_self"
    stopped = await admin.post(
        f"/api/admin/users/{city.id('pharmacist')}/stop", {"reason": "様式3（郵送）による"}
    )
    assert stopped.status_code == 200
    assert stopped.json()["user"]["status"] == "stopped"
    unknown = await admin.post(f"/api/admin/users/{uuid.uuid4()}/stop")
    assert unknown.status_code == 404
