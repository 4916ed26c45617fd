"""Approving an invited person's ID needs the office's 様式4-1 on record.

The manual's invitation flow: the person applies through the link, the office sends its
個人情報の取扱いに関する誓約書（様式4-1）to the city, and only then does the city approve.
Without the 4-1 the approval is refused with an answer naming the office and what to do;
nothing is issued and nobody is mailed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from store.models import Application, AuditEvent, User
from tests.factories import make_office_pledge
from tests.support.smtp import SmtpSink

from .conftest import City, Clients, SignIn


async def test_an_invited_id_waits_for_the_offices_pledge(
    city: City,
    sign_in: SignIn,
    clients: Clients,
    smtp: SmtpSink,
    sessionmaker: Any,
    clock: FrozenClock,
) -> None:
    admin = await sign_in(city.users["admin"])
    invited = await admin.post(
        "/api/admin/invitations",
        {"name": "石井 あかり", "email": "ishii@station.example.jp",
         "officeId": str(city.offices["station"])},
    )
    assert invited.status_code == 201
    token = SmtpSink.links(smtp.wait_for(1)[0])[0].rsplit("/", 1)[1]
    visitor = await clients.anonymous()
    applied = await visitor.post(
        f"/api/invitations/{token}/apply",
        {"name": "石井 あかり", "nameKana": "いしい あかり", "jobType": "nurse",
         "email": "ishii@station.example.jp",
         "pledge": {"version": "2024-04", "accepted": True}},
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["applicationId"]

    # The clerk sees, before approving, that the station's 4-1 is not on record …
    shown = (await admin.get(f"/api/admin/applications/{application_id}")).json()
    assert shown["kind"] == "idInvited" and shown["officePledge"] is None

    # … and approving says so, naming the office and the way forward; nothing happens.
    smtp.clear()
    refused = await admin.post(f"/api/admin/applications/{application_id}/approve")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "office_pledge_missing"
    assert body["officeId"] == str(city.offices["station"])
    assert "みどり訪問看護ステーション" in body["message"] and "様式4-1" in body["message"]
    assert "記録してから承認" in body["message"]
    english = await admin.post(
        f"/api/admin/applications/{application_id}/approve", headers={"Accept-Language": "en"}
    )
    assert "form 4-1" in english.json()["message"]
    async with sessionmaker() as s:
        issued = list(await s.scalars(select(User).where(User.email == "ishii@station.example.jp")))
        application = await s.get(Application, uuid.UUID(application_id))
        approvals = list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "admin.application_approved")
            )
        )
    assert issued == [] and application is not None and application.state == "submitted"
    assert approvals == []
    assert smtp.messages == []

    # The 4-1 arrives on paper and is recorded; now the ID is issued.
    await make_office_pledge(
        sessionmaker, city.offices["station"], at=clock.now(), signer="所長 田中 一"
    )
    pledged = (await admin.get(f"/api/admin/applications/{application_id}")).json()
    assert pledged["officePledge"]["signerName"] == "所長 田中 一"
    assert pledged["officePledge"]["version"] == "2024-04"
    approved = await admin.post(f"/api/admin/applications/{application_id}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["subjectUser"]["status"] == "pending"
    assert smtp.messages_to("ishii@station.example.jp")
