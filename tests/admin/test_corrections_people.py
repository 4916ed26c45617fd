"""Correcting a person and an office: each change kept with who and when, audited, and
carried to the rooms' members by sync; a transfer decided room by room."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from store.models import AuditEvent, ChangeRecord, Office, OfficeStay, Pledge, RoomMember, User
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import City, SignIn, patient
from .test_rooms import open_room

PLEDGE = {"version": "2024-04", "acceptedOn": "2026-11-25"}


async def audit_actions(sessionmaker: Any, action: str) -> list[AuditEvent]:
    async with sessionmaker() as s:
        return list(await s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def pull(api: ApiClient, cursor: str | None = None) -> dict[str, Any]:
    response = await api.post("/api/sync/pull", {"cursor": cursor})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def drain(api: ApiClient) -> str:
    """Pull until nothing more is pending; returns the cursor."""
    body = await pull(api)
    while any(r["hasMore"] for r in body["rooms"].values()):
        body = await pull(api, body["cursor"])
    return str(body["cursor"])


def members_in(body: dict[str, Any], room_id: str) -> dict[str, dict[str, Any]]:
    changes = body["rooms"].get(room_id, {}).get("changes", [])
    return {c["data"]["userId"]: c["data"] for c in changes if c["type"] == "member"}


async def two_rooms(admin: ApiClient, city: City) -> tuple[str, str]:
    first = await open_room(admin, city)
    second = await open_room(
        admin,
        city,
        patient=patient(name="石田 トメ", nameKana="イシダ トメ", insuredNumber="0000055555"),
        label="北町-02",
    )
    return first["id"], second["id"]


async def test_the_city_corrects_a_name_and_the_rooms_members_see_it_with_the_history(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room_id, _ = await two_rooms(admin, city)
    nurse = await sign_in(city.users["station_nurse"])
    cursor = await drain(nurse)

    doctor_id = str(city.id("home_doctor"))
    response = await admin.request(
        "PATCH",
        f"/api/admin/users/{doctor_id}",
        {"name": "高橋 誠一", "email": "takahashi@example.jp", "note": "婚姻による改姓届"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["name"] == "高橋 誠一"
    changes = {c["field"]: c for c in body["changes"]}
    assert changes["name"]["before"] == "高橋 誠" and changes["name"]["after"] == "高橋 誠一"
    assert changes["name"]["actorName"] == "市役所 太郎"
    assert changes["name"]["note"] == "婚姻による改姓届"
    assert "email" in changes and "jobType" not in changes

    # The nurse's device learns the doctor's new name in both rooms.
    delta = await pull(nurse, cursor)
    assert members_in(delta, room_id)[doctor_id]["name"] == "高橋 誠一"
    (event,) = await audit_actions(sessionmaker, "admin.user_corrected")
    assert event.target_id == doctor_id and set(event.details["fields"]) == {"name", "email"}

    again = await admin.get(f"/api/admin/users/{doctor_id}/history")
    assert [c["field"] for c in again.json()["changes"]] == [c["field"] for c in body["changes"]]


async def test_a_user_correction_refuses_bad_input_and_other_roles_and_changes_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    nurse_id = city.id("station_nurse")
    path = f"/api/admin/users/{nurse_id}"
    for body, code in (
        ({}, "nothing_to_correct"),
        ({"nameKana": "Suzuki"}, "invalid_input"),
        ({"email": "not-a-mail"}, "invalid_input"),
        ({"jobType": "astronaut"}, "invalid_input"),
        ({"name": "x", "loginId": "hijack"}, "invalid_input"),
        ({"jobType": "pharmacist", "visitsHomes": True}, "visits_homes_not_applicable"),
    ):
        response = await admin.request("PATCH", path, body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"] == code, (body, response.text)
    for who in ("station_admin", "station_nurse"):
        api = await sign_in(city.users[who])
        refused = await api.request("PATCH", path, {"name": "乗っ取り"})
        assert refused.status_code == 403
    unknown = await admin.request("PATCH", f"/api/admin/users/{uuid.uuid4()}", {"name": "x"})
    assert unknown.status_code == 404
    async with sessionmaker() as s:
        nurse = await s.get(User, nurse_id)
        assert nurse is not None and nurse.name == "鈴木 真理子" and nurse.job_type == "nurse"
        assert list(await s.scalars(select(ChangeRecord))) == []


async def test_a_member_cannot_become_city_staff_while_in_rooms(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    await open_room(admin, city)
    response = await admin.request(
        "PATCH", f"/api/admin/users/{city.id('care_manager')}", {"jobType": "city_staff"}
    )
    assert response.status_code == 409
    assert response.json()["error"] == "member_cannot_be_city_staff"


async def test_a_transfer_leaves_one_room_stays_in_another_and_the_ledger_keeps_both_periods(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    leave_id, stay_id = await two_rooms(admin, city)
    doctor = await sign_in(city.users["home_doctor"])
    nurse = await sign_in(city.users["station_nurse"])
    doctor_cursor = await drain(doctor)
    nurse_cursor = await drain(nurse)
    doctor_id = city.id("home_doctor")

    response = await admin.post(
        f"/api/admin/users/{doctor_id}/transfer",
        {
            "officeId": str(city.offices["hospital"]),
            "rooms": [{"roomId": leave_id, "stay": False}, {"roomId": stay_id, "stay": True}],
            "pledge": PLEDGE,
            "note": "4月1日付で市民病院へ異動",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["officeName"] == "みどり市民病院"
    assert [r["id"] for r in body["left"]] == [leave_id]
    assert [r["id"] for r in body["stayed"]] == [stay_id]
    periods = [(p["office"]["name"], p["endedAt"] is None) for p in body["officeStays"]]
    assert periods == [("みどり在宅クリニック", False), ("みどり市民病院", True)]

    # The doctor's device drops the room left and keeps the other; the nurse sees the new office.
    doctor_pull = await pull(doctor, doctor_cursor)
    assert doctor_pull["revokedRooms"] == [leave_id]
    assert stay_id not in doctor_pull["revokedRooms"]
    nurse_pull = await pull(nurse, nurse_cursor)
    assert members_in(nurse_pull, stay_id)[str(doctor_id)]["officeName"] == "みどり市民病院"
    assert members_in(nurse_pull, leave_id)[str(doctor_id)]["leftAt"] is not None

    history = (await admin.get(f"/api/admin/users/{doctor_id}/history")).json()
    office_change = next(c for c in history["changes"] if c["field"] == "office")
    assert office_change["before"] == "みどり在宅クリニック"
    assert office_change["after"] == "みどり市民病院"
    assert "若葉-01" in office_change["note"]
    assert len(history["officeStays"]) == 2
    async with sessionmaker() as s:
        stays = list(await s.scalars(select(RoomMember).where(RoomMember.user_id == doctor_id)))
        pledges = list(
            await s.scalars(
                select(Pledge).where(Pledge.user_id == doctor_id, Pledge.form == "4-2")
            )
        )
        periods_rows = list(
            await s.scalars(select(OfficeStay).where(OfficeStay.user_id == doctor_id))
        )
    left = {str(m.room_id): m for m in stays}
    assert left[leave_id].left_reason == "transfer" and left[stay_id].left_at is None
    assert [p.office_id for p in pledges] == [city.offices["hospital"]]
    assert len(periods_rows) == 2
    (event,) = await audit_actions(sessionmaker, "admin.user_transferred")
    assert event.details["roomsLeft"] == 1 and event.details["roomsStayed"] == 1
    left_events = await audit_actions(sessionmaker, "admin.member_left_on_transfer")
    assert [str(e.room_id) for e in left_events] == [leave_id]
    assert left_events[0].patient_id is not None


async def test_a_transfer_must_choose_for_every_room_and_changes_nothing_when_refused(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    leave_id, stay_id = await two_rooms(admin, city)
    doctor_id = city.id("home_doctor")
    path = f"/api/admin/users/{doctor_id}/transfer"
    hospital = str(city.offices["hospital"])
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"officeId": hospital, "rooms": [{"roomId": leave_id, "stay": False}], "pledge": PLEDGE},
         400, "room_choices_invalid"),
        ({"officeId": hospital, "rooms": [{"roomId": leave_id, "stay": False},
                                          {"roomId": stay_id, "stay": True},
                                          {"roomId": str(uuid.uuid4()), "stay": True}],
          "pledge": PLEDGE}, 400, "room_choices_invalid"),
        ({"officeId": str(city.offices["home_clinic"]), "rooms": [], "pledge": PLEDGE},
         400, "same_office"),
        ({"officeId": str(uuid.uuid4()), "rooms": [], "pledge": PLEDGE}, 400, "unknown_office"),
        ({"officeId": hospital, "rooms": [{"roomId": leave_id, "stay": True},
                                          {"roomId": stay_id, "stay": True}],
          "pledge": {"version": "1999-01", "acceptedOn": "2026-11-25"}}, 409, "pledge_outdated"),
        ({"officeId": hospital, "rooms": [{"roomId": leave_id, "stay": True},
                                          {"roomId": stay_id, "stay": True}],
          "pledge": {"version": "2024-04", "acceptedOn": "2099-01-01"}}, 400,
         "invalid_pledge_date"),
        ({"officeId": hospital, "rooms": []}, 400, "invalid_input"),
    ]
    for body, status, code in cases:
        response = await admin.post(path, body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"] == code, (body, response.text)
    office_admin = await sign_in(city.users["station_admin"])
    refused = await office_admin.post(
        path,
        {"officeId": hospital, "rooms": [{"roomId": leave_id, "stay": True},
                                         {"roomId": stay_id, "stay": True}], "pledge": PLEDGE},
    )
    assert refused.status_code == 403
    async with sessionmaker() as s:
        doctor = await s.get(User, doctor_id)
        assert doctor is not None and doctor.office_id == city.offices["home_clinic"]
        assert list(await s.scalars(select(OfficeStay))) == []
        open_stays = list(
            await s.scalars(
                select(RoomMember).where(
                    RoomMember.user_id == doctor_id, RoomMember.left_at.is_(None)
                )
            )
        )
        assert len(open_stays) == 2
    assert await audit_actions(sessionmaker, "admin.user_transferred") == []


async def test_an_office_admin_transferred_becomes_a_member_of_the_new_office(
    city: City, sign_in: SignIn, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    path = f"/api/admin/users/{city.id('station_admin')}/transfer"
    body = {"officeId": str(city.offices["hospital"]), "rooms": [], "pledge": PLEDGE}
    # The station's only システム管理担当者 stays until a successor is named.
    last = await admin.post(path, body)
    assert last.status_code == 409 and last.json()["error"] == "last_system_manager"
    named = await admin.post(
        f"/api/admin/offices/{city.offices['station']}/system-managers",
        {"userId": str(city.id("station_nurse"))},
    )
    assert named.status_code == 200, named.text
    smtp.clear()
    response = await admin.post(path, body)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["role"] == "member"
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ("station-admin@example.jp",)
    assert "システム管理担当者" in mail.subject
    (event,) = [
        e for e in await audit_actions(sessionmaker, "admin.role_changed")
        if e.target_id == str(city.id("station_admin"))
    ]
    assert (event.details["fromRole"], event.details["toRole"]) == ("office_admin", "member")
    changes = (await admin.get(f"/api/admin/users/{city.id('station_admin')}/history")).json()
    role = next(c for c in changes["changes"] if c["field"] == "role")
    assert role["before"] == "事業所のシステム管理担当者" and role["after"] == "システム利用者"


async def test_the_city_corrects_an_office_and_its_staff_rooms_learn_the_new_name(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room_id = (await open_room(admin, city))["id"]
    doctor = await sign_in(city.users["home_doctor"])
    cursor = await drain(doctor)
    office_id = city.offices["station"]
    response = await admin.request(
        "PATCH",
        f"/api/admin/offices/{office_id}",
        {
            "name": "みどり中央訪問看護ステーション",
            "phone": "012-555-7777",
            "kind": "visiting_nurse_station",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["office"]["name"] == "みどり中央訪問看護ステーション"
    fields = {c["field"]: c for c in body["changes"]}
    assert set(fields) == {"name", "phone"}  # the kind was unchanged: no history row
    assert fields["name"]["before"] == "みどり訪問看護ステーション"
    assert {u["loginId"] for u in body["staff"]} == {"station-admin", "station-nurse"}
    nurse_member = members_in(await pull(doctor, cursor), room_id)[str(city.id("station_nurse"))]
    assert nurse_member["officeName"] == "みどり中央訪問看護ステーション"
    assert nurse_member["officePhone"] == "012-555-7777"
    (event,) = await audit_actions(sessionmaker, "admin.office_corrected")
    assert set(event.details["fields"]) == {"name", "phone"}

    for bad in ({}, {"name": ""}, {"kind": "castle"}, {"phone": "call me"}, {"boss": "x"}):
        refused = await admin.request("PATCH", f"/api/admin/offices/{office_id}", bad)
        assert refused.status_code == 400, bad
    office_admin = await sign_in(city.users["station_admin"])
    forbidden = await office_admin.request(
        "PATCH", f"/api/admin/offices/{office_id}", {"name": "勝手な名前"}
    )
    assert forbidden.status_code == 403
    async with sessionmaker() as s:
        office = await s.get(Office, office_id)
        assert office is not None and office.name == "みどり中央訪問看護ステーション"


async def test_a_paper_form_4_1_names_the_new_representative(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    office_id = city.offices["pharmacy"]
    path = f"/api/admin/offices/{office_id}/pledges"
    first = await admin.post(
        path, {"representative": "山口 和夫", "version": "2024-04", "acceptedOn": "2026-10-01"}
    )
    assert first.status_code == 201, first.text
    second = await admin.post(
        path, {"representative": "山口 由美", "version": "2024-04", "acceptedOn": "2026-11-20"}
    )
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["office"]["representative"] == "山口 由美"
    reps = [(c["before"], c["after"]) for c in body["changes"] if c["field"] == "representative"]
    assert reps == [("山口 和夫", "山口 由美"), (None, "山口 和夫")]
    future = await admin.post(
        path, {"representative": "x", "version": "2024-04", "acceptedOn": "2099-01-01"}
    )
    assert future.status_code == 400
    async with sessionmaker() as s:
        pledges = list(await s.scalars(select(Pledge).where(Pledge.office_id == office_id)))
    assert len(pledges) == 2
    assert len(await audit_actions(sessionmaker, "admin.office_pledge_recorded")) == 2


PATIENT_WORDS = ("青木", "アオキ", "ハナ", "石田", "0000012345", "0000055555", "若葉町")


async def test_a_member_who_leaves_rooms_through_a_transfer_is_told_by_mail_without_patients(
    city: City, sign_in: SignIn, smtp: SmtpSink
) -> None:
    admin = await sign_in(city.users["admin"])
    leave_id, stay_id = await two_rooms(admin, city)
    smtp.clear()
    response = await admin.post(
        f"/api/admin/users/{city.id('home_doctor')}/transfer",
        {
            "officeId": str(city.offices["hospital"]),
            "rooms": [{"roomId": leave_id, "stay": False}, {"roomId": stay_id, "stay": True}],
            "pledge": PLEDGE,
        },
    )
    assert response.status_code == 200, response.text
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ("home-doctor@example.jp",)
    assert "参加終了" in mail.subject
    assert "異動" in mail.text
    assert "部屋：若葉-01" in mail.text  # the room left, by its label
    assert "北町-02" not in mail.text  # not the room stayed in
    assert not [word for word in PATIENT_WORDS if word in mail.text], mail.text

    # A transfer that leaves no room sends no such mail.
    smtp.clear()
    back = await admin.post(
        f"/api/admin/users/{city.id('home_doctor')}/transfer",
        {"officeId": str(city.offices["home_clinic"]),
         "rooms": [{"roomId": stay_id, "stay": True}], "pledge": PLEDGE},
    )
    assert back.status_code == 200, back.text
    assert [m for m in smtp.messages if "参加終了" in m.subject] == []
