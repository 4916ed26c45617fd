"""Rooms: the composition rule, professionals only, sync changes, members, titles, closing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from server.clock import FrozenClock
from store.models import ChangeLog, Patient, Post, ReportTitle, Room, RoomMember, User
from store.models.enums import PostKind
from sync.changes import EntityType, Op, record_change
from tests.support.smtp import SmtpSink

from .conftest import REQUIRED_TEAM, City, SignIn, consent, patient, team


async def open_room(admin: Any, city: City, **over: Any) -> dict[str, Any]:
    body = {
        "patient": patient(),
        "consent": consent(),
        "members": team(city, *REQUIRED_TEAM),
        "label": "若葉-01",
    }
    body.update(over)
    response = await admin.post("/api/admin/rooms", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def membership_versions(sessionmaker: Any, *ids: uuid.UUID) -> list[int]:
    async with sessionmaker() as s:
        return [int((await s.get(User, i)).membership_version) for i in ids]


async def test_a_room_opens_with_patient_consent_members_and_titles_recorded_for_sync(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    before = await membership_versions(sessionmaker, *(city.id(k) for k in REQUIRED_TEAM))
    room = await open_room(admin, city)

    assert room["status"] == "open"
    assert room["patient"]["birthDate"] == "1940-03-12"  # 昭和15年3月12日
    assert room["patient"]["birthDateEra"]["text"] == "昭和15年3月12日"
    assert room["patient"]["careLevelLabel"] == "要介護3"
    assert room["consent"]["signedBy"] == "proxy"
    assert room["consent"]["proxyRelationship"] == "長男"
    assert {m["user"]["loginId"] for m in room["members"]} == {
        "home-doctor",
        "station-nurse",
        "care-manager",
    }
    assert [t["name"] for t in room["reportTitles"]][:2] == ["連絡事項", "バイタル"]
    assert room["missing"] == []
    assert "posts" not in room

    room_id = uuid.UUID(room["id"])
    async with sessionmaker() as s:
        log = list(
            await s.scalars(
                select(ChangeLog).where(ChangeLog.room_id == room_id).order_by(ChangeLog.version)
            )
        )
        stored = await s.get(Room, room_id)
        members = list(await s.scalars(select(RoomMember).where(RoomMember.room_id == room_id)))
        titles = list(await s.scalars(select(ReportTitle).where(ReportTitle.room_id == room_id)))
    kinds = [c.entity_type for c in log]
    assert kinds[:2] == ["room", "patient"]
    assert kinds.count("member") == 3
    assert kinds.count("reportTitle") == len(titles) == 6
    assert [c.version for c in log] == list(range(1, len(log) + 1))
    assert stored is not None and stored.version == len(log)
    # Each row carries the version at which it last changed, so a pull can serve it.
    logged = {c.entity_id: c.version for c in log}
    assert all(m.version == logged[str(m.id)] for m in members)
    assert all(t.version == logged[str(t.id)] for t in titles)
    after = await membership_versions(sessionmaker, *(city.id(k) for k in REQUIRED_TEAM))
    assert all(a == b + 1 for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize(
    ("keys", "with_consent", "missing"),
    [
        (("station_nurse", "care_manager"), True, ["doctor"]),
        (("clinic_doctor", "care_manager"), True, ["visitingDoctorOrNurse"]),
        (("clinic_doctor", "hospital_nurse", "care_manager"), True, ["visitingDoctorOrNurse"]),
        (("home_doctor", "station_nurse"), True, ["careManager"]),
        (("home_doctor", "care_manager"), True, []),  # a visiting doctor is also a doctor
        (("clinic_doctor", "station_nurse", "care_manager"), False, ["consent"]),
        (("pharmacist",), False, ["consent", "doctor", "visitingDoctorOrNurse", "careManager"]),
    ],
)
async def test_the_room_rule_names_exactly_what_is_missing(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    keys: tuple[str, ...],
    with_consent: bool,
    missing: list[str],
) -> None:
    admin = await sign_in(city.users["admin"])
    body: dict[str, Any] = {"patient": patient(), "members": team(city, *keys)}
    if with_consent:
        body["consent"] = consent()
    response = await admin.post("/api/admin/rooms", body)
    if not missing:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 409, response.text
    answer = response.json()
    assert answer["error"] == "room_requirements_missing"
    assert [m["code"] for m in answer["missing"]] == missing
    assert all(m["ja"] in answer["message"] for m in answer["missing"])
    async with sessionmaker() as s:
        assert list(await s.scalars(select(Room))) == []
        assert list(await s.scalars(select(Patient))) == []


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [("admin", 400, "admin"), ("operator", 400, "admin"), ("city_staff", 400, "notProfessional")],
)
async def test_only_professionals_can_be_members(
    city: City, sign_in: SignIn, key: str, status: int, code: str
) -> None:
    admin = await sign_in(city.users["admin"])
    response = await admin.post(
        "/api/admin/rooms",
        {"patient": patient(), "consent": consent(), "members": team(city, *REQUIRED_TEAM, key)},
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == "members_not_eligible"
    refused = response.json()["refused"]
    assert [(r["userId"], r["code"]) for r in refused] == [(str(city.id(key)), code)]
    assert refused[0]["ja"] in response.json()["message"]

    room = await open_room(admin, city)
    added = await admin.post(
        f"/api/admin/rooms/{room['id']}/members", {"userId": str(city.id(key))}
    )
    assert added.status_code == status
    assert [r["code"] for r in added.json()["refused"]] == [code]


async def test_an_unknown_user_or_a_pending_one_is_refused(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    stranger = str(uuid.uuid4())
    response = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(),
            "members": [*team(city, *REQUIRED_TEAM), {"userId": stranger}],
        },
    )
    assert response.status_code == 400
    assert response.json()["refused"][0]["code"] == "unknown"
    async with sessionmaker() as s:
        nurse = await s.get(User, city.id("hospital_nurse"))
        nurse.status = "pending"
        await s.commit()
    room = await open_room(admin, city)
    added = await admin.post(
        f"/api/admin/rooms/{room['id']}/members", {"userId": str(city.id("hospital_nurse"))}
    )
    assert added.status_code == 409
    assert added.json()["refused"][0]["code"] == "pending"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("birthDate", {"era": "showa", "year": 64, "month": 2, "day": 1}, "invalid_birth_date"),
        ("birthDate", {"era": "heisei", "year": 31, "month": 2, "day": 30}, "invalid_birth_date"),
        ("birthDate", "2030-01-01", "invalid_birth_date"),
        ("birthDate", {"era": "taisho", "year": 0, "month": 1, "day": 1}, "invalid_input"),
        ("careLevel", "care_6", "invalid_input"),
        ("insuredNumber", "12345", "invalid_input"),
        ("nameKana", "aoki hana", "invalid_input"),
    ],
)
async def test_bad_patient_details_are_a_clear_400_and_change_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any, field: str, value: Any, code: str
) -> None:
    admin = await sign_in(city.users["admin"])
    response = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(**{field: value}),
            "consent": consent(),
            "members": team(city, *REQUIRED_TEAM),
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == code
    assert response.json()["message"]
    async with sessionmaker() as s:
        assert list(await s.scalars(select(Room))) == []


async def test_western_and_era_dates_of_birth_agree(city: City, sign_in: SignIn) -> None:
    admin = await sign_in(city.users["admin"])
    era = await open_room(
        admin, city, patient=patient(birthDate={"era": "reiwa", "year": 1, "month": 5, "day": 1})
    )
    assert era["patient"]["birthDate"] == "2019-05-01"
    assert era["patient"]["birthDateEra"]["text"] == "令和元年5月1日"
    western = await open_room(
        admin,
        city,
        patient=patient(name="木村 一", birthDate="1989-01-07", insuredNumber="0000067890"),
        label="B-2",
    )
    assert western["patient"]["birthDateEra"]["text"] == "昭和64年1月7日"


async def test_a_proxy_consent_needs_name_and_relationship(city: City, sign_in: SignIn) -> None:
    admin = await sign_in(city.users["admin"])
    response = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(proxyRelationship=None),
            "members": team(city, *REQUIRED_TEAM),
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_consent"


async def test_the_push_label_may_not_name_the_patient(city: City, sign_in: SignIn) -> None:
    admin = await sign_in(city.users["admin"])
    refused = await admin.post(
        "/api/admin/rooms",
        {
            "patient": patient(),
            "consent": consent(),
            "members": team(city, *REQUIRED_TEAM),
            "label": "青木さん宅",
        },
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "label_names_patient"
    room = await open_room(admin, city)
    assert (
        await admin.request("PUT", f"/api/admin/rooms/{room['id']}/label", {"label": "アオキ ハナ"})
    ).status_code == 400
    changed = await admin.request("PUT", f"/api/admin/rooms/{room['id']}/label", {"label": "北-7"})
    assert changed.status_code == 200
    assert changed.json()["label"] == "北-7"


async def test_the_label_may_not_name_the_patient_in_another_script_or_in_romaji(
    city: City, sign_in: SignIn
) -> None:
    """Issue 13, item 4: しけん はなこ, ｼｹﾝ ﾊﾅｺ and "Shiken Hanako" name 試験 花子 too."""
    admin = await sign_in(city.users["admin"])
    for label in ["しけん はなこ", "ｼｹﾝ ﾊﾅｺ", "Shiken Hanako"]:
        refused = await admin.post(
            "/api/admin/rooms",
            {
                "patient": patient(name="試験 花子", nameKana="シケン ハナコ"),
                "consent": consent(),
                "members": team(city, *REQUIRED_TEAM),
                "label": label,
            },
        )
        assert refused.status_code == 400, label
        assert refused.json()["error"] == "label_names_patient"
    assert (await admin.get("/api/admin/rooms")).json() == []


async def test_members_join_change_permission_and_leave_through_sync(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    room_id = uuid.UUID(room["id"])
    pharmacist = city.id("pharmacist")
    (v0,) = await membership_versions(sessionmaker, pharmacist)

    added = await admin.post(
        f"/api/admin/rooms/{room_id}/members", {"userId": str(pharmacist), "permission": "read"}
    )
    assert added.status_code == 201, added.text
    assert any(
        m["user"]["id"] == str(pharmacist) and m["permission"] == "read"
        for m in added.json()["members"]
    )
    again = await admin.post(f"/api/admin/rooms/{room_id}/members", {"userId": str(pharmacist)})
    assert again.status_code == 409
    assert again.json()["error"] == "already_member"

    patched = await admin.request(
        "PATCH", f"/api/admin/rooms/{room_id}/members/{pharmacist}", {"permission": "write"}
    )
    assert patched.status_code == 200
    removed = await admin.delete(f"/api/admin/rooms/{room_id}/members/{pharmacist}")
    assert removed.status_code == 200
    assert str(pharmacist) not in {m["user"]["id"] for m in removed.json()["members"]}
    assert str(pharmacist) in {m["user"]["id"] for m in removed.json()["formerMembers"]}
    gone = await admin.delete(f"/api/admin/rooms/{room_id}/members/{pharmacist}")
    assert gone.status_code == 404

    async with sessionmaker() as s:
        stay = await s.scalar(select(RoomMember).where(RoomMember.user_id == pharmacist))
        log = list(
            await s.scalars(
                select(ChangeLog).where(ChangeLog.entity_id == str(stay.id)).order_by(ChangeLog.seq)
            )
        )
    assert stay.left_at is not None and stay.left_reason == "removed"
    assert len(log) == 3  # joined, permission changed, left
    assert stay.version == log[-1].version
    (v1,) = await membership_versions(sessionmaker, pharmacist)
    assert v1 >= v0 + 2  # joined and left: both change the user's set of rooms

    back = await admin.post(f"/api/admin/rooms/{room_id}/members", {"userId": str(pharmacist)})
    assert back.status_code == 201
    assert len(back.json()["formerMembers"]) == 1  # the earlier stay stays in the history


async def test_report_titles_rename_reorder_retire_and_come_back(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city, reportTitles=["連絡事項", "バイタル", "服薬"])
    ids = {t["name"]: t["id"] for t in room["reportTitles"]}
    path = f"/api/admin/rooms/{room['id']}/report-titles"
    swapped = await admin.request(
        "PUT",
        path,
        {
            "titles": [
                {"id": ids["バイタル"], "name": "服薬", "vitals": False},
                {"id": ids["服薬"], "name": "バイタル", "vitals": True},
                "褥瘡",
            ]
        },
    )
    assert swapped.status_code == 200, swapped.text
    active = [
        (t["name"], t["id"], t["vitals"]) for t in swapped.json()["reportTitles"] if t["active"]
    ]
    assert active[0] == ("服薬", ids["バイタル"], False)
    assert active[1] == ("バイタル", ids["服薬"], True)
    assert active[2][0] == "褥瘡"
    retired = [t for t in swapped.json()["reportTitles"] if not t["active"]]
    assert [t["name"] for t in retired] == ["連絡事項"]

    back = await admin.request("PUT", path, {"titles": ["連絡事項"]})
    titles = {t["name"]: t for t in back.json()["reportTitles"]}
    assert titles["連絡事項"]["id"] == ids["連絡事項"] and titles["連絡事項"]["active"]
    dup = await admin.request("PUT", path, {"titles": ["A", "A"]})
    assert dup.status_code == 400
    async with sessionmaker() as s:
        logged = list(
            await s.scalars(
                select(ChangeLog.entity_id).where(
                    ChangeLog.room_id == uuid.UUID(room["id"]),
                    ChangeLog.entity_type == "reportTitle",
                )
            )
        )
    assert logged.count(ids["連絡事項"]) == 3  # created, retired, back


async def add_closing_request(
    sessionmaker: Any, room_id: uuid.UUID, author: uuid.UUID, at: Any, reason: str
) -> uuid.UUID:
    """What a member's `post.create` of kind closingRequest leaves in the database."""
    async with sessionmaker() as s:
        post = Post(
            room_id=room_id,
            author_id=author,
            kind=PostKind.closing_request,
            body="本日、特別養護老人ホームへ入所されました。部屋の終了をお願いします。",
            closing_reason=reason,
            created_at=at,
        )
        s.add(post)
        await s.flush()
        post.version = await record_change(
            s, room_id=room_id, entity_type=EntityType.post, entity_id=post.id, op=Op.put, at=at
        )
        normal = Post(room_id=room_id, author_id=author, body="血圧 128/76", created_at=at)
        s.add(normal)
        await s.flush()
        normal.version = await record_change(
            s, room_id=room_id, entity_type=EntityType.post, entity_id=normal.id, op=Op.put, at=at
        )
        await s.commit()
        return post.id


async def test_closing_requests_reach_the_admin_alone_and_closing_tells_every_member(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink, clock: FrozenClock
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    room_id = uuid.UUID(room["id"])
    post_id = await add_closing_request(
        sessionmaker, room_id, city.id("care_manager"), clock.now(), "facilityAdmission"
    )
    listed = await admin.get("/api/admin/closing-requests")
    assert listed.status_code == 200
    requests = listed.json()
    assert len(requests) == 1  # the closing request, never the other posts
    assert requests[0]["postId"] == str(post_id)
    assert requests[0]["room"]["patientName"] == "青木 ハナ"
    assert requests[0]["requester"]["loginId"] == "care-manager"
    assert requests[0]["reasonLabel"] == "施設入所"
    assert "血圧" not in listed.text
    rooms = (await admin.get("/api/admin/rooms")).json()
    assert rooms[0]["closingRequested"] is True

    before = await membership_versions(sessionmaker, *(city.id(k) for k in REQUIRED_TEAM))
    smtp.clear()
    closed = await admin.post(
        f"/api/admin/rooms/{room_id}/close", {"closingRequestId": str(post_id)}
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closedReason"] == "facilityAdmission"
    mails = smtp.wait_for(3)
    assert {m.rcpt_tos[0] for m in mails} == {
        "home-doctor@example.jp",
        "station-nurse@example.jp",
        "care-manager@example.jp",
    }
    assert all("部屋終了" in m.subject and "青木" not in m.text for m in mails)
    after = await membership_versions(sessionmaker, *(city.id(k) for k in REQUIRED_TEAM))
    assert all(a > b for a, b in zip(after, before, strict=True))
    async with sessionmaker() as s:
        last = await s.scalar(
            select(ChangeLog).where(ChangeLog.room_id == room_id).order_by(ChangeLog.version.desc())
        )
    assert last is not None and last.entity_type == "room"

    assert (await admin.get("/api/admin/closing-requests")).json() == []
    again = await admin.post(f"/api/admin/rooms/{room_id}/close")
    assert again.status_code == 409
    assert again.json()["error"] == "room_closed"
    late = await admin.post(
        f"/api/admin/rooms/{room_id}/members", {"userId": str(city.id("pharmacist"))}
    )
    assert late.status_code == 409
