"""Through the real API: a post made with `/api/sync/push` reaches the other members'
subscriptions (made with `/api/push/subscriptions`) encrypted, once, without patient data;
the author and a member who muted the room (with `/api/push/preferences`) get nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from server.push.payload import POST_KEYS
from server.settings import Settings
from store.models import Outbox
from store.models.enums import JobType, Permission
from tests.support.push_receiver import PushReceiver
from tests.sync.support import signed_in
from tests.sync.world import open_room, uid

PATIENT = "架空 花子"


async def test_a_synced_post_is_pushed_to_the_other_members_once(
    live_client: Any,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
) -> None:
    def other() -> Any:
        return live_client.__class__(live_client.app, base_url=str(live_client.base_url))

    async with other() as doctor_http, other() as pharmacist_http:
        nurse, nurse_api = await signed_in(live_client, sessionmaker, settings, clock, "nurse")
        doctor, doctor_api = await signed_in(doctor_http, sessionmaker, settings, clock,
                                             "doctor", job_type=JobType.doctor)
        pharmacist, pharmacist_api = await signed_in(
            pharmacist_http, sessionmaker, settings, clock, "pharmacist",
            job_type=JobType.pharmacist)
        room = await open_room(
            sessionmaker, clock.now(),
            {nurse.id: Permission.write, doctor.id: Permission.write,
             pharmacist.id: Permission.read},
            patient_name=PATIENT,
        )
        subs = {}
        for name, api in (("nurse", nurse_api), ("doctor", doctor_api),
                          ("pharmacist", pharmacist_api)):
            key = (await api.get("/api/push/key")).json()["publicKey"]
            subs[name] = receiver.new_subscription(name, application_server_key=key)
            created = await api.post("/api/push/subscriptions", subs[name])
            assert created.status_code == 201, created.text
        muted = await pharmacist_api.request("PUT", "/api/push/preferences", {
            "enabled": True, "quietHours": None, "mutedRoomIds": [str(room.room_id)],
            "showRoomLabel": False,
        })
        assert muted.status_code == 200, muted.text

        body = f"{PATIENT}さん 訪問時 SpO2 88%、至急往診をお願いします"
        pushed = await nurse_api.post("/api/sync/push", {
            "clientId": "nurse-tablet",
            "mutations": [{"id": 1, "name": "post.create", "args": {
                "id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
                "body": body, "urgent": True}}],
        })
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["results"] == [{"id": 1, "status": "ok"}]

        [message] = await asyncio.to_thread(receiver.wait_for, 1, 5.0, endpoint=subs["doctor"])
        assert message.json == {"type": "post", "room": str(room.room_id), "count": 1,
                                "urgent": True}
        assert set(message.json) <= POST_KEYS
        assert message.urgency == "high"
        text = message.payload.decode()
        for needle in (PATIENT, "架空", "花子", "SpO2", "往診", "みどり市"):
            assert needle not in text

        async with sessionmaker() as session:
            for _ in range(100):
                if (await session.scalars(select(Outbox.status))).all() == ["sent"]:
                    break
                await session.rollback()
                await asyncio.sleep(0.05)
            assert (await session.scalars(select(Outbox.status))).all() == ["sent"]
        assert receiver.attempts(subs["nurse"]) == []
        assert receiver.attempts(subs["pharmacist"]) == []
        assert len(receiver.received()) == 1
