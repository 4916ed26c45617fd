"""`/api/sync/pull` and `/api/sync/push` over HTTP, signed in as the PWA would be: the round
trip between two members, the audit log, bad bodies (400, nothing changed), stopped users
and wiped devices."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import AuditEvent, ClientMutation, Device, Post, User
from store.models.enums import JobType, Permission, UserStatus
from store.writer import begin_write
from sync.changes import bump_membership_version
from tests.support.api import ApiClient
from tests.sync.support import signed_in
from tests.sync.world import open_room, uid


@pytest.fixture()
async def pair(client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock) -> Any:
    """A nurse (this client) and a doctor (a second client) in one room."""
    nurse, nurse_api = await signed_in(client, sessionmaker, settings, clock, "nurse-hanako")
    other_http = client.__class__(client.app, base_url=str(client.base_url))
    async with other_http:
        doctor, doctor_api = await signed_in(other_http, sessionmaker, settings, clock,
                                             "doctor-ichiro", job_type=JobType.doctor)
        room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write,
                                                           doctor.id: Permission.write})
        yield nurse, nurse_api, doctor, doctor_api, room


def create(room: Any, **extra: Any) -> dict[str, Any]:
    return {"id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "褥瘡の処置をしました。", **extra}


async def test_a_post_reaches_the_other_member_once(pair: Any, sessionmaker: Any) -> None:
    nurse, nurse_api, _doctor, doctor_api, room = pair
    first = await doctor_api.post("/api/sync/pull", {"cursor": None, "limit": 100})
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    cursor = first.json()["cursor"]
    args = create(room, urgent=True, vitals={"systolic": 128, "temperature": 36.8})
    pushed = await nurse_api.post("/api/sync/push", {
        "clientId": "nurse-tablet-1",
        "mutations": [{"id": 1, "name": "post.create", "args": args},
                      # Vitals alone are a record; no text and no vitals is not.
                      {"id": 2, "name": "post.create", "args": {**args, "id": uid(),
                                                                "body": " ", "vitals": None}}],
    })
    assert pushed.status_code == 200, pushed.text
    results = pushed.json()["results"]
    assert results[0] == {"id": 1, "status": "ok"}
    assert results[1]["status"] == "rejected"
    assert set(results[1]["reason"]) == {"code", "ja", "en"}
    assert results[1]["reason"]["code"] == "blank_body"
    delta = (await doctor_api.post("/api/sync/pull", {"cursor": cursor})).json()
    changes = delta["rooms"][str(room.room_id)]["changes"]
    assert [(c["type"], c["op"], c["id"]) for c in changes] == [("post", "put", args["id"])]
    data = changes[0]["data"]
    assert (data["body"], data["urgent"], data["vitals"], data["authorId"]) == (
        args["body"], True, {"systolic": 128, "temperature": 36.8}, str(nurse.id))
    assert data["createdAt"].endswith("Z")
    again = (await doctor_api.post("/api/sync/pull", {"cursor": delta["cursor"]})).json()
    assert again["rooms"] == {}
    # The nurse's own pull reports its client's last applied mutation.
    own = (await nurse_api.post("/api/sync/pull", {"cursor": None})).json()
    assert own["lastMutationIds"] == {"nurse-tablet-1": 2}
    # A stale edit conflicts and carries the server's state.
    conflict = await nurse_api.post("/api/sync/push", {"clientId": "nurse-tablet-1", "mutations": [
        {"id": 3, "name": "post.edit", "args": {"id": args["id"], "baseVersion": 1,
                                                 "body": "x"}}]})
    result = conflict.json()["results"][0]
    assert result["status"] == "conflict" and result["serverState"]["body"] == args["body"]


async def test_pulls_and_mutations_are_audited_without_text(
    pair: Any, sessionmaker: Any
) -> None:
    nurse, nurse_api, doctor, doctor_api, room = pair
    args = create(room)
    await nurse_api.post("/api/sync/push", {"clientId": "nurse-tablet-1", "mutations": [
        {"id": 1, "name": "post.create", "args": args},
        {"id": 2, "name": "post.delete", "args": {"id": uid()}},
    ]})
    await doctor_api.post("/api/sync/pull", {"cursor": None})
    cursor = (await doctor_api.post("/api/sync/pull", {"cursor": None})).json()["cursor"]
    empty = await doctor_api.post("/api/sync/pull", {"cursor": cursor})
    assert empty.json()["rooms"] == {}
    async with sessionmaker() as session:
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    mutations = [e for e in events if e.action in {"post.create", "post.delete"}]
    assert [(e.action, e.outcome, e.actor_id, e.room_id) for e in mutations] == [
        ("post.create", "ok", nurse.id, room.room_id),
        ("post.delete", "rejected", nurse.id, None),
    ]
    assert mutations[0].patient_id == room.patient_id
    assert mutations[0].target_id == args["id"] and mutations[0].device_key
    assert mutations[1].details["reason"] == "not_found"
    pulls = [e for e in events if e.action == "sync.pull"]
    assert len(pulls) == 2  # one per pull that returned the room's data, none for the empty one
    assert all(e.room_id == room.room_id and e.patient_id == room.patient_id for e in pulls)
    assert all(e.actor_id == doctor.id and e.details["count"] > 0 for e in pulls)
    text = " ".join(str(e.details) for e in events)
    assert args["body"] not in text


BAD_PULLS: list[Any] = [
    {"cursor": None, "limit": 0},
    {"cursor": None, "limit": 1001},
    {"cursor": ""},
    {"cursor": 12},
    {"cursor": "x" * 70_000},
    {"cursor": None, "since": 3},
    [],
    "pull",
]


@pytest.mark.parametrize("body", BAD_PULLS, ids=[str(i) for i in range(len(BAD_PULLS))])
async def test_bad_pull_bodies_are_400(pair: Any, body: Any) -> None:
    _, nurse_api, *_ = pair
    response = await nurse_api.post("/api/sync/pull", body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_input" and response.json()["message"]


async def test_a_forged_cursor_is_400(pair: Any) -> None:
    _, nurse_api, *_ = pair
    cursor = (await nurse_api.post("/api/sync/pull", {"cursor": None})).json()["cursor"]
    for bad in [cursor[:-3] + "AAA", "not.a-cursor", "x"]:
        response = await nurse_api.post("/api/sync/pull", {"cursor": bad},
                                        headers={"Accept-Language": "en"})
        assert response.status_code == 400
        assert response.json()["error"] == "sync_cursor_invalid"
        assert "cursor" in response.json()["message"]


def _push(mutations: Any, client_id: Any = "nurse-tablet-1") -> dict[str, Any]:
    return {"clientId": client_id, "mutations": mutations}


GOOD = {"id": 1, "name": "post.create", "args": {}}
BAD_PUSHES: list[Any] = [
    {},
    {"clientId": "nurse-tablet-1"},
    _push([GOOD], client_id="short"),
    _push([GOOD], client_id="bad client id!"),
    _push([GOOD], client_id="x" * 65),
    _push("post.create"),
    _push([{"id": 0, "name": "post.create", "args": {}}]),
    _push([{"id": -1, "name": "post.create", "args": {}}]),
    _push([{"id": 1.5, "name": "post.create", "args": {}}]),
    _push([{"id": 1, "name": "", "args": {}}]),
    _push([{"id": 1, "name": "p" * 41, "args": {}}]),
    _push([{"id": 1, "name": "post.create", "args": []}]),
    _push([{"id": 1, "name": "post.create"}]),
    _push([{**GOOD, "extra": 1}]),
    _push([{**GOOD, "id": i + 1} for i in range(101)]),
    _push([{**GOOD, "id": 2}, {**GOOD, "id": 1}]),
    _push([{**GOOD, "id": 2}, {**GOOD, "id": 2}]),
    {**_push([GOOD]), "extra": True},
]


@pytest.mark.parametrize("body", BAD_PUSHES, ids=[str(i) for i in range(len(BAD_PUSHES))])
async def test_bad_push_bodies_are_400_and_change_nothing(
    pair: Any, sessionmaker: Any, body: Any
) -> None:
    _, nurse_api, *_ = pair
    response = await nurse_api.post("/api/sync/push", body)
    assert response.status_code == 400, response.text
    assert response.json()["message"]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ClientMutation)) == 0
        assert await session.scalar(select(func.count()).select_from(Post)) == 0


async def test_not_json_is_400(pair: Any) -> None:
    _, nurse_api, *_ = pair
    for path in ("/api/sync/pull", "/api/sync/push"):
        response = await nurse_api.request("POST", path, content=b"{not json",
                                           headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text


async def test_a_client_id_of_another_user_is_409(pair: Any) -> None:
    _, nurse_api, _, doctor_api, room = pair
    await nurse_api.post("/api/sync/push", _push([{**GOOD, "args": create(room)}], "shared-id-1"))
    response = await doctor_api.post("/api/sync/push",
                                     _push([{**GOOD, "args": create(room)}], "shared-id-1"))
    assert response.status_code == 409 and response.json()["error"] == "client_id_taken"


async def test_stopped_users_and_wiped_devices_get_401(
    pair: Any, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse, nurse_api, _doctor, doctor_api, _room = pair
    async with sessionmaker() as session:
        await begin_write(session)
        await session.execute(update(Device).where(Device.device_key == doctor_api.device)
                              .values(wipe_requested_at=clock.now(), wipe_reason="lost"))
        await session.execute(update(User).where(User.id == nurse.id)
                              .values(status=UserStatus.stopped))
        await bump_membership_version(session, nurse.id)
        await session.commit()
    answers: dict[str, list[Any]] = {"nurse": [], "doctor": []}
    for who, api in (("nurse", nurse_api), ("doctor", doctor_api)):
        for method, path, body in [("POST", "/api/sync/pull", {"cursor": None}),
                                   ("POST", "/api/sync/push", _push([GOOD])),
                                   ("GET", "/api/sync/events", None)]:
            # As the PWA does: a refused CSRF token (the session is gone) is fetched anew once.
            response = await (api.get(path) if method == "GET" else api.post(path, body))
            assert response.status_code == 401, (path, response.text)
            answers[who].append(response)
    # The lost device is told to wipe on every request; the browser's own clearing comes
    # with the answer that delivers the order, once.
    assert all(a.json()["wipe"] is True for a in answers["doctor"])
    assert [a.headers.get("clear-site-data") for a in answers["doctor"]] == [
        '"cache", "storage"', None, None]
    assert not any(a.json().get("wipe") for a in answers["nurse"])
    wiped = await doctor_api.http.post("/api/sync/pull", json={"cursor": None},
                                       headers=doctor_api.headers())
    assert wiped.json()["wipe"] is True
    assert "clear-site-data" not in wiped.headers


async def test_unauthenticated_and_cross_site_requests_are_refused(
    pair: Any, client: Any
) -> None:
    anonymous = ApiClient(client.__class__(client.app, base_url=str(client.base_url)))
    async with anonymous.http:
        assert (await anonymous.get("/api/sync/events")).status_code == 401
        assert (await anonymous.post("/api/sync/pull", {"cursor": None})).status_code == 401
    _, nurse_api, *_ = pair
    forged = await nurse_api.http.post(
        "/api/sync/push", json=_push([GOOD]),
        headers={**nurse_api.headers(), "Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf"


async def test_unknown_mutation_names_are_rejected_not_400(pair: Any) -> None:
    _, nurse_api, *_ = pair
    response = await nurse_api.post("/api/sync/push", _push([
        {"id": 1, "name": "post.pin", "args": {"id": str(uuid.uuid4())}}]))
    assert response.status_code == 200
    assert response.json()["results"][0]["reason"]["code"] == "unknown_mutation"
