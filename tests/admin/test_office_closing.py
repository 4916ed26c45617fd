"""An office that closes or merges: its staff are stopped, or moved to the other office,
in one step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.models import Office, RoomMember, User

from .conftest import City, SignIn
from .test_corrections_people import PLEDGE, audit_actions, drain, pull
from .test_rooms import open_room


async def test_a_closing_office_stops_every_id_of_its_staff(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city, members=[
        {"userId": str(city.id(k)), "permission": "write"}
        for k in ("home_doctor", "station_nurse", "care_manager", "pharmacist")
    ])
    pharmacist = await sign_in(city.users["pharmacist"])
    await drain(pharmacist)
    closed = await admin.post(
        f"/api/admin/offices/{city.offices['pharmacy']}/close",
        {"reason": "closed", "staff": "stop", "note": "11月末で廃業"},
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["office"]["closedReason"] == "closed" and body["office"]["closedAt"]
    assert [u["loginId"] for u in body["stopped"]] == ["pharmacist"]
    assert body["stopped"][0]["status"] == "stopped"
    refused = await pharmacist.post("/api/sync/pull", {"cursor": None})
    assert refused.status_code == 401 and refused.json()["wipe"] is True
    async with sessionmaker() as s:
        stay = await s.scalar(select(RoomMember).where(RoomMember.user_id == city.id("pharmacist")))
    assert stay is not None and stay.left_reason == "idStop"
    detail = (await admin.get(f"/api/admin/offices/{city.offices['pharmacy']}/history")).json()
    status = next(c for c in detail["changes"] if c["field"] == "status")
    assert (status["before"], status["after"], status["note"]) == ("運営中", "廃止", "11月末で廃業")
    (event,) = await audit_actions(sessionmaker, "admin.office_closed")
    assert event.details["stopped"] == 1
    assert room["id"]  # the room itself stays open for the others

    # No new staff for an office that closed, and it cannot close twice.
    again = await admin.post(
        f"/api/admin/offices/{city.offices['pharmacy']}/close",
        {"reason": "closed", "staff": "stop"},
    )
    assert again.status_code == 409
    moved = await admin.post(
        f"/api/admin/users/{city.id('clinic_doctor')}/transfer",
        {"officeId": str(city.offices["pharmacy"]), "rooms": [], "pledge": PLEDGE},
    )
    assert moved.status_code == 409 and moved.json()["error"] == "office_closed"
    named = await admin.post(
        f"/api/admin/offices/{city.offices['pharmacy']}/system-managers",
        {"userId": str(city.id("pharmacist"))},
    )
    assert named.status_code == 409 and named.json()["error"] == "office_closed"


async def test_a_merging_office_moves_its_staff_who_stay_in_their_rooms(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    doctor = await sign_in(city.users["home_doctor"])
    cursor = await drain(doctor)
    merged = await admin.post(
        f"/api/admin/offices/{city.offices['station']}/close",
        {"reason": "merged", "staff": "transfer", "mergedIntoId": str(city.offices["hospital"]),
         "stayInRooms": True, "pledge": PLEDGE},
    )
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["office"]["mergedIntoId"] == str(city.offices["hospital"])
    assert {u["loginId"] for u in body["transferred"]} == {"station-admin", "station-nurse"}
    assert all(u["officeName"] == "みどり市民病院" for u in body["transferred"])
    # The station admin is no longer anybody's システム管理担当者.
    assert {u["loginId"]: u["role"] for u in body["transferred"]}["station-admin"] == "member"
    # Still in the room, now shown with the hospital; a visiting nurse stays a visiting nurse.
    changes = (await pull(doctor, cursor))["rooms"][room["id"]]["changes"]
    nurse = next(c["data"] for c in changes if c["type"] == "member"
                 and c["data"]["userId"] == str(city.id("station_nurse")))
    assert nurse["officeName"] == "みどり市民病院" and nurse["leftAt"] is None
    async with sessionmaker() as s:
        moved = await s.get(User, city.id("station_nurse"))
        assert moved is not None and moved.visits_homes is True
        office = await s.get(Office, city.offices["station"])
        assert office is not None and office.closed_reason == "merged"
    detail = (await admin.get(f"/api/admin/offices/{city.offices['station']}/history")).json()
    assert detail["staff"] == []
    assert {u["loginId"] for u in detail["formerStaff"]} == {"station-admin", "station-nurse"}


async def test_closing_an_office_refuses_bad_requests_and_changes_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    path = f"/api/admin/offices/{city.offices['station']}/close"
    cases = [
        ({"reason": "merged", "staff": "transfer", "pledge": PLEDGE}, 400,
         "target_office_required"),
        ({"reason": "merged", "staff": "transfer", "mergedIntoId": str(city.offices["station"]),
          "pledge": PLEDGE}, 400, "same_office"),
        ({"reason": "merged", "staff": "transfer", "mergedIntoId": str(city.offices["hospital"])},
         400, "pledge_required"),
        ({"reason": "bankrupt", "staff": "stop"}, 400, "invalid_input"),
    ]
    for body, status, code in cases:
        response = await admin.post(path, body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"] == code
    office_admin = await sign_in(city.users["station_admin"])
    assert (await office_admin.post(path, {"reason": "closed", "staff": "stop"})).status_code == 403
    async with sessionmaker() as s:
        office = await s.get(Office, city.offices["station"])
        nurse = await s.get(User, city.id("station_nurse"))
    assert office is not None and office.closed_at is None
    assert nurse is not None and nurse.status == "active"
    assert nurse.office_id == city.offices["station"]
