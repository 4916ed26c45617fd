"""The clerk reads an application as a clerk: the server names every person the payload
mentions (name, job type, office) and says each history line in Japanese."""

from __future__ import annotations

from typing import Any

from server.admin.common import today_jst
from server.clock import FrozenClock

from .conftest import PEOPLE, REQUIRED_TEAM, City, SignIn, consent, patient, team


def name_of(key: str) -> str:
    return PEOPLE[key][1]


async def test_a_room_request_names_its_members_and_its_history_in_japanese(
    city: City, sign_in: SignIn
) -> None:
    office = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    submitted = await office.post(
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
    assert submitted.status_code == 201, submitted.text
    application_id = submitted.json()["id"]

    seen = (await admin.get(f"/api/admin/applications/{application_id}")).json()
    assert seen["kindLabel"] == "患者（利用者）部屋作成依頼（様式5・6）"
    people = {u["id"]: u for u in seen["users"]}
    for key in REQUIRED_TEAM:
        member = people[str(city.id(key))]
        assert member["name"] == name_of(key)
        assert member["jobTypeLabel"] in {"医師", "看護師", "介護支援専門員"}
        assert member["officeName"]
    assert seen["payload"]["patient"]["birthDate"] == "1940-03-12"
    assert seen["payload"]["patient"]["birthDateEra"]["text"].startswith("昭和15年")
    assert [(h["action"], h["actionLabel"]) for h in seen["history"]] == [("submitted", "提出")]

    approved = await admin.post(f"/api/admin/applications/{application_id}/approve")
    assert approved.status_code == 200, approved.text
    history = [(h["actionLabel"], h["actorName"]) for h in approved.json()["history"]]
    assert history == [
        ("提出", name_of("care_admin")),
        ("承認", name_of("admin")),
    ]


async def test_a_users_history_reads_in_japanese(
    city: City, sign_in: SignIn, clock: FrozenClock
) -> None:
    office = await sign_in(city.users["station_admin"])
    admin = await sign_in(city.users["admin"])
    nurse = city.id("station_nurse")
    today = today_jst(clock.now()).isoformat()  # a stop dated today is carried out at once
    stop: dict[str, Any] = {"userId": str(nurse), "reason": "退職", "date": today}
    submitted = await office.post("/api/applications", {"kind": "idStop", "payload": stop})
    assert submitted.status_code == 201, submitted.text
    done = await admin.post(f"/api/admin/applications/{submitted.json()['id']}/approve")
    assert done.status_code == 200, done.text

    detail = (await admin.get(f"/api/admin/users/{nurse}")).json()
    labels = [h["actionLabel"] for h in detail["history"]]
    assert "ID停止依頼（様式3）：提出" in labels
    assert "ID停止依頼（様式3）：承認" in labels
    assert "ID停止" in labels
    assert all(label and "." not in label and "_" not in label for label in labels), labels
