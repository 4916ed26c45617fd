"""Applications: office admins act for their own office; submitted → approved | rejected |
withdrawn, and nothing else; approval carries the request out."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from store.models import Application, ApplicationEvent, Pledge, RoomMember, User
from store.models.enums import UserStatus
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import REQUIRED_TEAM, City, SignIn, consent, patient, team

PLEDGE = {"representative": "管理者 木村 祐介", "version": "2024-04", "accepted": True}
STAFF_PLEDGE = {"version": "2024-04", "accepted": True}


def care_manager_application(**over: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": "山本 さくら",
        "nameKana": "ヤマモト サクラ",
        "email": "yamamoto@care.example.jp",
        "phone": "012-555-0166",
        "officePledge": PLEDGE,
        "staffPledge": STAFF_PLEDGE,
    }
    payload.update(over)
    return {"kind": "idCareManager", "payload": payload}


async def submit(api: ApiClient, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = await api.post("/api/applications", body)
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_state_machine_refuses_illegal_moves_with_a_clear_409(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink
) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    first = await submit(office, care_manager_application())
    second = await submit(office, care_manager_application(name="小川 葵", email="o@x.example.jp"))

    approved = await admin.post(f"/api/admin/applications/{first['id']}/approve")
    assert approved.status_code == 200, approved.text
    twice = await admin.post(f"/api/admin/applications/{first['id']}/approve")
    assert twice.status_code == 409
    assert twice.json()["error"] == "application_not_submitted"
    assert twice.json()["state"] == "approved"
    assert "すでに承認" in twice.json()["message"]
    english = await admin.post(
        f"/api/admin/applications/{first['id']}/reject",
        {"reason": "x"},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 409
    assert english.json()["message"] == (
        "This application has already been approved; it cannot be rejected."
    )

    withdrawn = await office.post(f"/api/applications/{second['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "withdrawn"
    late = await admin.post(f"/api/admin/applications/{second['id']}/approve")
    assert late.status_code == 409
    assert late.json()["state"] == "withdrawn"
    assert "取り下げ" in late.json()["message"]
    again = await office.post(f"/api/applications/{second['id']}/withdraw")
    assert again.status_code == 409

    async with sessionmaker() as s:
        issued = list(await s.scalars(select(User).where(User.name == "小川 葵")))
        events = list(
            await s.scalars(
                select(ApplicationEvent.action)
                .where(ApplicationEvent.application_id == uuid.UUID(first["id"]))
                .order_by(ApplicationEvent.at)
            )
        )
    assert issued == []  # the withdrawn one issued nothing
    assert events == ["submitted", "approved"]


async def test_rejection_needs_a_reason_and_mails_it(
    city: City, sign_in: SignIn, smtp: SmtpSink
) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    application = await submit(office, care_manager_application())
    path = f"/api/admin/applications/{application['id']}/reject"
    for body in (None, {}, {"reason": ""}, {"reason": "   "}):
        refused = await admin.post(path, body)
        assert refused.status_code == 400, (body, refused.text)
    still = await admin.get(f"/api/admin/applications/{application['id']}")
    assert still.json()["state"] == "submitted"

    smtp.clear()
    rejected = await admin.post(path, {"reason": "誓約書の代表者名が事業所の登録と一致しません。"})
    assert rejected.status_code == 200
    assert rejected.json()["reason"] == "誓約書の代表者名が事業所の登録と一致しません。"
    assert [h["action"] for h in rejected.json()["history"]] == ["submitted", "rejected"]
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ("care-admin@example.jp",)
    assert "却下" in mail.subject
    assert "誓約書の代表者名が事業所の登録と一致しません。" in mail.text


async def test_care_manager_id_is_issued_on_approval_with_an_activation_mail(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink, anonymous: ApiClient
) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    application = await submit(office, care_manager_application())
    assert application["forms"] == ["2-2C", "4-1", "4-2"]
    assert application["office"]["name"] == "みどりケアプランセンター"
    async with sessionmaker() as s:
        pledges = {
            p.form: p
            for p in await s.scalars(
                select(Pledge).where(Pledge.application_id == uuid.UUID(application["id"]))
            )
        }
    assert pledges["4-1"].signer_name == "管理者 木村 祐介" and pledges["4-1"].user_id is None
    # The care manager's own 様式4-2, signed at the office (the original stays there).
    assert pledges["4-2"].signer_name == "山本 さくら" and pledges["4-2"].version == "2024-04"

    smtp.clear()
    approved = await admin.post(f"/api/admin/applications/{application['id']}/approve")
    assert approved.status_code == 200
    person = approved.json()["subjectUser"]
    assert person["status"] == "pending" and person["jobType"] == "care_manager"
    assert person["loginId"].startswith("cb")
    mails = smtp.wait_for(2)
    issued = smtp.messages_to("yamamoto@care.example.jp")[0]
    assert person["loginId"] in issued.text
    (link,) = SmtpSink.links(issued)
    assert link.startswith("http://localhost:8000/activate/")
    assert any(m.rcpt_tos == ("care-admin@example.jp",) and "承認" in m.subject for m in mails)

    token = link.rsplit("/", 1)[1]
    described = await anonymous.get(f"/api/activation/{token}")
    assert described.json()["loginId"] == person["loginId"]
    done = await anonymous.post(
        f"/api/activation/{token}", {"password": "ケアプランを毎月見直す大切さ"}
    )
    assert done.status_code == 200, done.text
    async with sessionmaker() as s:
        user = await s.get(User, uuid.UUID(person["id"]))
        own = await s.scalar(select(Pledge).where(Pledge.user_id == uuid.UUID(person["id"])))
    assert user is not None and user.status == UserStatus.active
    # The 4-2 is now hers: the ledger shows the day she pledged.
    assert own is not None and own.form == "4-2"
    row = (await admin.get(f"/api/admin/users/{person['id']}")).json()["user"]
    assert row["pledgedAt"] is not None


async def test_the_pledge_must_be_accepted_in_the_current_version(
    city: City, sign_in: SignIn
) -> None:
    office = await sign_in(city.users["care_admin"])
    refused = await submit(
        office, care_manager_application(officePledge={**PLEDGE, "accepted": False}), 400
    )
    assert refused["error"] == "pledge_not_accepted"
    old = await submit(
        office, care_manager_application(officePledge={**PLEDGE, "version": "2019-01"}), 409
    )
    assert old["error"] == "pledge_outdated" and old["currentVersion"] == "2024-04"
    missing = await submit(office, care_manager_application(officePledge=None), 400)
    assert missing["error"] == "pledge_not_accepted"
    # The care manager's own pledge (様式4-2) is part of the 2-2C registration too.
    for staff in (None, {**STAFF_PLEDGE, "accepted": False}):
        unsigned = await submit(office, care_manager_application(staffPledge=staff), 400)
        assert unsigned["error"] == "staff_pledge_not_accepted"
        assert "様式4-2" in unsigned["message"]
    stale = await submit(
        office, care_manager_application(staffPledge={**STAFF_PLEDGE, "version": "2019-01"}), 409
    )
    assert stale["error"] == "pledge_outdated"
    nurse = await submit(office, care_manager_application(jobType="nurse"), 400)
    assert nurse["error"] == "not_care_manager"


async def test_bad_payloads_are_400_and_store_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    office = await sign_in(city.users["care_admin"])
    for body in (
        {"kind": "idInvited", "payload": {}},
        {
            "kind": "idStop",
            "payload": {"userId": "not-a-uuid", "reason": "x", "date": "2026-12-01"},
        },
        {"kind": "idStop", "payload": {"reason": "x", "date": "2026-12-01"}},
        {"kind": "roomOpen", "payload": {"patient": patient(), "extra": 1}},
        {"kind": "roomClose", "payload": {"roomId": str(uuid.uuid4()), "reason": "bored"}},
        {"kind": "idCareManager"},
    ):
        response = await office.post("/api/applications", body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["message"]
    async with sessionmaker() as s:
        assert list(await s.scalars(select(Application))) == []


async def test_office_admins_act_only_for_their_own_office(city: City, sign_in: SignIn) -> None:
    station = await sign_in(city.users["station_admin"])
    care = await sign_in(city.users["care_admin"])
    other = await station.post(
        "/api/applications",
        {
            "kind": "idStop",
            "payload": {
                "userId": str(city.id("care_manager")),
                "reason": "退職",
                "date": "2026-12-01",
            },
        },
    )
    assert other.status_code == 403
    assert other.json()["error"] == "other_office"
    own = await submit(
        station,
        {
            "kind": "idStop",
            "payload": {
                "userId": str(city.id("station_nurse")),
                "reason": "退職",
                "date": "2026-12-01",
            },
        },
    )
    duplicate = await station.post(
        "/api/applications",
        {
            "kind": "idStop",
            "payload": {
                "userId": str(city.id("station_nurse")),
                "reason": "退職",
                "date": "2026-12-01",
            },
        },
    )
    assert duplicate.status_code == 409
    mine = await care.get("/api/applications")
    assert mine.status_code == 200 and mine.json() == []
    assert len((await station.get("/api/applications")).json()) == 1
    stolen = await care.post(f"/api/applications/{own['id']}/withdraw")
    assert stolen.status_code == 403
    staff = await station.get("/api/office/staff")
    assert {u["loginId"] for u in staff.json()["users"]} == {"station-admin", "station-nurse"}

    member = await sign_in(city.users["station_nurse"])
    assert (await member.get("/api/applications")).status_code == 403
    assert (await member.post("/api/applications", care_manager_application())).status_code == 403
    admin = await sign_in(city.users["admin"])
    assert (await admin.post("/api/applications", care_manager_application())).status_code == 403


async def test_room_open_join_and_close_by_application(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink, clock: FrozenClock
) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    incomplete = await office.post(
        "/api/applications",
        {
            "kind": "roomOpen",
            "payload": {
                "patient": patient(),
                "members": team(city, "station_nurse", "care_manager"),
            },
        },
    )
    assert incomplete.status_code == 409
    assert [m["code"] for m in incomplete.json()["missing"]] == ["consent", "doctor"]

    requested = await submit(
        office,
        {
            "kind": "roomOpen",
            "payload": {
                "patient": patient(),
                "consent": consent(),
                "members": team(city, *REQUIRED_TEAM),
                "reportTitles": ["連絡事項", {"name": "バイタル", "vitals": True}],
                "requester": {"representative": "管理者 木村 祐介", "systemManager": "木村 祐介"},
            },
        },
    )
    assert requested["payload"]["patient"]["birthDate"] == "1940-03-12"
    assert requested["payload"]["patient"]["birthDateEra"]["text"] == "昭和15年3月12日"
    # The office sees the proposed members by name, job type and office; login IDs only of
    # its own staff (様式6 needs nothing to sign in with).
    assert {(u["name"], u["jobTypeLabel"], u["loginId"]) for u in requested["users"]} == {
        ("高橋 誠", "医師", ""),
        ("鈴木 真理子", "看護師", ""),
        ("佐藤 美香", "介護支援専門員", "care-manager"),
    }
    inbox = await admin.get("/api/admin/applications", params={"state": "submitted"})
    assert [a["id"] for a in inbox.json()] == [requested["id"]]

    smtp.clear()
    created = await admin.post(
        "/api/admin/rooms",
        {
            "applicationId": requested["id"],
            "label": "若葉-3",
            "members": team(city, *REQUIRED_TEAM, "pharmacist"),
        },
    )
    assert created.status_code == 201, created.text
    room = created.json()
    assert room["applicationId"] == requested["id"]
    assert room["label"] == "若葉-3"
    assert len(room["members"]) == 4
    assert [t["name"] for t in room["reportTitles"]] == ["連絡事項", "バイタル"]
    mails = smtp.wait_for(5)  # the applicant, and each of the four members
    (mail,) = smtp.messages_to("care-admin@example.jp")
    assert "部屋作成完了" in mail.subject and "若葉-3" in mail.text and "青木" not in mail.text
    told = {m.rcpt_tos[0] for m in mails if "参加" in m.subject}
    assert told == {
        "home-doctor@example.jp",
        "station-nurse@example.jp",
        "care-manager@example.jp",
        "pharmacist@example.jp",
    }
    for member_mail in mails:
        assert "青木" not in member_mail.text and "アオキ" not in member_mail.text
    shown = await admin.get(f"/api/admin/applications/{requested['id']}")
    assert shown.json()["state"] == "approved" and shown.json()["room"]["id"] == room["id"]
    assert (
        await admin.post(f"/api/admin/applications/{requested['id']}/approve")
    ).status_code == 409

    join = await submit(
        office,
        {
            "kind": "roomJoin",
            "payload": {
                "roomId": room["id"],
                "members": [{"userId": str(city.id("care_admin")), "permission": "read"}],
            },
        },
    )
    joined = await admin.post(f"/api/admin/applications/{join['id']}/approve")
    assert joined.status_code == 200
    async with sessionmaker() as s:
        stay = await s.scalar(
            select(RoomMember).where(
                RoomMember.room_id == uuid.UUID(room["id"]),
                RoomMember.user_id == city.id("care_admin"),
            )
        )
    assert stay is not None and stay.permission == "read" and stay.left_at is None

    station = await sign_in(city.users["station_admin"])
    closing = await submit(
        station,
        {"kind": "roomClose", "payload": {"roomId": room["id"], "reason": "death"}},
    )
    smtp.clear()
    closed = await admin.post(f"/api/admin/applications/{closing['id']}/approve")
    assert closed.status_code == 200
    detail = await admin.get(f"/api/admin/rooms/{room['id']}")
    assert detail.json()["status"] == "closed" and detail.json()["closedReason"] == "death"
    smtp.wait_for(6)  # five members, and the applicant
    rooms = await station.get("/api/office/rooms")
    assert rooms.json()[0]["status"] == "closed"


async def test_the_inbox_is_sorted_oldest_first_with_full_history(
    city: City, sign_in: SignIn, clock: FrozenClock, sessionmaker: Any
) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    newer = await submit(office, care_manager_application(name="二番 目", email="b@x.example.jp"))
    older = await submit(office, care_manager_application(name="一番 目", email="a@x.example.jp"))
    async with sessionmaker() as s:  # filed on earlier days (sessions would not last that long)
        for application_id, days in ((newer["id"], 1), (older["id"], 3)):
            row = await s.get(Application, uuid.UUID(application_id))
            row.created_at = clock.now() - timedelta(days=days, minutes=5)
        await s.commit()
    inbox = (await admin.get("/api/admin/applications?state=submitted")).json()
    assert [a["id"] for a in inbox] == [older["id"], newer["id"]]
    assert [a["ageDays"] for a in inbox] == [3, 1]
    assert inbox[0]["payload"]["name"] == "一番 目"
    assert inbox[0]["history"][0]["action"] == "submitted"
    assert inbox[0]["history"][0]["actorName"] == "木村 祐介"
    bad = await admin.get("/api/admin/applications?state=lost")
    assert bad.status_code == 400
