"""Invitation and activation links: e-mailed, single-use, and expiring after 7 days."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from server.models import AuditEvent, Pledge
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
    city: City, sign_in: SignIn, clients: Clients, smtp: SmtpSink, clock: FrozenClock
) -> None:
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
