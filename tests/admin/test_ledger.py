"""The ledger (管理簿), the office list, the help page and the printable forms."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from store.models import AuditEvent

from .conftest import REQUIRED_TEAM, City, SignIn, consent, patient, team


async def test_the_ledger_filters_counts_and_exports_csv_for_excel(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    everyone = (await admin.get("/api/admin/ledger")).json()
    assert everyone["total"] == len(city.users)
    nurses = (await admin.get("/api/admin/ledger", params={"jobType": "nurse"})).json()
    assert {u["loginId"] for u in nurses["users"]} == {
        "station-admin",
        "station-nurse",
        "hospital-nurse",
    }
    assert nurses["countsByJobType"] == [{"key": "nurse", "label": "看護師", "count": 3}]
    by_office = {c["label"]: c["count"] for c in nurses["countsByOffice"]}
    assert by_office == {"みどり訪問看護ステーション": 2, "みどり市民病院": 1}
    station = str(city.offices["station"])
    assert (await admin.get("/api/admin/ledger", params={"officeId": station})).json()["total"] == 2
    found = (await admin.get("/api/admin/ledger", params={"q": "佐藤"})).json()
    assert [u["loginId"] for u in found["users"]] == ["care-manager"]
    assert (await admin.get("/api/admin/ledger", params={"q": "home-doc"})).json()["total"] == 1
    admins = (await admin.get("/api/admin/ledger", params={"role": "office_admin"})).json()
    assert admins["total"] == 2
    assert (await admin.get("/api/admin/ledger", params={"status": "gone"})).status_code == 400

    exported = await admin.get("/api/admin/ledger.csv", params={"jobType": "nurse"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    raw = exported.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows[0][:7] == ["ログインID", "氏名", "フリガナ", "職種", "事業所名", "役割", "状態"]
    assert len(rows) == 4
    assert {r[3] for r in rows[1:]} == {"看護師"}
    async with sessionmaker() as s:
        exports = list(
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "admin.ledger_exported"))
        )
    assert len(exports) == 1 and exports[0].actor_login == "city-admin" and exports[0].ip


async def test_offices_are_listed_and_added_with_a_paper_pledge(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    listed = (await admin.get("/api/admin/offices")).json()
    assert len(listed) == len(city.offices)
    added = await admin.post(
        "/api/admin/offices",
        {
            "name": "あおば薬局",
            "nameKana": "アオバヤッキョク",
            "kind": "pharmacy",
            "phone": "012-555-0190",
            "pledge": {
                "representative": "管理薬剤師 青葉 修",
                "version": "2024-04",
                "acceptedOn": "2026-11-20",
            },
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["representative"] == "管理薬剤師 青葉 修"
    assert added.json()["kindLabel"] == "薬局"
    assert (
        await admin.post("/api/admin/offices", {"name": "x", "kind": "castle"})
    ).status_code == 400


async def test_the_operator_sets_the_help_page_everyone_signed_in_reads_it(
    city: City, sign_in: SignIn
) -> None:
    nurse = await sign_in(city.users["station_nurse"])
    default = (await nurse.get("/api/help")).json()
    assert default["pledge"]["version"] == "2024-04"
    assert default["contacts"][0]["phone"].startswith("012-555")
    page = {
        "cityName": "みどり市",
        "contacts": [
            {"title": "登録の窓口", "name": "みどり市 高齢福祉課", "phone": "012-555-0100"}
        ],
        "rules": "部屋には専門職のみが参加します。",
        "pledge": {
            "version": "2027-04",
            "form41": "誓約します（事業所）。",
            "form42": "誓約します（従業者）。",
        },
    }
    operator = await sign_in(city.users["operator"])
    saved = await operator.request("PUT", "/api/admin/help", page)
    assert saved.status_code == 200, saved.text
    shown = (await nurse.get("/api/help")).json()
    assert shown["rules"] == "部屋には専門職のみが参加します。"
    assert shown["pledge"]["version"] == "2027-04"
    assert shown["updatedAt"] is not None
    assert (await nurse.request("PUT", "/api/admin/help", page)).status_code == 403


async def test_every_form_is_filled_from_the_data(city: City, sign_in: SignIn) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    cm = await office.post(
        "/api/applications",
        {
            "kind": "idCareManager",
            "payload": {
                "name": "山本 さくら",
                "nameKana": "ヤマモト サクラ",
                "email": "yamamoto@care.example.jp",
                "officePledge": {
                    "representative": "管理者 木村 祐介",
                    "version": "2024-04",
                    "accepted": True,
                },
                "staffPledge": {"version": "2024-04", "accepted": True},
            },
        },
    )
    stop = await office.post(
        "/api/applications",
        {
            "kind": "idStop",
            "payload": {
                "userId": str(city.id("care_manager")),
                "reason": "異動",
                "date": "2026-12-01",
            },
        },
    )
    room = await admin.post(
        "/api/admin/rooms",
        {"patient": patient(), "consent": consent(), "members": team(city, *REQUIRED_TEAM)},
    )
    room_id = room.json()["id"]

    form22 = (await admin.get(f"/api/admin/forms/2-2C/{cm.json()['id']}")).json()
    assert form22["title"] == "情報共有システム利用登録依頼書"
    assert form22["fields"]["person"]["name"] == "山本 さくら"
    assert form22["fields"]["office"]["representative"] == "管理者 木村 祐介"
    assert form22["addressee"] == "みどり市 様"
    assert form22["dateEra"]["era"] == "reiwa"
    form3 = (await admin.get(f"/api/admin/forms/3/{stop.json()['id']}")).json()
    assert form3["fields"]["person"]["loginId"] == "care-manager"
    assert form3["fields"]["reason"] == "異動"
    form41 = (await admin.get(f"/api/admin/forms/4-1/{city.offices['care_plan']}")).json()
    assert form41["fields"]["office"]["representative"] == "管理者 木村 祐介"
    assert "誓約します" in form41["text"]
    form42 = (await admin.get(f"/api/admin/forms/4-2/{city.offices['station']}")).json()
    assert form42["subtitle"].startswith("様式4-2")
    cm42 = (await admin.get(f"/api/admin/forms/4-2/{cm.json()['id']}")).json()
    assert [(e["name"], e["version"]) for e in cm42["fields"]["employees"]] == [
        ("山本 さくら", "2024-04")
    ]
    form5 = (await admin.get(f"/api/admin/forms/5/{room_id}")).json()
    assert form5["fields"]["patient"]["birthDateEra"]["text"] == "昭和15年3月12日"
    assert form5["fields"]["consent"]["proxyRelationship"] == "長男"
    assert form5["date"] == "2026-11-20"
    assert "みどり市の運営する情報共有システム" in form5["text"]
    assert set(form5["fields"]["connectedOffices"]) == {
        "みどり在宅クリニック",
        "みどり訪問看護ステーション",
        "みどりケアプランセンター",
    }
    form6 = (await admin.get(f"/api/admin/forms/6/{room_id}")).json()
    assert form6["fields"]["patient"]["careLevelLabel"] == "要介護3"
    assert {m["jobTypeLabel"] for m in form6["fields"]["members"]} == {
        "医師",
        "看護師",
        "介護支援専門員",
    }
    assert len(form6["fields"]["reportTitles"]) == 6
    assert (await admin.get(f"/api/admin/forms/7/{room_id}")).status_code == 404
    assert (await admin.get(f"/api/admin/forms/5/{city.id('admin')}")).status_code == 404
    assert (await office.get(f"/api/admin/forms/6/{room_id}")).status_code == 403
