"""Forms for offices: an office's システム管理担当者 prints its own filled forms and blank ones
(様式5 for the patient to sign, 4-2 for each staff member, 2-2C, 3, 4-1, 6), and nothing
of another office's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from store.models import AuditEvent

from .conftest import PEOPLE, REQUIRED_TEAM, City, SignIn, consent, patient, team

PLEDGE = {"representative": "管理者 木村 祐介", "version": "2024-04", "accepted": True}
STAFF_PLEDGE = {"version": "2024-04", "accepted": True}


async def test_an_office_prints_blank_forms_with_its_own_details(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    office = await sign_in(city.users["care_admin"])  # みどりケアプランセンター
    blank5 = await office.get("/api/office/forms/5/blank")
    assert blank5.status_code == 200, blank5.text
    form = blank5.json()
    assert form["blank"] is True
    assert (form["date"], form["dateEra"]) == (None, None)
    assert form["title"] == "情報共有システム情報共有同意書"
    assert "みどり市の運営する情報共有システム" in form["text"]
    assert form["fields"]["explainerOffice"] == "みどりケアプランセンター"
    assert form["fields"]["patient"] == {} and form["fields"]["consent"] is None
    assert form["addressee"].startswith("みどりケアプランセンター 代表者")

    for number in ("2-2C", "3", "4-1", "4-2", "6"):
        answer = await office.get(f"/api/office/forms/{number}/blank")
        assert answer.status_code == 200, (number, answer.text)
        assert answer.json()["blank"] is True
        assert answer.json()["fields"]["office"]["name"] == "みどりケアプランセンター"
    six = (await office.get("/api/office/forms/6/blank")).json()["fields"]["requester"]
    assert six["officeName"] == "みどりケアプランセンター"
    assert six["systemManager"] == PEOPLE["care_admin"][1]

    async with sessionmaker() as s:
        printed = list(
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "office.form_printed"))
        )
    assert [(e.details["form"], e.details.get("blank")) for e in printed] == [
        ("5", True),
        ("2-2C", True),
        ("3", True),
        ("4-1", True),
        ("4-2", True),
        ("6", True),
        ("6", True),
    ]
    assert all(e.actor_login == "care-admin" for e in printed)


async def test_an_office_prints_its_own_filled_forms_and_none_of_another_office(
    city: City, sign_in: SignIn
) -> None:
    office = await sign_in(city.users["care_admin"])
    other = await sign_in(city.users["station_admin"])
    own_staff = city.id("care_manager")

    # 4-2 for one of its staff: the name is on the sheet even before a pledge is on record.
    sheet = await office.get(f"/api/office/forms/4-2/{own_staff}")
    assert sheet.status_code == 200, sheet.text
    assert [e["name"] for e in sheet.json()["fields"]["employees"]] == [PEOPLE["care_manager"][1]]
    own_office = city.offices["care_plan"]
    assert (await office.get(f"/api/office/forms/4-1/{own_office}")).status_code == 200
    assert (await office.get(f"/api/office/forms/3/{own_staff}")).status_code == 200

    cm = await office.post(
        "/api/applications",
        {
            "kind": "idCareManager",
            "payload": {
                "name": "山本 さくら",
                "nameKana": "ヤマモト サクラ",
                "email": "yamamoto@care.example.jp",
                "officePledge": PLEDGE,
                "staffPledge": STAFF_PLEDGE,
            },
        },
    )
    assert cm.status_code == 201, cm.text
    room = await office.post(
        "/api/applications",
        {
            "kind": "roomOpen",
            "payload": {
                "patient": patient(),
                "consent": consent(),
                "members": team(city, *REQUIRED_TEAM),
            },
        },
    )
    assert room.status_code == 201, room.text
    form22 = (await office.get(f"/api/office/forms/2-2C/{cm.json()['id']}")).json()
    assert form22["fields"]["person"]["name"] == "山本 さくら"
    form6 = (await office.get(f"/api/office/forms/6/{room.json()['id']}")).json()
    assert form6["fields"]["patient"]["name"] == "青木 ハナ"
    assert len(form6["fields"]["members"]) == 3
    form5 = (await office.get(f"/api/office/forms/5/{room.json()['id']}")).json()
    assert form5["fields"]["explainerOffice"] == "みどりケアプランセンター"

    # Another office's admin gets "not found" for every one of them: nothing leaks.
    for path in (
        f"/api/office/forms/2-2C/{cm.json()['id']}",
        f"/api/office/forms/6/{room.json()['id']}",
        f"/api/office/forms/5/{room.json()['id']}",
        f"/api/office/forms/4-2/{own_staff}",
        f"/api/office/forms/3/{own_staff}",
        f"/api/office/forms/4-1/{city.offices['care_plan']}",
        f"/api/office/forms/4-2/{city.offices['care_plan']}",
    ):
        refused = await other.get(path)
        assert refused.status_code == 404, (path, refused.text)
        assert refused.json()["error"] == "form_source_not_found"

    # Once the room is open, an office still reaches it only through its own application.
    admin = await sign_in(city.users["admin"])
    approved = await admin.post(f"/api/admin/applications/{room.json()['id']}/approve")
    room_id = approved.json()["room"]["id"]
    assert (await office.get(f"/api/office/forms/6/{room.json()['id']}")).status_code == 200
    assert (await office.get(f"/api/office/forms/6/{room_id}")).status_code == 404
    assert (await other.get(f"/api/office/forms/5/{room_id}")).status_code == 404


async def test_office_forms_refuse_other_roles_and_bad_input(city: City, sign_in: SignIn) -> None:
    nurse = await sign_in(city.users["station_nurse"])
    refused = await nurse.get("/api/office/forms/5/blank")
    assert refused.status_code == 403
    assert refused.json()["error"] == "office_admin_only"
    admin = await sign_in(city.users["admin"])
    assert (await admin.get("/api/office/forms/5/blank")).status_code == 403
    city_blank = await admin.get("/api/admin/forms/5/blank")
    assert city_blank.status_code == 200
    assert city_blank.json()["addressee"] == "（システム利用同意取得事業所の代表者） 様"

    office = await sign_in(city.users["care_admin"])
    unknown = await office.get("/api/office/forms/7/blank")
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_form"
    assert (await office.get("/api/office/forms/5/not-an-id")).status_code in {400, 404}
