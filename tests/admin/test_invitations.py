"""Invitation and activation links: e-mailed, single-use, and expiring after 7 days."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from store.models import Application, AuditEvent, Pledge
from tests.factories import make_office_pledge
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import City, Clients, SignIn


def application(city: City, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "石井 あかり",
        "nameKana": "イシイ アカリ",
        "jobType": "nurse",
        "email": "ishii@station.example.jp",
        "phone": "012-555-0177",
        "pledge": {"version": "2024-04", "accepted": True},
    }
    body.update(over)
    return body


async def invite(admin: ApiClient, city: City, smtp: SmtpSink) -> str:
    smtp.clear()
    sent = await admin.post(
        "/api/admin/invitations",
        {
            "name": "石井 あかり",
            "email": "ishii@station.example.jp",
            "officeId": str(city.offices["station"]),
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["state"] == "pending"
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ("ishii@station.example.jp",)
    assert "利用登録" in mail.subject and "7日" not in mail.subject
    (link,) = SmtpSink.links(mail)
    assert link.startswith("http://localhost:8000/invite/")
    return link.rsplit("/", 1)[1]


async def test_an_invitation_link_works_once(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    token = await invite(admin, city, smtp)
    visitor = await clients.anonymous()
    shown = await visitor.get(f"/api/invitations/{token}")
    assert shown.status_code == 200
    page = shown.json()
    assert page["name"] == "石井 あかり"
    assert page["office"]["name"] == "みどり訪問看護ステーション"
    assert page["pledge"]["form"] == "4-2" and "誓約します" in page["pledge"]["text"]
    assert "city_staff" not in {j["code"] for j in page["jobTypes"]}

    refused = await visitor.post(
        f"/api/invitations/{token}/apply",
        application(city, pledge={"version": "2024-04", "accepted": False}),
    )
    assert refused.status_code == 400  # and the link still works
    applied = await visitor.post(f"/api/invitations/{token}/apply", application(city))
    assert applied.status_code == 201, applied.text
    assert applied.json()["state"] == "submitted"
    again = await visitor.post(f"/api/invitations/{token}/apply", application(city))
    assert again.status_code == 404
    assert again.json()["error"] == "link_invalid"
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 404

    inbox = (await admin.get("/api/admin/applications?state=submitted")).json()
    assert [a["kind"] for a in inbox] == ["idInvited"]
    assert inbox[0]["payload"]["nameKana"] == "イシイ アカリ"
    invitations = (await admin.get("/api/admin/invitations")).json()
    assert invitations[0]["state"] == "used"
    assert invitations[0]["applicationId"] == inbox[0]["id"]
    async with sessionmaker() as s:
        pledge = await s.scalar(select(Pledge).where(Pledge.form == "4-2"))
        details = [e.details for e in await s.scalars(select(AuditEvent))]
    assert (
        pledge is not None and pledge.version == "2024-04" and pledge.signer_name == "石井 あかり"
    )
    assert token not in repr(details)  # the audit trail never holds a link


async def test_an_invitation_expires_after_seven_days(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, clock: FrozenClock
) -> None:
    admin = await sign_in(city.users["admin"])
    token = await invite(admin, city, smtp)
    clock.advance(days=7)
    visitor = await clients.anonymous()
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 404
    late = await visitor.post(f"/api/invitations/{token}/apply", application(city))
    assert late.status_code == 404
    assert "期限" in late.json()["message"]
    assert (await visitor.get("/api/invitations/not-a-real-token")).status_code == 404


async def test_only_admins_invite(city: City, sign_in: SignIn) -> None:
    for key in ("station_admin", "station_nurse"):
        api = await sign_in(city.users[key])
        response = await api.post(
            "/api/admin/invitations",
            {"name": "X", "email": "x@example.jp", "officeId": str(city.offices["station"])},
        )
        assert response.status_code == 403
    admin = await sign_in(city.users["admin"])
    bad = await admin.post(
        "/api/admin/invitations",
        {"name": "X", "email": "not-an-address", "officeId": str(city.offices["station"])},
    )
    assert bad.status_code == 400


async def test_activation_links_are_single_use_and_expire(
    city: City,
    sign_in: SignIn,
    clients: Clients,
    smtp: SmtpSink,
    clock: FrozenClock,
    sessionmaker: Any,
) -> None:
    await make_office_pledge(sessionmaker, city.offices["station"], at=clock.now())
    admin = await sign_in(city.users["admin"])
    visitor = await clients.anonymous()
    links = []
    for name, email in (
        ("石井 あかり", "ishii@station.example.jp"),
        ("森 ひかる", "mori@station.example.jp"),
    ):
        token = await invite(admin, city, smtp)
        applied = await visitor.post(
            f"/api/invitations/{token}/apply", application(city, name=name, email=email)
        )
        smtp.clear()
        approved = await admin.post(
            f"/api/admin/applications/{applied.json()['applicationId']}/approve"
        )
        assert approved.status_code == 200, approved.text
        (mail,) = smtp.wait_for(1)
        assert mail.rcpt_tos == (email,)
        assert approved.json()["subjectUser"]["loginId"] in mail.text
        links.append(SmtpSink.links(mail)[0])

    first = links[0].rsplit("/", 1)[1]
    done = await visitor.post(
        f"/api/activation/{first}", {"password": "朝の訪問で見た庭の椿がきれいだった"}
    )
    assert done.status_code == 200, done.text
    replay = await visitor.post(
        f"/api/activation/{first}", {"password": "朝の訪問で見た庭の椿がきれいだった"}
    )
    assert replay.status_code == 404

    second = links[1].rsplit("/", 1)[1]
    clock.advance(days=7, seconds=1)
    expired = await visitor.post(
        f"/api/activation/{second}", {"password": "朝の訪問で見た庭の椿がきれいだった"}
    )
    assert expired.status_code == 404


# -- revoking an unused invitation ------------------------------------------------------------


async def _invitation_id(admin: ApiClient) -> str:
    (newest, *_) = (await admin.get("/api/admin/invitations")).json()
    return str(newest["id"])


async def test_an_admin_revokes_an_unused_invitation_and_the_link_stops_working(
    city: City,
    sign_in: SignIn,
    clients: Clients,
    smtp: SmtpSink,
    sessionmaker: Any,
    clock: FrozenClock,
) -> None:
    admin = await sign_in(city.users["admin"])
    token = await invite(admin, city, smtp)
    invitation_id = await _invitation_id(admin)
    visitor = await clients.anonymous()
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 200

    revoked = await admin.post(f"/api/admin/invitations/{invitation_id}/revoke")
    assert revoked.status_code == 200, revoked.text
    body = revoked.json()
    assert body["state"] == "revoked"
    assert body["revokedBy"] == "市役所 太郎"
    assert body["revokedAt"] is not None and body["usedAt"] is None

    # The link: refused at the look-up and at the apply step, in both languages.
    shown = await visitor.get(f"/api/invitations/{token}")
    assert shown.status_code == 410
    assert shown.json()["error"] == "link_revoked"
    assert "取り消されました" in shown.json()["message"]
    english = await visitor.get(f"/api/invitations/{token}", headers={"Accept-Language": "en"})
    assert english.status_code == 410 and "revoked" in english.json()["message"]
    applied = await visitor.post(f"/api/invitations/{token}/apply", application(city))
    assert applied.status_code == 410
    assert applied.json()["error"] == "link_revoked"
    async with sessionmaker() as s:
        assert list(await s.scalars(select(Application))) == []
        assert list(await s.scalars(select(Pledge))) == []
        (event,) = list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "admin.invitation_revoked")
            )
        )
        details = [e.details for e in await s.scalars(select(AuditEvent))]
    assert event.actor_id == city.id("admin")
    assert event.target_type == "invitation" and event.target_id == invitation_id
    assert event.details == {"officeId": str(city.offices["station"])}
    assert token not in repr(details)

    # Revoked is final: once more → 409, and the list keeps saying so after the expiry date.
    again = await admin.post(f"/api/admin/invitations/{invitation_id}/revoke")
    assert again.status_code == 409
    assert again.json() == {
        "error": "invitation_not_pending",
        "message": "この招待はすでに取り消されています。",
        "state": "revoked",
    }
    clock.advance(days=8)
    admin = await sign_in(city.users["admin"])  # the old session timed out meanwhile
    (row,) = (await admin.get("/api/admin/invitations")).json()
    assert row["state"] == "revoked" and row["revokedBy"] == "市役所 太郎"
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 410


async def test_used_expired_and_unknown_invitations_cannot_be_revoked(
    city: City,
    sign_in: SignIn,
    clients: Clients,
    smtp: SmtpSink,
    sessionmaker: Any,
    clock: FrozenClock,
) -> None:
    admin = await sign_in(city.users["admin"])
    visitor = await clients.anonymous()
    token = await invite(admin, city, smtp)
    used_id = await _invitation_id(admin)
    applied = await visitor.post(f"/api/invitations/{token}/apply", application(city))
    assert applied.status_code == 201, applied.text

    refused = await admin.post(
        f"/api/admin/invitations/{used_id}/revoke", headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "invitation_not_pending"
    assert refused.json()["state"] == "used"
    assert "already been used" in refused.json()["message"]
    ja = await admin.post(f"/api/admin/invitations/{used_id}/revoke")
    assert "使用され" in ja.json()["message"] and "却下" in ja.json()["message"]

    clock.advance(minutes=1)  # newest first: the second invitation is the later one
    await invite(admin, city, smtp)
    expired_id = await _invitation_id(admin)
    assert expired_id != used_id
    clock.advance(days=7)
    admin = await sign_in(city.users["admin"])  # the old session timed out meanwhile
    late = await admin.post(f"/api/admin/invitations/{expired_id}/revoke")
    assert late.status_code == 409
    assert late.json()["state"] == "expired" and "期限" in late.json()["message"]

    unknown = await admin.post("/api/admin/invitations/0190f3a0-0000-7000-8000-000000000000/revoke")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "invitation_not_found"
    bad = await admin.post("/api/admin/invitations/not-a-uuid/revoke")
    assert bad.status_code in (400, 404)

    states = {i["id"]: i["state"] for i in (await admin.get("/api/admin/invitations")).json()}
    assert states == {used_id: "used", expired_id: "expired"}
    async with sessionmaker() as s:
        revokes = list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "admin.invitation_revoked")
            )
        )
    assert revokes == []  # refusals changed nothing


async def test_only_city_admins_revoke(
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink
) -> None:
    admin = await sign_in(city.users["admin"])
    token = await invite(admin, city, smtp)
    invitation_id = await _invitation_id(admin)
    for key in ("station_admin", "station_nurse"):
        api = await sign_in(city.users[key])
        response = await api.post(f"/api/admin/invitations/{invitation_id}/revoke")
        assert response.status_code == 403
        assert response.json()["error"] == "admin_only"
    visitor = await clients.anonymous()
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 200
    anonymous = await visitor.post(f"/api/admin/invitations/{invitation_id}/revoke")
    assert anonymous.status_code == 401
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 200

    operator = await sign_in(city.users["operator"])
    done = await operator.post(f"/api/admin/invitations/{invitation_id}/revoke")
    assert done.status_code == 200 and done.json()["revokedBy"] == "運用 次郎"
    assert (await visitor.get(f"/api/invitations/{token}")).status_code == 410
