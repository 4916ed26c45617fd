"""Correcting a patient's details: by the city, or by the room's care manager from the PWA
(online, an API call); every member's device gets the change by sync."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from store.models import ChangeRecord, Patient

from .conftest import City, SignIn
from .test_corrections_people import audit_actions, drain, pull
from .test_rooms import open_room


def patient_in(body: dict[str, Any], room_id: str) -> dict[str, Any] | None:
    changes = body["rooms"].get(room_id, {}).get("changes", [])
    found = [c["data"] for c in changes if c["type"] == "patient"]
    return found[-1] if found else None


async def stored_patient(sessionmaker: Any, room: dict[str, Any]) -> Patient:
    async with sessionmaker() as s:
        patient = await s.get(Patient, uuid.UUID(room["patient"]["id"]))
    assert patient is not None
    return patient


async def test_the_rooms_care_manager_corrects_the_care_level_and_a_member_device_gets_it(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    room_id = room["id"]
    nurse = await sign_in(city.users["station_nurse"])
    cursor = await drain(nurse)

    care_manager = await sign_in(city.users["care_manager"])
    response = await care_manager.request(
        "PATCH",
        f"/api/rooms/{room_id}/patient",
        {
            "careLevel": "care_4",
            "attendingPhysician": "さくら台内科クリニック 中村 健一",
            "emergencyContactName": "青木 一郎",
            "emergencyContactRelationship": "長男",
            "emergencyContactPhone": "090-5555-0001",
            "note": "区分変更の認定通知（11月28日付）",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == [
        "careLevel",
        "attendingPhysician",
        "emergencyContactName",
        "emergencyContactRelationship",
        "emergencyContactPhone",
    ]

    delta = await pull(nurse, cursor)
    served = patient_in(delta, room_id)
    assert served is not None
    assert served["careLevel"] == "care_4"
    assert served["attendingPhysician"] == "さくら台内科クリニック 中村 健一"
    assert served["emergencyContactPhone"] == "090-5555-0001"

    history = (await admin.get(f"/api/admin/rooms/{room_id}/history")).json()["changes"]
    care = next(c for c in history if c["field"] == "careLevel")
    assert (care["before"], care["after"]) == ("要介護3", "要介護4")
    assert care["actorName"] == "佐藤 美香" and care["actorRole"] == "member"
    assert care["note"] == "区分変更の認定通知（11月28日付）"
    (event,) = await audit_actions(sessionmaker, "patient.corrected")
    assert str(event.room_id) == room_id and str(event.actor_id) == str(city.id("care_manager"))
    assert "careLevel" in event.details["fields"]
    assert "青木" not in str(event.details)  # the audit names fields, never the values


async def test_the_city_corrects_the_insured_number_and_address(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    doctor = await sign_in(city.users["home_doctor"])
    cursor = await drain(doctor)
    response = await admin.request(
        "PATCH",
        f"/api/admin/rooms/{room['id']}/patient",
        {"insuredNumber": "0000099999", "address": "みどり市本町1-1", "postalCode": "000-0001",
         "phone": "012-555-0199"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["patient"]["insuredNumber"] == "0000099999"
    assert response.json()["patient"]["address"] == "みどり市本町1-1"
    served = patient_in(await pull(doctor, cursor), room["id"])
    assert served is not None and served["address"] == "みどり市本町1-1"
    history = (await admin.get(f"/api/admin/rooms/{room['id']}/history")).json()["changes"]
    assert {c["field"] for c in history} == {"insuredNumber", "address", "postalCode", "phone"}
    assert all(c["actorRole"] == "municipal_admin" for c in history)

    # The same values again change nothing and leave no history.
    same = await admin.request(
        "PATCH", f"/api/admin/rooms/{room['id']}/patient", {"insuredNumber": "0000099999"}
    )
    assert same.status_code == 200
    async with sessionmaker() as s:
        assert len(list(await s.scalars(select(ChangeRecord)))) == 4


async def test_only_the_rooms_care_manager_may_correct_and_a_refusal_changes_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    path = f"/api/rooms/{room['id']}/patient"
    body = {"careLevel": "care_5"}

    # A member who is not a care manager: 403.
    nurse = await sign_in(city.users["station_nurse"])
    refused = await nurse.request("PATCH", path, body)
    assert refused.status_code == 403 and refused.json()["error"] == "care_manager_only"

    # A care manager who is not in the room: the room is not found for them.
    outsider = await sign_in(city.users["care_admin"])
    unknown = await outsider.request("PATCH", path, body)
    assert unknown.status_code == 404

    # A read-only care manager may not write.
    await admin.request(
        "PATCH",
        f"/api/admin/rooms/{room['id']}/members/{city.id('care_manager')}",
        {"permission": "read"},
    )
    care_manager = await sign_in(city.users["care_manager"])
    read_only = await care_manager.request("PATCH", path, body)
    assert read_only.status_code == 403 and read_only.json()["error"] == "read_only"
    await admin.request(
        "PATCH",
        f"/api/admin/rooms/{room['id']}/members/{city.id('care_manager')}",
        {"permission": "write"},
    )

    # Bad input: 400, from the right person too.
    for bad in ({}, {"careLevel": "care_9"}, {"insuredNumber": "12"}, {"name": "別人"},
                {"phone": "電話"}, {"note": "x" * 1001}):
        response = await care_manager.request("PATCH", path, bad)
        assert response.status_code == 400, (bad, response.text)

    # The city's admin route refuses members and office admins.
    for api in (care_manager, outsider):
        forbidden = await api.request("PATCH", f"/api/admin/rooms/{room['id']}/patient", body)
        assert forbidden.status_code == 403

    # A closed room is read-only for its care manager too.
    closed = await admin.post(f"/api/admin/rooms/{room['id']}/close", {"reason": "death"})
    assert closed.status_code == 200
    after_close = await care_manager.request("PATCH", path, body)
    assert after_close.status_code == 403 and after_close.json()["error"] == "room_closed"

    patient = await stored_patient(sessionmaker, room)
    assert patient.care_level == "care_3"
    async with sessionmaker() as s:
        assert list(await s.scalars(select(ChangeRecord))) == []
    assert await audit_actions(sessionmaker, "patient.corrected") == []
