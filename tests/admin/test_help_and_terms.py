"""Help for everyone: the city edits the help page (誓約事項, links, devices and browsers,
the terms of use), the sign-in page shows only the contact points the city published, and
every user accepts the current terms once (again when they change), the ledger showing it."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from sqlalchemy import func, select

from store.models import AuditEvent, TermsAcceptance
from tests.support.api import ApiClient

from .conftest import City, SignIn, consent, patient, team

TERMS_V1 = "本システムは、患者（利用者）の同意の範囲で、専門職の連携にのみ使います。"


def page(**over: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "cityName": "みどり市",
        "contacts": [
            {
                "title": "ID・パスワード・端末のこと",
                "name": "みどり市 高齢福祉課",
                "phone": "012-555-0100",
                "hours": "平日 8:30〜17:15",
                "public": True,
            },
            {
                "title": "医療・介護の調整のこと",
                "name": "在宅医療・介護連携支援センター",
                "phone": "012-555-0111",
                "email": "shien@renkei.midori.example.jp",
                "public": False,
            },
        ],
        "rules": "部屋には専門職のみが参加します。",
        "pledge": {"version": "2024-04", "form41": "誓約します（事業所）", "form42": "誓約します"},
        "pledgeItems": "① 情報機器の故障は速やかに市に報告します。\n② ID は部外者に使わせません。",
        "links": [{"title": "みどり市 在宅医療・介護連携", "url": "https://www.city.midori.example.jp/"}],
        "devices": "iPad（iPadOS 17）、Windows 11 の Edge",
        "signInNote": "パスワードを忘れたときは高齢福祉課へ。",
        "terms": {"version": "2026-04", "text": TERMS_V1},
    }
    value.update(over)
    return value


async def test_city_admins_and_the_operator_edit_the_help_page_and_everyone_reads_it(
    city: City, sign_in: SignIn
) -> None:
    nurse = await sign_in(city.users["station_nurse"])
    default = (await nurse.get("/api/help")).json()
    assert "⑫" in default["pledgeItems"]  # the manual's twelve 誓約事項
    assert "Safari" in default["devices"]
    assert default["terms"] == {"version": "", "text": ""}
    assert default["links"] and all(link["url"].startswith("https://") for link in default["links"])

    admin = await sign_in(city.users["admin"])
    saved = await admin.request("PUT", "/api/admin/help", page())
    assert saved.status_code == 200, saved.text
    shown = (await nurse.get("/api/help")).json()
    assert shown["pledgeItems"].startswith("① 情報機器の故障")
    assert shown["links"] == [
        {"title": "みどり市 在宅医療・介護連携", "url": "https://www.city.midori.example.jp/"}
    ]
    assert shown["devices"] == "iPad（iPadOS 17）、Windows 11 の Edge"
    assert shown["terms"] == {"version": "2026-04", "text": TERMS_V1}
    assert [c["public"] for c in shown["contacts"]] == [True, False]

    operator = await sign_in(city.users["operator"])
    again = await operator.request("PUT", "/api/admin/help", page(devices="Android 14 の Chrome"))
    assert again.status_code == 200, again.text
    assert (await nurse.get("/api/help")).json()["devices"] == "Android 14 の Chrome"


async def test_members_and_office_admins_cannot_edit_it_and_bad_input_changes_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    assert (await admin.request("PUT", "/api/admin/help", page())).status_code == 200
    before = (await admin.get("/api/admin/help")).json()
    for who in ("station_nurse", "station_admin"):
        api = await sign_in(city.users[who])
        refused = await api.request("PUT", "/api/admin/help", page(cityName="乗っ取り市"))
        assert refused.status_code == 403, (who, refused.text)
        assert refused.json()["error"] == "admin_only"
        assert (await api.get("/api/admin/help")).status_code == 403

    bad: list[tuple[dict[str, Any], str]] = [
        (page(links=[{"title": "x", "url": "javascript:alert(1)"}]), "invalid_input"),
        (page(terms={"version": "2026-05", "text": " "}), "terms_incomplete"),
        (page(terms={"version": "", "text": "規約の本文"}), "terms_incomplete"),
        (page(contacts=[{"title": "x", "name": "y", "public": "yes"}]), "invalid_input"),
        (page(cityName=""), "invalid_input"),
        ({**page(), "extra": 1}, "invalid_input"),
    ]
    for body, code in bad:
        response = await admin.request("PUT", "/api/admin/help", body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"] == code, response.json()
    assert (await admin.get("/api/admin/help")).json() == before
    async with sessionmaker() as s:
        saves = await s.scalar(
            select(func.count()).where(AuditEvent.action == "admin.help_updated")
        )
    assert saves == 1


async def test_the_sign_in_page_shows_only_what_the_city_published(
    city: City, sign_in: SignIn, anonymous: ApiClient
) -> None:
    default = await anonymous.get("/api/help/public")
    assert default.status_code == 200
    assert [c["title"] for c in default.json()["contacts"]] == [
        "システム利用登録の手続きや運用について"
    ]
    admin = await sign_in(city.users["admin"])
    assert (await admin.request("PUT", "/api/admin/help", page())).status_code == 200
    shown = (await anonymous.get("/api/help/public")).json()
    assert shown == {
        "cityName": "みどり市",
        "signInNote": "パスワードを忘れたときは高齢福祉課へ。",
        "contacts": [
            {
                "title": "ID・パスワード・端末のこと",
                "name": "みどり市 高齢福祉課",
                "postalCode": "",
                "address": "",
                "phone": "012-555-0100",
                "email": "",
                "hours": "平日 8:30〜17:15",
                "note": "",
                "public": True,
            }
        ],
    }
    # Before sign-in nothing else of the page is served: no rules, pledges or terms.
    assert (await anonymous.get("/api/help")).status_code == 401


async def test_each_user_accepts_the_terms_once_and_again_when_the_city_changes_them(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    nurse = await sign_in(city.users["station_nurse"])
    nurse_id = city.id("station_nurse")
    assert (await nurse.get("/api/me")).json()["terms"] is None
    nothing = await nurse.post("/api/me/terms", {"version": "2026-04"})
    assert nothing.status_code == 409 and nothing.json()["error"] == "no_terms"

    admin = await sign_in(city.users["admin"])
    assert (await admin.request("PUT", "/api/admin/help", page())).status_code == 200
    terms = (await nurse.get("/api/me")).json()["terms"]
    assert terms == {
        "version": "2026-04",
        "required": True,
        "acceptedVersion": None,
        "acceptedAt": None,
    }

    for body in ({}, {"version": ""}, {"version": "2026-04", "extra": True}):
        assert (await nurse.post("/api/me/terms", body)).status_code == 400, body
    stale = await nurse.post("/api/me/terms", {"version": "2025-01"})
    assert stale.status_code == 409
    assert stale.json()["error"] == "terms_outdated"
    assert stale.json()["currentVersion"] == "2026-04"

    accepted = await nurse.post("/api/me/terms", {"version": "2026-04"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["required"] is False
    assert accepted.json()["acceptedVersion"] == "2026-04"
    twice = await nurse.post("/api/me/terms", {"version": "2026-04"})
    assert twice.status_code == 200 and twice.json()["acceptedAt"] == accepted.json()["acceptedAt"]
    assert (await nurse.get("/api/me")).json()["terms"]["required"] is False

    # The ledger shows who accepted which version when, on screen, in the CSV and the history.
    ledger = (await admin.get("/api/admin/ledger", params={"q": "station-nurse"})).json()
    assert ledger["termsVersion"] == "2026-04"
    row = ledger["users"][0]
    assert row["termsVersion"] == "2026-04"
    assert row["termsAcceptedAt"] == accepted.json()["acceptedAt"]
    exported = await admin.get("/api/admin/ledger.csv", params={"q": "station-nurse"})
    rows = list(csv.reader(io.StringIO(exported.content[3:].decode("utf-8"))))
    header = rows[0]
    assert rows[1][header.index("利用規約（同意した版）")] == "2026-04"
    assert rows[1][header.index("利用規約への同意日")]
    history = (await admin.get(f"/api/admin/users/{nurse_id}")).json()["history"]
    lines = [(h["actionLabel"], h["note"]) for h in history if h["action"] == "user.terms_accepted"]
    assert lines == [("利用規約に同意", "版 2026-04")]

    # A new version asks again; the old acceptance stays on record.
    new_text = TERMS_V1 + "\n写真は必要な範囲で撮影します。"
    changed = page(terms={"version": "2026-10", "text": new_text})
    assert (await admin.request("PUT", "/api/admin/help", changed)).status_code == 200
    terms = (await nurse.get("/api/me")).json()["terms"]
    assert (terms["required"], terms["acceptedVersion"]) == (True, "2026-04")
    assert (await nurse.post("/api/me/terms", {"version": "2026-10"})).status_code == 200
    row = (await admin.get("/api/admin/ledger", params={"q": "station-nurse"})).json()["users"][0]
    assert row["termsVersion"] == "2026-10"
    async with sessionmaker() as s:
        versions = list(
            await s.scalars(
                select(TermsAcceptance.version)
                .where(TermsAcceptance.user_id == nurse_id)
                .order_by(TermsAcceptance.accepted_at)
            )
        )
        audited = await s.scalar(
            select(func.count()).where(AuditEvent.action == "user.terms_accepted")
        )
    assert versions == ["2026-04", "2026-10"]
    assert audited == 2


async def test_pending_terms_never_stop_a_nurse_sending_what_she_wrote_offline(
    city: City, sign_in: SignIn
) -> None:
    """The PWA asks at the next online start; the server never holds records back for it."""
    admin = await sign_in(city.users["admin"])
    opened = await admin.post(
        "/api/admin/rooms",
        {"patient": patient(), "consent": consent(), "members": team(city, *_TEAM)},
    )
    assert opened.status_code == 201, opened.text
    assert (await admin.request("PUT", "/api/admin/help", page())).status_code == 200
    nurse = await sign_in(city.users["station_nurse"])
    assert (await nurse.get("/api/me")).json()["terms"]["required"] is True

    room = opened.json()
    title = room["reportTitles"][0]["id"]
    pushed = await nurse.post(
        "/api/sync/push",
        {
            "clientId": "nurse-tablet-terms",
            "mutations": [
                {
                    "id": 1,
                    "name": "post.create",
                    "args": {
                        "id": str(uuid.uuid4()),
                        "roomId": room["id"],
                        "reportTitleId": title,
                        "body": "訪問時のバイタルは安定。",
                    },
                }
            ],
        },
    )
    assert pushed.status_code == 200, pushed.text
    assert [r["status"] for r in pushed.json()["results"]] == ["ok"]
    pulled = await nurse.post("/api/sync/pull", {"cursor": None})
    assert pulled.status_code == 200 and room["id"] in pulled.json()["rooms"]


_TEAM = ("home_doctor", "station_nurse", "care_manager")
