"""`POST /api/sync/push` as the OpenAPI document describes it: each mutation a member of a
union tagged by `name` with its own arguments, the envelope strict, and one bad mutation
rejected on its own (never the whole push as a 400)."""

from __future__ import annotations

from typing import Any

import pytest

from server.api_document import openapi_document
from server.clock import FrozenClock
from server.settings import Settings
from store.models.enums import Permission
from sync.mutations import ARG_TYPES
from tests.support.api import ApiClient
from tests.sync.support import signed_in
from tests.sync.world import RoomIds, open_room, uid


@pytest.fixture()
async def nurse(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> tuple[ApiClient, RoomIds]:
    """A signed-in nurse who may write in one room."""
    user, api = await signed_in(client, sessionmaker, settings, clock, "nurse-hanako")
    room = await open_room(sessionmaker, clock.now(), {user.id: Permission.write})
    return api, room


def schema(document: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    name = ref["$ref"].rsplit("/", 1)[-1]
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def test_the_document_names_every_mutation_and_its_arguments() -> None:
    document = openapi_document()
    body = document["paths"]["/api/sync/push"]["post"]["requestBody"]["content"]
    push = schema(document, body["application/json"]["schema"])
    assert push["required"] == ["clientId", "mutations"]
    members = [schema(document, ref) for ref in push["properties"]["mutations"]["items"]["oneOf"]]
    names = {member["properties"]["name"]["const"]: member for member in members}
    assert set(names) == set(ARG_TYPES)
    for name, member in names.items():
        args = schema(document, member["properties"]["args"])
        assert args["title"] == ARG_TYPES[name].__name__
        assert member["required"] == ["args", "id", "name"]
    post_create = schema(document, names["post.create"]["properties"]["args"])
    assert {"id", "roomId", "reportTitleId"} <= set(post_create["required"])
    # Vitals alone are a record: the text may be left out.
    assert "body" not in post_create["required"]
    assert post_create["properties"]["body"]["maxLength"] == 10_000


async def test_one_malformed_mutation_is_rejected_alone(
    nurse: tuple[ApiClient, RoomIds],
) -> None:
    nurse_api, room = nurse
    good = {"id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "訪問しました。"}
    answer = await nurse_api.post("/api/sync/push", {"clientId": "contract-1", "mutations": [
        {"id": 1, "name": "post.create", "args": {**good, "vitals": {"pulse": "速い"}}},
        {"id": 2, "name": "post.teleport", "args": {}},
        {"id": 3, "name": "post.create", "args": {"id": uid(), "body": "部屋がない"}},
        {"id": 4, "name": "post.create", "args": good},
    ]})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [(r["status"], r.get("reason", {}).get("code")) for r in results] == [
        ("rejected", "invalid_args"),
        ("rejected", "unknown_mutation"),
        ("rejected", "invalid_args"),
        ("ok", None),
    ]
    assert results[0]["reason"]["en"] and results[0]["reason"]["ja"]


@pytest.mark.parametrize(
    "body",
    [
        {"clientId": "contract-1", "mutations": [], "extra": 1},  # unknown envelope field
        {"clientId": "x", "mutations": []},  # client id too short
        {"clientId": "contract-1", "mutations": [{"id": 0, "name": "post.delete", "args": {}}]},
        {"clientId": "contract-1", "mutations": [{"id": 1, "name": "post.delete"}]},
    ],
)
async def test_a_malformed_envelope_is_a_bad_request(
    nurse: tuple[ApiClient, RoomIds], body: dict[str, Any]
) -> None:
    nurse_api, _room = nurse
    answer = await nurse_api.post("/api/sync/push", body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_input"
