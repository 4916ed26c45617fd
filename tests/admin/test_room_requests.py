"""Room membership as the manual describes it: an office new to a patient's care asks to join
by naming the patient, any office in a room asks the city to remove a member, and everyone
added or removed is told by mail (the room's label and a link, never the patient).

The asking office learns nothing about rooms it is not in: the answers are the same whether
such a room exists or not.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from server.clock import FrozenClock
from server.settings import Settings
from store.models import Application, RoomMember
from store.models.enums import JobType, Role
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import REQUIRED_TEAM, City, SignIn, consent, patient, team

LABEL = "若葉-3"
PATIENT_WORDS = ("青木", "アオキ", "あおき", "0000012345", "若葉町")


async def pharmacy_admin(sessionmaker: Any, settings: Settings, clock: FrozenClock, city: City
                         ) -> MadeUser:
    """The system manager of ひまわり薬局, an office that is in no room yet."""
    return await make_user(
        sessionmaker,
        settings,
        "pharmacy-admin",
        now=clock.now(),
        name="薬局 管理",
        job_type=JobType.pharmacist,
        role=Role.office_admin,
        office_id=city.offices["pharmacy"],
    )


async def open_room(admin: ApiClient, city: City) -> dict[str, Any]:
    """The room of 青木 ハナ (被保険者番号 0000012345), opened by the city from paper forms."""
    created = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(),
            "members": team(city, *REQUIRED_TEAM),
            "label": LABEL,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def join_by_patient(city: City, *keys: str, **patient_over: Any) -> dict[str, Any]:
    who = {
        "name": "青木　ハナ",  # a full-width space, as people type it
        "birthDate": {"era": "showa", "year": 15, "month": 3, "day": 12},
        "insuredNumber": "0000012345",
    }
    who.update(patient_over)
    return {
        "kind": "roomJoin",
        "payload": {
            "patient": who,
            "members": [{"userId": str(city.id(k)), "permission": "read"} for k in keys],
            "note": "服薬管理を始めるため",
        },
    }


def without_patient_data(mail_text: str) -> bool:
    return not any(word in mail_text for word in PATIENT_WORDS)


async def applications_count(sessionmaker: Any) -> int:
    async with sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(Application)) or 0)


async def test_an_office_new_to_the_patient_joins_by_naming_the_patient(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    smtp: SmtpSink,
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    pharmacy = await sign_in(await pharmacy_admin(sessionmaker, settings, clock, city))
    smtp.clear()

    asked = await pharmacy.post("/api/applications", join_by_patient(city, "pharmacist"))
    assert asked.status_code == 201, asked.text
    application = asked.json()
    assert application["kindLabel"] == "部屋への参加依頼"
    assert application["room"] is None  # nothing about the room reaches the office
    assert application["payload"]["patient"] == {
        "name": "青木　ハナ",
        "birthDate": "1940-03-12",
        "birthDateEra": application["payload"]["patient"]["birthDateEra"],
        "insuredNumber": "0000012345",
    }
    assert application["payload"]["patient"]["birthDateEra"]["text"] == "昭和15年3月12日"
    assert [u["loginId"] for u in application["users"]] == ["pharmacist"]
    assert (await pharmacy.get("/api/office/rooms")).json() == []

    # The city finds the room from the patient's details and must choose it explicitly.
    inbox = (await admin.get("/api/admin/applications", params={"kind": "roomJoin"})).json()
    assert [a["id"] for a in inbox] == [application["id"]]
    found = await admin.get(f"/api/admin/applications/{application['id']}/room-candidates")
    assert found.status_code == 200, found.text
    (candidate,) = found.json()
    assert candidate["room"]["id"] == room["id"] and candidate["room"]["label"] == LABEL
    assert candidate["matched"] == ["insuredNumber", "nameAndBirthDate"]
    assert candidate["birthDateEra"]["text"] == "昭和15年3月12日"
    assert candidate["memberCount"] == 3
    assert "みどり訪問看護ステーション" in candidate["offices"]
    unchosen = await admin.post(f"/api/admin/applications/{application['id']}/approve")
    assert unchosen.status_code == 400 and unchosen.json()["error"] == "room_choice_needed"
    elsewhere = await admin.post(
        f"/api/admin/applications/{application['id']}/approve", {"roomId": str(uuid.uuid4())}
    )
    assert elsewhere.status_code == 404 and elsewhere.json()["error"] == "room_not_found"
    still = (await admin.get(f"/api/admin/applications/{application['id']}")).json()
    assert still["state"] == "submitted"

    approved = await admin.post(
        f"/api/admin/applications/{application['id']}/approve", {"roomId": room["id"]}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["room"]["id"] == room["id"]
    detail = (await admin.get(f"/api/admin/rooms/{room['id']}")).json()
    added = next(m for m in detail["members"] if m["user"]["loginId"] == "pharmacist")
    assert added["permission"] == "read"

    # The new member and the applicant are told: the room's label and a link, no patient.
    smtp.wait_for(2)
    (told,) = smtp.messages_to("pharmacist@example.jp")
    assert "参加" in told.subject
    assert LABEL in told.text and "閲覧のみ" in told.text
    assert SmtpSink.links(told) == [f"http://localhost:8000/#/rooms/{room['id']}"]
    (notice,) = smtp.messages_to("pharmacy-admin@example.jp")
    assert "承認" in notice.subject
    for mail in (told, notice):
        assert without_patient_data(mail.text), mail.text
        assert without_patient_data(mail.subject)

    # Now the office is in the room: it sees it, and the pharmacist's device gets it.
    assert [r["id"] for r in (await pharmacy.get("/api/office/rooms")).json()] == [room["id"]]
    pharmacist = await sign_in(city.users["pharmacist"])
    pulled = await pharmacist.post("/api/sync/pull", {"cursor": None})
    assert pulled.status_code == 200 and room["id"] in pulled.json()["rooms"]


async def test_the_asking_office_learns_nothing_about_rooms_it_is_not_in(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    pharmacy = await sign_in(await pharmacy_admin(sessionmaker, settings, clock, city))

    def shape(response: httpx.Response) -> dict[str, Any]:
        """The answer without what differs by construction (ids, times, the words typed)."""
        body = dict(response.json())
        for key in ("id", "createdAt", "updatedAt", "payload", "users", "subjectUser"):
            body.pop(key, None)
        body["history"] = [{**h, "at": None} for h in body["history"]]
        return {"status": response.status_code, **body}

    # Naming a patient who has a room, and one who has none: the same answer.
    real = await pharmacy.post("/api/applications", join_by_patient(city, "pharmacist"))
    invented = await pharmacy.post(
        "/api/applications",
        join_by_patient(city, "pharmacist", name="存在 しない", insuredNumber="0000099999"),
    )
    assert real.status_code == invented.status_code == 201
    assert shape(real) == shape(invented)
    mine = (await pharmacy.get("/api/applications")).json()
    assert all(a["room"] is None for a in mine)
    # The city sees the difference; the office does not.
    candidates = [
        (await admin.get(f"/api/admin/applications/{a['id']}/room-candidates")).json()
        for a in (real.json(), invented.json())
    ]
    assert [len(c) for c in candidates] == [1, 0]

    # A room it is not in is "not found", exactly like a room that does not exist.
    missing = str(uuid.uuid4())
    probes: list[tuple[str, str, Any]] = [
        ("POST", "/api/applications", {"kind": "roomJoin", "payload": {
            "roomId": "{room}", "members": [{"userId": str(city.id("pharmacist"))}]}}),
        ("POST", "/api/applications", {"kind": "roomClose", "payload": {
            "roomId": "{room}", "reason": "death"}}),
        ("POST", "/api/applications", {"kind": "memberRemove", "payload": {
            "roomId": "{room}", "userId": str(city.id("station_nurse")), "reason": "退院"}}),
        ("GET", "/api/office/rooms/{room}/members", None),
    ]
    before = await applications_count(sessionmaker)
    for method, path, body in probes:
        answers = []
        for target in (room["id"], missing):
            filled_path = path.replace("{room}", target)
            filled = None
            if body is not None:
                filled = {**body, "payload": {
                    k: (target if v == "{room}" else v) for k, v in body["payload"].items()}}
            answers.append(await pharmacy.request(method, filled_path, filled))
        assert [a.status_code for a in answers] == [404, 404], (path, [a.text for a in answers])
        assert answers[0].json() == answers[1].json() == {
            "error": "room_not_found", "message": "部屋が見つかりません。"}
    assert await applications_count(sessionmaker) == before


async def test_joining_a_room_the_office_is_in_and_the_refusals(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    station = await sign_in(city.users["station_admin"])

    def join(*members: dict[str, Any], **payload: Any) -> dict[str, Any]:
        return {"kind": "roomJoin", "payload": {"members": list(members), **payload}}

    me = {"userId": str(city.id("station_admin")), "permission": "write"}
    before = await applications_count(sessionmaker)
    refusals: list[tuple[dict[str, Any], int, str]] = [
        # another office's person
        (join({"userId": str(city.id("pharmacist"))}, roomId=room["id"]), 403, "other_office"),
        # both the room and the patient, or neither
        (join(me, roomId=room["id"], patient={"name": "青木 ハナ", "birthDate": "1940-03-12"}),
         400, "room_or_patient"),
        (join(me), 400, "room_or_patient"),
        # nobody, a bad permission, an unknown field, a date of birth in the future
        (join(roomId=room["id"]), 400, "invalid_payload"),
        (join({**me, "permission": "admin"}, roomId=room["id"]), 400, "invalid_payload"),
        (join(me, roomId=room["id"], extra=1), 400, "invalid_payload"),
        (join(me, patient={"name": "青木 ハナ", "birthDate": "2099-01-01"}), 400,
         "invalid_birth_date"),
        # someone already in the room (the office is in it: it may know)
        (join({"userId": str(city.id("station_nurse"))}, roomId=room["id"]), 409,
         "already_member"),
    ]
    for body, status, code in refusals:
        response = await station.post("/api/applications", body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"] == code, (body, response.text)
    assert await applications_count(sessionmaker) == before

    # A person of its own office into a room it is in: named by the room, approved.
    asked = await station.post("/api/applications", join(me, roomId=room["id"]))
    assert asked.status_code == 201, asked.text
    assert asked.json()["room"]["id"] == room["id"]
    assert asked.json()["subjectUser"]["loginId"] == "station-admin"
    again = await station.post("/api/applications", join(me, roomId=room["id"]))
    assert again.status_code == 409 and again.json()["error"] == "duplicate_application"
    other_room = await admin.post(
        f"/api/admin/applications/{asked.json()['id']}/approve", {"roomId": str(uuid.uuid4())}
    )
    assert other_room.status_code == 400 and other_room.json()["error"] == "room_fixed"
    smtp.clear()
    approved = await admin.post(f"/api/admin/applications/{asked.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    mails = smtp.wait_for(2)
    assert {m.rcpt_tos[0] for m in mails} == {"station-admin@example.jp"}
    assert all(without_patient_data(m.text) for m in mails)

    # Wrong roles: a member and the city cannot file an office's request.
    nurse = await sign_in(city.users["station_nurse"])
    for api, code in ((nurse, "office_admin_only"), (admin, "office_admin_only")):
        refused = await api.post("/api/applications", join(me, roomId=room["id"]))
        assert refused.status_code == 403 and refused.json()["error"] == code
    # Choosing a room is for room-join requests only.
    stop = await station.post("/api/applications", {"kind": "idStop", "payload": {
        "userId": str(city.id("station_nurse")), "reason": "退職", "date": "2026-11-26"}})
    wrong = await admin.post(
        f"/api/admin/applications/{stop.json()['id']}/approve", {"roomId": room["id"]}
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "not_room_join"


async def test_an_office_in_the_room_asks_the_city_to_remove_a_member(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    care = await sign_in(city.users["care_admin"])  # its care manager is in the room

    # What the form shows: the room's members by name, job type and office, no login IDs.
    members = await care.get(f"/api/office/rooms/{room['id']}/members")
    assert members.status_code == 200, members.text
    by_name = {m["name"]: m for m in members.json()}
    assert set(by_name) == {"高橋 誠", "鈴木 真理子", "佐藤 美香"}
    assert by_name["鈴木 真理子"]["officeName"] == "みどり訪問看護ステーション"
    assert by_name["鈴木 真理子"]["jobTypeLabel"] == "看護師"
    assert by_name["佐藤 美香"]["ownOffice"] is True
    assert by_name["鈴木 真理子"]["ownOffice"] is False
    assert "loginId" not in by_name["鈴木 真理子"] and "email" not in by_name["鈴木 真理子"]

    def removal(user_key: str, reason: Any = "訪問看護の終了（担当交代）") -> dict[str, Any]:
        return {"kind": "memberRemove", "payload": {
            "roomId": room["id"], "userId": str(city.id(user_key)), "reason": reason}}

    before = await applications_count(sessionmaker)
    for body, status, code in (
        (removal("pharmacist"), 404, "not_member"),  # not in the room
        (removal("station_nurse", ""), 400, "invalid_payload"),
        (removal("station_nurse", "   "), 400, "invalid_payload"),
        ({"kind": "memberRemove", "payload": {"roomId": room["id"], "userId": "x",
                                               "reason": "x"}}, 400, "invalid_payload"),
    ):
        response = await care.post("/api/applications", body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"] == code
    nurse = await sign_in(city.users["station_nurse"])
    refused = await nurse.post("/api/applications", removal("station_nurse"))
    assert refused.status_code == 403 and refused.json()["error"] == "office_admin_only"
    assert await applications_count(sessionmaker) == before

    # Another office's nurse: the care manager's office may ask; the city decides.
    asked = await care.post("/api/applications", removal("station_nurse"))
    assert asked.status_code == 201, asked.text
    assert asked.json()["kindLabel"] == "部屋の参加者の削除依頼"
    subject = asked.json()["subjectUser"]
    # Another office's person, as the office sees her: name, job type, office; no login ID.
    assert (subject["name"], subject["officeName"]) == ("鈴木 真理子", "みどり訪問看護ステーション")
    assert subject["loginId"] == ""
    assert asked.json()["room"]["id"] == room["id"]
    twice = await care.post("/api/applications", removal("station_nurse"))
    assert twice.status_code == 409 and twice.json()["error"] == "duplicate_application"
    inbox = (await admin.get("/api/admin/applications", params={"kind": "memberRemove"})).json()
    assert [a["id"] for a in inbox] == [asked.json()["id"]]
    assert inbox[0]["payload"]["reason"] == "訪問看護の終了（担当交代）"

    smtp.clear()
    approved = await admin.post(f"/api/admin/applications/{asked.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    async with sessionmaker() as s:
        stay = await s.scalar(
            select(RoomMember).where(
                RoomMember.room_id == uuid.UUID(room["id"]),
                RoomMember.user_id == city.id("station_nurse"),
            )
        )
    assert stay is not None and stay.left_at is not None and stay.left_reason == "removed"
    smtp.wait_for(2)
    (told,) = smtp.messages_to("station-nurse@example.jp")
    assert "参加終了" in told.subject and LABEL in told.text
    assert without_patient_data(told.text)
    (notice,) = smtp.messages_to("care-admin@example.jp")
    assert "承認" in notice.subject and without_patient_data(notice.text)
    # Her device is told to purge the room at its next pull.
    pulled = await nurse.post("/api/sync/pull", {"cursor": None})
    assert room["id"] not in pulled.json()["rooms"]

    # Its own care manager: asked, and this time the city rejects it.
    own = await care.post("/api/applications", removal("care_manager", "担当の交代"))
    assert own.status_code == 201, own.text
    rejected = await admin.post(
        f"/api/admin/applications/{own.json()['id']}/reject",
        {"reason": "後任のケアマネジャーの参加後に外します。"},
    )
    assert rejected.status_code == 200
    detail = (await admin.get(f"/api/admin/rooms/{room['id']}")).json()
    assert "care-manager" in {m["user"]["loginId"] for m in detail["members"]}


async def test_the_city_adding_removing_and_opening_tells_each_person_by_mail(
    city: City, sign_in: SignIn, smtp: SmtpSink
) -> None:
    admin = await sign_in(city.users["admin"])
    smtp.clear()
    room = await open_room(admin, city)  # from paper forms
    mails = smtp.wait_for(3)
    assert {m.rcpt_tos[0] for m in mails} == {
        "home-doctor@example.jp", "station-nurse@example.jp", "care-manager@example.jp"}
    for mail in mails:
        assert "新しく作成された" in mail.text and LABEL in mail.text
        assert SmtpSink.links(mail) == [f"http://localhost:8000/#/rooms/{room['id']}"]
        assert without_patient_data(mail.text)

    smtp.clear()
    added = await admin.post(
        f"/api/admin/rooms/{room['id']}/members", {"userId": str(city.id("hospital_nurse"))}
    )
    assert added.status_code == 201
    (joined,) = smtp.wait_for(1)
    assert joined.rcpt_tos == ("hospital-nurse@example.jp",) and "閲覧・書込" in joined.text
    smtp.clear()
    removed = await admin.delete(
        f"/api/admin/rooms/{room['id']}/members/{city.id('hospital_nurse')}"
    )
    assert removed.status_code == 200
    (left,) = smtp.wait_for(1)
    assert left.rcpt_tos == ("hospital-nurse@example.jp",) and "参加終了" in left.subject
    assert without_patient_data(joined.text) and without_patient_data(left.text)

    # Without a label, mails call the room by its number, still never by the patient.
    unlabelled = await admin.post(
        "/api/admin/rooms",
        {"patient": patient(name="森 トメ", nameKana="モリ トメ", insuredNumber="0000054321"),
         "consent": consent(), "members": team(city, *REQUIRED_TEAM)},
    )
    assert unlabelled.status_code == 201
    numbered = [m for m in smtp.wait_for(4) if "新しく作成された" in m.text]
    assert numbered and all("部屋番号" in m.text and "森" not in m.text for m in numbered)
