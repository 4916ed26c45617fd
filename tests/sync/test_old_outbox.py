"""An outbox written by an earlier PWA still applies.

A tablet can stay offline for days and then send what an older PWA queued, in the shapes
that PWA wrote (`fixtures/outbox-pwa-2026-12.json`, taken from the PWA of December 2026).
Mutation arguments therefore change only by adding optional fields, or by a new mutation
name beside the old one (sync/mutations.py); `SHIPPED` below is every name and field that
has shipped, and the second test fails when one is removed or made required.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import select

from server.clock import FrozenClock
from server.settings import Settings
from store.models import Comment, Post
from store.models.enums import Permission
from sync.mutations import ARG_TYPES
from tests.contact_book.photos import jpeg_with_gps
from tests.sync.support import signed_in
from tests.sync.world import open_room, uid

FIXTURE = Path(__file__).parent / "fixtures" / "outbox-pwa-2026-12.json"

# Every mutation name and argument that a shipped PWA may send: (required, optional).
SHIPPED: dict[str, tuple[set[str], set[str]]] = {
    "post.create": (
        {"id", "roomId", "reportTitleId", "body"},
        {"urgent", "vitals", "attachmentIds", "kind", "closingReason", "addresseeIds",
         "asksAnswer", "flagUrgent"},
    ),
    "post.edit": ({"id", "baseVersion"}, {"body", "reportTitleId", "urgent", "vitals"}),
    "post.delete": ({"id"}, set()),
    "comment.create": ({"id", "postId", "body"}, {"addresseeIds", "asksAnswer"}),
    "comment.delete": ({"id"}, set()),
    "receipt.mark": ({"roomId", "upToVersion"}, set()),
    "threshold.set": ({"roomId", "sign"}, {"low", "high"}),
    "addressee.done": ({"id"}, {"done"}),
    "attention.clear": ({"roomId", "upToVersion"}, set()),
    "post.markUnread": ({"postId"}, {"unread"}),
    "medication.set": (
        {"id", "roomId", "postId", "kind", "name"},
        {"dose", "timing", "reaction", "startedOn", "stoppedOn", "note", "reportTitleId"},
    ),
    "medication.delete": ({"id", "postId"}, set()),
}


def filled(mutations: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The fixture's mutations with each `{placeholder}` replaced (numbers stay numbers)."""
    text = json.dumps(mutations, ensure_ascii=False)
    text = re.sub(r'"\{(\w+)\}"', lambda m: json.dumps(values[m.group(1)]), text)
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded


async def test_an_outbox_written_by_an_earlier_pwa_still_applies(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    user, api = await signed_in(client, sessionmaker, settings, clock, "nurse-hanako")
    room = await open_room(sessionmaker, clock.now(), {user.id: Permission.write})
    upload = await api.post(
        f"/api/rooms/{room.room_id}/attachments",
        files={"file": ("IMG_0001.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert upload.status_code == 201, upload.text
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    values: dict[str, Any] = {
        "room": str(room.room_id),
        "title": str(room.titles[0]),
        "vitalsTitle": str(room.titles[1]),
        "photo": upload.json()["id"],
        "post1": uid(), "post2": uid(), "post3": uid(), "comment1": uid(),
    }
    # The tablet sent its first two posts, pulled, and queued the rest offline (an edit
    # names the version it saw; a receipt, the newest version it read).
    first = await api.post("/api/sync/push", {
        "clientId": fixture["clientId"], "mutations": filled(fixture["mutations"][:2], values),
    })
    assert [r["status"] for r in first.json()["results"]] == ["ok", "ok"], first.text
    async with sessionmaker() as session:
        versions = dict((await session.execute(
            select(Post.id, Post.version).where(Post.room_id == room.room_id)
        )).tuples().all())
    values["post1Version"] = versions[uuid.UUID(values["post1"])]
    values["post2Version"] = versions[uuid.UUID(values["post2"])]
    rest = await api.post("/api/sync/push", {
        "clientId": fixture["clientId"], "mutations": filled(fixture["mutations"][2:], values),
    })
    assert rest.status_code == 200, rest.text
    assert rest.json()["results"] == [
        {"id": m["id"], "status": "ok"} for m in fixture["mutations"][2:]
    ]

    async with sessionmaker() as session:
        posts = {str(p.id): p for p in await session.scalars(
            select(Post).where(Post.room_id == room.room_id))}
        comment = await session.scalar(select(Comment).where(Comment.post_id.is_not(None)))
    edited = posts[values["post1"]]
    assert edited.body == "訪問時、血圧やや高め（152/88）。水分摂取を促しました。"
    assert edited.vitals == {"systolic": 152, "diastolic": 88, "pulse": 76,
                             "temperature": 36.7, "spo2": 96}
    assert posts[values["post2"]].urgent and posts[values["post2"]].attachment_ids == [
        values["photo"]]
    closing = posts[values["post3"]]
    assert closing.closing_reason == "facilityAdmission" and closing.deleted_at is not None
    assert comment is not None and comment.deleted_at is not None


def test_no_shipped_mutation_or_argument_was_removed_or_made_required() -> None:
    for name, (required, optional) in SHIPPED.items():
        assert name in ARG_TYPES, f"{name} shipped: keep accepting it"
        fields = msgspec.structs.fields(ARG_TYPES[name])
        now_required = {f.encode_name for f in fields if f.required}
        now_known = {f.encode_name for f in fields}
        assert required | optional <= now_known, f"{name}: a shipped argument was removed"
        assert now_required <= required, (
            f"{name}: {sorted(now_required - required)} became required; an old outbox "
            "lacks it. Add it as optional with a default, or add a new mutation name."
        )
