"""Roles: the city's clerks, and each office's システム管理担当者.

New people come in by the activation mail (no password is chosen or shown by anyone);
each role change is in the audit log and mailed to the person; an office always keeps
at least one system manager; an office admin sees other offices' people by name, job type
and office only.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from store.models import Office, User
from store.models.enums import Role, UserStatus
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import City, Clients, SignIn, audit_events

NEW_PASSWORD = "a long new passphrase for a clerk"


async def _activate(clients: Clients, mail_text: str) -> str:
    """Open the activation link of a mail and set a password; answers the login ID."""
    link = next(u for u in SmtpSink.links(mail_text) if "/activate/" in u)
    person = await clients.anonymous()
    token = link.rsplit("/", 1)[1]
    done = await person.post(f"/api/activation/{token}", {"password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    login_id: str = done.json()["loginId"]
    step = await person.login(login_id, NEW_PASSWORD)
    assert step.status_code == 200 and step.json()["next"] == "enroll"
    return login_id


async def _user(sessionmaker: Any, **where: Any) -> User:
    async with sessionmaker() as s:
        found = (await s.execute(select(User).filter_by(**where))).unique().scalar_one()
        return found  # type: ignore[no-any-return]


async def test_a_clerk_creates_a_clerk_who_activates_by_mail(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    smtp.clear()
    created = await admin.post(
        "/api/admin/clerks",
        {"name": "窓口 二郎", "nameKana": "まどぐち じろう", "email": "jiro@city.example.jp"},
    )
    assert created.status_code == 201, created.text
    clerk = created.json()
    assert clerk["role"] == "municipal_admin" and clerk["status"] == "pending"
    assert clerk["officeName"] == "みどり市役所 高齢福祉課"  # the city's office
    assert "password" not in str(clerk).lower()
    (mail,) = smtp.wait_for(1)
    assert mail.to == "jiro@city.example.jp"
    assert "ユーザー管理者（市）のアカウント発行" in mail.subject
    assert clerk["loginId"] in mail.text
    assert await _activate(clients, mail.text) == clerk["loginId"]

    listed = (await admin.get("/api/admin/clerks")).json()
    row = next(c for c in listed if c["id"] == clerk["id"])
    assert row["status"] == "active" and row["lastSignInAt"] is None
    assert {c["role"] for c in listed} == {"municipal_admin", "operator"}
    (issued,) = await audit_events(sessionmaker, "admin.user_issued")
    assert issued.details["role"] == "municipal_admin" and issued.actor_id == city.id("admin")


async def test_retiring_a_clerk_is_an_id_stop_kept_in_the_ledger_and_mailed(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    operator = await sign_in(city.users["operator"])
    clerk_api = await sign_in(city.users["admin"])
    smtp.clear()
    retired = await operator.post(
        f"/api/admin/clerks/{city.id('admin')}/retire", {"reason": "人事異動"}
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["status"] == "stopped" and retired.json()["stoppedAt"]
    assert (await clerk_api.get("/api/me")).status_code == 401  # the session ended
    (mail,) = smtp.wait_for(1)
    assert "アカウント停止" in mail.subject and "運用 次郎" in mail.text
    ledger = (await operator.get("/api/admin/ledger", params={"q": "city-admin"})).json()
    assert ledger["users"][0]["status"] == "stopped"
    (stop,) = await audit_events(sessionmaker, "admin.user_stopped")
    assert stop.details["reason"] == "人事異動"
    assert len(await audit_events(sessionmaker, "admin.clerk_retired")) == 1


async def test_clerk_accounts_refuse_the_wrong_people_and_bad_input(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    office_admin = await sign_in(city.users["station_admin"])
    assert (await office_admin.get("/api/admin/clerks")).status_code == 403
    forbidden = await office_admin.post(
        "/api/admin/clerks", {"name": "x", "email": "x@example.jp"}
    )
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "admin_only"

    admin = await sign_in(city.users["admin"])
    for body in (
        {"name": "", "email": "x@example.jp"},
        {"name": "窓口", "email": "not-an-address"},
        {"name": "窓口", "email": "x@example.jp", "role": "operator"},
        {"name": "窓口", "email": "x@example.jp", "nameKana": "Madoguchi"},
    ):
        assert (await admin.post("/api/admin/clerks", body)).status_code == 400, body
    not_clerk = await admin.post(f"/api/admin/clerks/{city.id('station_nurse')}/retire")
    assert not_clerk.status_code == 404 and not_clerk.json()["error"] == "not_a_clerk"
    own = await admin.post(f"/api/admin/clerks/{city.id('admin')}/retire")
    assert own.status_code == 409 and own.json()["error"] == "stop_self"
    async with sessionmaker() as s:
        clerks = list(await s.scalars(select(User).where(User.role == Role.municipal_admin)))
    assert [(c.login_id, c.status) for c in clerks] == [("city-admin", UserStatus.active)]


async def test_an_office_registers_with_its_system_managers_who_activate_by_mail(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    smtp.clear()
    created = await admin.post(
        "/api/admin/offices",
        {
            "name": "わかば訪問看護ステーション",
            "kind": "visiting_nurse_station",
            "phone": "012-555-0130",
            "pledge": {"representative": "代表 わかば", "version": "2024-04",
                       "acceptedOn": "2026-11-20"},
            "systemManagers": [
                {"name": "若葉 看護", "nameKana": "わかば かんご",
                 "email": "kango@wakaba.example.jp", "jobType": "nurse"},
                {"name": "若葉 事務", "nameKana": "わかば じむ", "email": "jimu@wakaba.example.jp",
                 "jobType": "other"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    office = created.json()
    assert office["representative"] == "代表 わかば"  # 様式4-1's signer, another person
    assert sorted(m["name"] for m in office["systemManagers"]) == ["若葉 事務", "若葉 看護"]
    assert {m["status"] for m in office["systemManagers"]} == {"pending"}
    mails = smtp.wait_for(2)
    assert {m.to for m in mails} == {"kango@wakaba.example.jp", "jimu@wakaba.example.jp"}
    assert all("システム管理担当者" in m.subject for m in mails)
    nurse_mail = next(m for m in mails if m.to == "kango@wakaba.example.jp")
    assert "わかば訪問看護ステーション" in nurse_mail.text
    login = await _activate(clients, nurse_mail.text)
    manager = await _user(sessionmaker, login_id=login)
    assert manager.role == Role.office_admin and manager.office_id == uuid.UUID(office["id"])
    issued = await audit_events(sessionmaker, "admin.user_issued")
    assert [e.details["role"] for e in issued] == ["office_admin", "office_admin"]

    bad = await admin.post(
        "/api/admin/offices",
        {"name": "x", "kind": "pharmacy",
         "systemManagers": [{"name": "x", "nameKana": "x", "email": "x@example.jp",
                             "jobType": "nurse"}]},
    )
    assert bad.status_code == 400  # kana must be kana; nothing was created
    async with sessionmaker() as s:
        assert await s.scalar(select(Office).where(Office.name == "x")) is None


async def test_the_city_names_and_unnames_system_managers_and_they_are_told(
    city: City, sign_in: SignIn, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    station = city.offices["station"]
    base = f"/api/admin/offices/{station}/system-managers"
    listed = (await admin.get(f"/api/admin/offices/{station}")).json()
    assert [m["name"] for m in listed["systemManagers"]] == ["田中 恵子"]

    # The last one stays until a successor is named.
    last = await admin.delete(f"{base}/{city.id('station_admin')}")
    assert last.status_code == 409 and last.json()["error"] == "last_system_manager"

    smtp.clear()
    named = await admin.post(base, {"userId": str(city.id("station_nurse"))})
    assert named.status_code == 200, named.text
    assert sorted(m["name"] for m in named.json()["systemManagers"]) == ["田中 恵子", "鈴木 真理子"]
    (mail,) = smtp.wait_for(1)
    assert mail.to == "station-nurse@example.jp" and "システム管理担当者に指定" in mail.subject
    # She is still a room member candidate: office admins are staff too.
    office_admin = await sign_in(city.users["station_nurse"])
    directory = (await office_admin.get("/api/office/directory")).json()
    assert any(e["name"] == "鈴木 真理子" for e in directory)

    smtp.clear()
    unnamed = await admin.delete(f"{base}/{city.id('station_admin')}")
    assert unnamed.status_code == 200, unnamed.text
    assert [m["name"] for m in unnamed.json()["systemManagers"]] == ["鈴木 真理子"]
    assert "指定が解除" in smtp.wait_for(1)[0].subject
    demoted = await sign_in(city.users["station_admin"])
    assert (await demoted.get("/api/office/staff")).status_code == 403
    assert (await demoted.get("/api/me")).json()["user"]["role"] == "member"

    changes = await audit_events(sessionmaker, "admin.role_changed")
    assert [(e.target_id, e.details["fromRole"], e.details["toRole"]) for e in changes] == [
        (str(city.id("station_nurse")), "member", "office_admin"),
        (str(city.id("station_admin")), "office_admin", "member"),
    ]


async def test_naming_a_new_person_goes_through_the_activation_mail(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    pharmacy = city.offices["pharmacy"]
    smtp.clear()
    named = await admin.post(
        f"/api/admin/offices/{pharmacy}/system-managers",
        {"person": {"name": "薬局 管理", "nameKana": "やっきょく かんり",
                    "email": "kanri@himawari.example.jp", "jobType": "pharmacist"}},
    )
    assert named.status_code == 200, named.text
    (mail,) = smtp.wait_for(1)
    assert "ID発行" in mail.subject and "ひまわり薬局" in mail.text
    login = await _activate(clients, mail.text)
    assert (await _user(sessionmaker, login_id=login)).role == Role.office_admin


async def test_naming_refuses_other_offices_admins_stopped_and_bad_input(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    station = city.offices["station"]
    base = f"/api/admin/offices/{station}/system-managers"

    async def refused(body: Any, status: int, code: str | None = None) -> None:
        answer = await admin.post(base, body)
        assert answer.status_code == status, (body, answer.text)
        if code:
            assert answer.json()["error"] == code

    await refused({"userId": str(city.id("pharmacist"))}, 409, "other_office")
    await refused({"userId": str(city.id("station_admin"))}, 409, "already_system_manager")
    await refused({}, 400, "one_of_user_or_person")
    await refused({"userId": str(city.id("station_nurse")),
                   "person": {"name": "x", "nameKana": "えっくす", "email": "x@example.jp",
                              "jobType": "nurse"}}, 400, "one_of_user_or_person")
    await refused({"userId": str(uuid.uuid4())}, 404, "user_not_found")
    await refused({"userId": "not-a-uuid"}, 400)
    unknown_office = await admin.post(
        f"/api/admin/offices/{uuid.uuid4()}/system-managers",
        {"userId": str(city.id("station_nurse"))},
    )
    assert unknown_office.status_code == 404
    city_office = city.offices["city"]
    clerk = await admin.post(
        f"/api/admin/offices/{city_office}/system-managers",
        {"userId": str(city.id("operator"))},
    )
    assert clerk.status_code == 409 and clerk.json()["error"] == "not_office_staff"
    stop = await admin.post(f"/api/admin/users/{city.id('station_nurse')}/stop")
    assert stop.status_code == 200
    await refused({"userId": str(city.id("station_nurse"))}, 409, "user_stopped")
    not_manager = await admin.delete(f"{base}/{city.id('pharmacist')}")
    assert not_manager.status_code == 404

    office_admin = await sign_in(city.users["care_admin"])
    other = await office_admin.post(base, {"userId": str(city.id("care_manager"))})
    assert other.status_code == 403 and other.json()["error"] == "admin_only"
    assert await audit_events(sessionmaker, "admin.role_changed") == []


async def test_the_office_directory_shows_name_job_and_office_only(
    city: City, sign_in: SignIn
) -> None:
    office_admin: ApiClient = await sign_in(city.users["station_admin"])
    directory = (await office_admin.get("/api/office/directory", params={"q": "高橋"})).json()
    assert directory == [
        {
            "id": str(city.id("home_doctor")),
            "name": "高橋 誠",
            "nameKana": "かんご はなこ",
            "jobType": "doctor",
            "jobTypeLabel": "医師",
            "officeId": str(city.offices["home_clinic"]),
            "officeName": "みどり在宅クリニック",
            "officeKind": "home_visit_clinic",
        }
    ]
    everyone = (await office_admin.get("/api/office/directory")).json()
    text = str(everyone)
    assert "home-doctor" not in text and "@example.jp" not in text
    assert all(e["name"] not in ("市役所 太郎", "運用 次郎", "窓口 花子") for e in everyone)
