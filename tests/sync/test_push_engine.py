"""The push side of the engine on a bare session: order, at-most-once, validation, permissions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from server.clock import FrozenClock
from store.models import Attachment, ChangeLog, ClientMutation, Comment, Post, ReadReceipt, Room
from store.models.enums import Permission
from sync.attention import addressee_id
from sync.hooks import Hooks, NewPost
from sync.push import ClientIdTaken, Mutation, MutationResult, apply_mutations
from tests.sync.conftest import People
from tests.sync.world import RoomIds, add_attachment, close_room, leave, open_room, uid


async def push(
    sm: Any, user_id: uuid.UUID, client: str, mutations: list[tuple[int, str, Any]],
    now: Any, hooks: Hooks | None = None,
) -> list[MutationResult]:
    async with sm() as session:
        return await apply_mutations(
            session, user_id, client, [Mutation(*m) for m in mutations], now, hooks
        )


def post_args(room: RoomIds, **extra: Any) -> dict[str, Any]:
    return {"id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "訪問しました。", **extra}


async def count(sm: Any, model: Any, *where: Any) -> int:
    async with sm() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where))
                   or 0)


async def test_applies_in_order_at_most_once(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    first, second = post_args(room), post_args(room, urgent=True)
    batch = [(1, "post.create", first), (2, "post.create", second)]
    results = await push(sessionmaker, people.nurse, "client-one", batch, clock.now())
    assert [(r.id, r.status, r.applied) for r in results] == [(1, "ok", True), (2, "ok", True)]
    # The same batch again (the answer was lost): ok, and nothing happens twice.
    again = await push(sessionmaker, people.nurse, "client-one", batch, clock.now())
    assert [(r.id, r.status, r.applied) for r in again] == [(1, "ok", False), (2, "ok", False)]
    assert await count(sessionmaker, Post, Post.room_id == room.room_id) == 2
    assert await count(sessionmaker, ChangeLog, ChangeLog.entity_type == "post") == 2
    async with sessionmaker() as session:
        record = await session.get(ClientMutation, "client-one")
        assert record is not None and record.last_mutation_id == 2
        posts = {p.id: p for p in await session.scalars(select(Post))}
        room_row = await session.get(Room, room.room_id)
    assert room_row is not None
    versions = sorted(p.version for p in posts.values())
    assert versions[-1] == room_row.version  # the row carries the room version it was written at
    assert posts[uuid.UUID(second["id"])].urgent is True
    # Another client of the same user has its own sequence.
    other = await push(sessionmaker, people.nurse, "client-two", [(1, "post.create",
                                                                    post_args(room))], clock.now())
    assert other[0].status == "ok" and other[0].applied


async def test_a_rejected_mutation_counts_and_does_not_block(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    good = post_args(room)
    results = await push(
        sessionmaker, people.nurse, "client-one",
        [(1, "post.create", post_args(room, body="")), (2, "post.create", good)], clock.now(),
    )
    assert results[0].status == "rejected" and results[0].reason is not None
    # No text and no vitals: nothing to record.
    assert results[0].reason.code == "blank_body"
    assert results[0].reason.en and results[0].reason.ja
    assert results[1].status == "ok"
    # Retrying the rejected one with the same id: answered from the record, not applied.
    retry = await push(sessionmaker, people.nurse, "client-one",
                       [(1, "post.create", post_args(room))], clock.now())
    assert retry[0].status == "ok" and not retry[0].applied
    assert await count(sessionmaker, Post) == 1


async def test_gaps_in_ids_are_accepted_and_lower_ids_are_not_applied(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    results = await push(sessionmaker, people.nurse, "client-one",
                         [(5, "post.create", post_args(room))], clock.now())
    assert results[0].applied
    late = await push(sessionmaker, people.nurse, "client-one",
                      [(3, "post.create", post_args(room))], clock.now())
    assert late[0].status == "ok" and not late[0].applied
    assert await count(sessionmaker, Post) == 1


async def test_client_id_of_another_user_is_refused(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await push(sessionmaker, people.nurse, "shared-tablet", [(1, "post.create", post_args(room))],
               clock.now())
    with pytest.raises(ClientIdTaken):
        await push(sessionmaker, people.doctor, "shared-tablet",
                   [(1, "post.create", post_args(room))], clock.now())
    assert await count(sessionmaker, Post) == 1


BAD_POSTS: list[tuple[str, dict[str, Any], str]] = [
    ("empty body", {"body": ""}, "blank_body"),
    ("blank body", {"body": " \n\u3000"}, "blank_body"),
    ("body too long", {"body": "あ" * 10_001}, "invalid_args"),
    ("body not text", {"body": 12}, "invalid_args"),
    ("unknown field", {"mood": "good"}, "invalid_args"),
    ("urgent not bool", {"urgent": "yes"}, "invalid_args"),
    ("systolic too high", {"vitals": {"systolic": 301}}, "invalid_args"),
    ("systolic too low", {"vitals": {"systolic": 39}}, "invalid_args"),
    ("diastolic out", {"vitals": {"diastolic": 201}}, "invalid_args"),
    ("pulse out", {"vitals": {"pulse": 19}}, "invalid_args"),
    ("temperature out", {"vitals": {"temperature": 45.1}}, "invalid_args"),
    ("temperature low", {"vitals": {"temperature": 29.9}}, "invalid_args"),
    ("spo2 out", {"vitals": {"spo2": 101}}, "invalid_args"),
    ("respiration out", {"vitals": {"respirationRate": 81}}, "invalid_args"),
    ("weight out", {"vitals": {"weight": 0.5}}, "invalid_args"),
    ("glucose out", {"vitals": {"bloodGlucose": 1001}}, "invalid_args"),
    ("pulse fractional", {"vitals": {"pulse": 72.5}}, "invalid_args"),
    ("unknown vital", {"vitals": {"heartRate": 80}}, "invalid_args"),
    ("vitals not object", {"vitals": [120]}, "invalid_args"),
    ("11 attachments", {"attachmentIds": [uid() for _ in range(11)]}, "invalid_args"),
    ("attachment missing", {"attachmentIds": [uid()]}, "bad_attachment"),
    ("bad kind", {"kind": "other"}, "invalid_args"),
    ("closing without reason", {"kind": "closingRequest"}, "bad_closing_reason"),
    ("reason without closing", {"closingReason": "death"}, "bad_closing_reason"),
    ("unknown closing reason", {"kind": "closingRequest", "closingReason": "moved"},
     "invalid_args"),
    ("id not uuid", {"id": "post-1"}, "invalid_args"),
    ("id uuid v1", {"id": str(uuid.uuid1())}, "bad_id"),
    ("room id not uuid", {"roomId": 3}, "invalid_args"),
    ("unknown room", {"roomId": uid()}, "not_member"),
    ("title of no room", {"reportTitleId": uid()}, "bad_report_title"),
]


@pytest.mark.parametrize(("case", "extra", "code"), BAD_POSTS, ids=[c[0] for c in BAD_POSTS])
async def test_bad_post_arguments_are_rejected_with_a_reason(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds,
    case: str, extra: dict[str, Any], code: str,
) -> None:
    results = await push(sessionmaker, people.nurse, "client-one",
                         [(1, "post.create", post_args(room, **extra))], clock.now())
    assert results[0].status == "rejected", case
    assert results[0].reason is not None and results[0].reason.code == code
    assert results[0].reason.ja and results[0].reason.en
    assert await count(sessionmaker, Post) == 0
    assert await count(sessionmaker, ChangeLog, ChangeLog.entity_type == "post") == 0


async def test_good_vitals_and_closing_request_are_stored(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    vitals = {"systolic": 300, "diastolic": 20, "pulse": 72, "temperature": 36.5, "spo2": 50,
              "respirationRate": 4, "weight": 300, "bloodGlucose": 10}
    args = post_args(room, vitals=vitals, reportTitleId=str(room.titles[1]))
    closing = post_args(room, kind="closingRequest", closingReason="facilityAdmission")
    results = await push(sessionmaker, people.nurse, "client-one",
                         [(1, "post.create", args), (2, "post.create", closing)], clock.now())
    assert [r.status for r in results] == ["ok", "ok"]
    async with sessionmaker() as session:
        post = await session.get(Post, uuid.UUID(args["id"]))
        request = await session.get(Post, uuid.UUID(closing["id"]))
    assert post is not None and post.vitals == vitals
    assert request is not None and (request.kind, request.closing_reason) == (
        "closingRequest", "facilityAdmission")


async def test_attachments_must_be_own_unused_photos_of_the_room(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    mine = await add_attachment(sessionmaker, room.room_id, people.nurse)
    theirs = await add_attachment(sessionmaker, room.room_id, people.doctor)
    elsewhere = await add_attachment(sessionmaker, None, people.nurse)
    second = await add_attachment(sessionmaker, room.room_id, people.nurse)
    cases = [[str(theirs)], [str(elsewhere)], [str(mine), str(mine)]]
    batch = [(i + 1, "post.create", post_args(room, attachmentIds=ids))
             for i, ids in enumerate(cases)]
    good = post_args(room, attachmentIds=[str(mine), str(second)])
    batch.append((10, "post.create", good))
    reuse = post_args(room, attachmentIds=[str(mine)])
    batch.append((11, "post.create", reuse))
    results = await push(sessionmaker, people.nurse, "client-one", batch, clock.now())
    assert [(r.status, r.reason.code if r.reason else None) for r in results] == [
        ("rejected", "bad_attachment"),
        ("rejected", "bad_attachment"),
        ("rejected", "duplicate_attachment"),
        ("ok", None),
        ("rejected", "bad_attachment"),  # already attached to the post before
    ]
    async with sessionmaker() as session:
        attached = await session.get(Attachment, mine)
        post = await session.get(Post, uuid.UUID(good["id"]))
    assert attached is not None and str(attached.post_id) == good["id"]
    assert post is not None and post.attachment_ids == [str(mine), str(second)]


async def test_reusing_an_id_with_other_content_is_rejected_same_content_is_ok(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    args = post_args(room)
    await push(sessionmaker, people.nurse, "client-one", [(1, "post.create", args)], clock.now())
    # A reinstalled client replays its outbox under a new client id: same post, no harm.
    same = await push(sessionmaker, people.nurse, "client-new", [(1, "post.create", args)],
                      clock.now())
    assert same[0].status == "ok"
    changed = await push(sessionmaker, people.nurse, "client-new",
                         [(2, "post.create", {**args, "body": "別の内容"})], clock.now())
    assert changed[0].reason is not None and changed[0].reason.code == "id_taken"
    stolen = await push(sessionmaker, people.doctor, "client-doc",
                        [(1, "post.create", args)], clock.now())
    assert stolen[0].reason is not None and stolen[0].reason.code == "id_taken"
    as_comment = await push(sessionmaker, people.doctor, "client-doc",
                            [(2, "comment.create", {"id": args["id"], "postId": args["id"],
                                                    "body": "x"})], clock.now())
    assert as_comment[0].reason is not None and as_comment[0].reason.code == "id_taken"
    assert await count(sessionmaker, Post) == 1
    assert await count(sessionmaker, ChangeLog, ChangeLog.entity_type == "post") == 1


async def test_permissions(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    expected = {
        people.reader: "read_only",
        people.outsider: "not_member",
        people.admin: "not_member",  # admins never write in contact books, membership or not
    }
    for user_id, code in expected.items():
        results = await push(sessionmaker, user_id, f"client-{user_id.hex[-12:]}",
                             [(1, "post.create", post_args(room))], clock.now())
        assert results[0].reason is not None and results[0].reason.code == code
    await leave(sessionmaker, room.room_id, people.doctor, clock.now())
    former = await push(sessionmaker, people.doctor, "client-doctor",
                        [(1, "post.create", post_args(room))], clock.now())
    assert former[0].reason is not None and former[0].reason.code == "not_member"
    await close_room(sessionmaker, room.room_id, clock.now())
    closed = await push(sessionmaker, people.nurse, "client-nurse",
                        [(1, "post.create", post_args(room))], clock.now())
    assert closed[0].reason is not None and closed[0].reason.code == "room_closed"
    assert await count(sessionmaker, Post) == 0
    # Reading is not writing: a read-only member marks receipts, also in a closed room.
    receipt = await push(sessionmaker, people.reader, "client-reader",
                         [(2, "receipt.mark", {"roomId": str(room.room_id), "upToVersion": 5})],
                         clock.now())
    assert receipt[0].status == "ok"


async def test_edit_conflict_author_only_and_tombstones(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    args = post_args(room)
    post_id = uuid.UUID(args["id"])
    comment = {"id": uid(), "postId": args["id"], "body": "了解しました。"}
    await push(sessionmaker, people.nurse, "nurse-1",
               [(1, "post.create", args)], clock.now())
    await push(sessionmaker, people.doctor, "doctor-1", [(1, "comment.create", comment)],
               clock.now())
    async with sessionmaker() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        base = post.version
    clock.advance(minutes=5)
    results = await push(sessionmaker, people.nurse, "nurse-1", [
        (2, "post.edit", {"id": args["id"], "baseVersion": base, "body": "訂正: 訪問済み",
                          "urgent": True, "vitals": {"pulse": 80}}),
        (3, "post.edit", {"id": args["id"], "baseVersion": base, "body": "古い版からの編集"}),
        (4, "post.edit", {"id": args["id"], "baseVersion": base + 99}),
    ], clock.now())
    assert results[0].status == "ok"
    assert results[1].status == "conflict" and results[1].server_state is not None
    assert results[1].server_state.body == "訂正: 訪問済み"
    assert results[1].server_state.version > base
    assert results[2].status == "conflict"
    by_doctor = await push(sessionmaker, people.doctor, "doctor-1", [
        (2, "post.edit", {"id": args["id"], "baseVersion": 0, "body": "x"}),
        (3, "post.delete", {"id": args["id"]}),
        (4, "comment.delete", {"id": comment["id"]}),
    ], clock.now())
    assert [r.reason.code if r.reason else None for r in by_doctor] == [
        "not_author", "not_author", None]
    async with sessionmaker() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        assert (post.body, post.urgent, post.vitals) == ("訂正: 訪問済み", True, {"pulse": 80})
        assert post.edited_at == clock.now()
        gone = await session.get(Comment, uuid.UUID(comment["id"]))
        assert gone is not None and gone.deleted_at is not None  # the doctor's own comment
    second = {"id": uid(), "postId": args["id"], "body": "追記"}
    await push(sessionmaker, people.doctor, "doctor-1", [(5, "comment.create", second)],
               clock.now())
    deleted = await push(sessionmaker, people.nurse, "nurse-1",
                         [(5, "post.delete", {"id": args["id"]}),
                          (6, "post.edit", {"id": args["id"], "baseVersion": 0, "body": "x"}),
                          (7, "comment.create", {"id": uid(), "postId": args["id"],
                                                 "body": "x"})],
                         clock.now())
    assert [r.reason.code if r.reason else None for r in deleted] == [None, "deleted", "deleted"]
    async with sessionmaker() as session:
        post = await session.get(Post, post_id)
        second_row = await session.get(Comment, uuid.UUID(second["id"]))
        log = list(await session.scalars(
            select(ChangeLog.op).where(ChangeLog.entity_id == second["id"])
            .order_by(ChangeLog.version)))
    assert post is not None and post.deleted_at is not None
    assert second_row is not None and second_row.deleted_at is not None  # went with the post
    assert log == ["put", "del"]


async def test_receipts_only_move_forward_and_clamp(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    async with sessionmaker() as session:
        head = (await session.get(Room, room.room_id)).version  # type: ignore[union-attr]
    mark = lambda i, v: (i, "receipt.mark", {"roomId": str(room.room_id), "upToVersion": v})  # noqa: E731
    results = await push(sessionmaker, people.nurse, "nurse-1",
                         [mark(1, 3), mark(2, 2), mark(3, 10_000)], clock.now())
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    async with sessionmaker() as session:
        receipt = await session.get(ReadReceipt, (room.room_id, people.nurse))
    assert receipt is not None
    assert receipt.up_to_version == head + 1  # clamped to the head (the first mark moved it)
    assert await count(sessionmaker, ChangeLog, ChangeLog.entity_type == "receipt") == 2
    nothing = await push(sessionmaker, people.doctor, "doctor-1", [mark(1, 0)], clock.now())
    assert nothing[0].status == "ok"
    assert await count(sessionmaker, ReadReceipt, ReadReceipt.user_id == people.doctor) == 0
    bad = await push(sessionmaker, people.doctor, "doctor-1",
                     [(2, "receipt.mark", {"roomId": str(room.room_id), "upToVersion": -1}),
                      (3, "receipt.mark", {"roomId": uid(), "upToVersion": 1}),
                      (4, "nap.take", {})], clock.now())
    assert [r.reason.code if r.reason else None for r in bad] == [
        "invalid_args", "not_member", "unknown_mutation"]


async def test_hooks_run_in_the_mutation_transaction(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    seen: list[NewPost] = []
    records: list[Any] = []

    async def post_created(session: Any, post: NewPost) -> None:
        # Inside the transaction: the post is visible to the hook's session.
        assert await session.get(Post, post.post_id) is not None
        seen.append(post)

    async def done(session: Any, record: Any) -> None:
        records.append(record)

    hooks = Hooks(post_created=post_created, mutation_done=done)
    args = post_args(room, urgent=True)
    await push(sessionmaker, people.nurse, "nurse-1",
               [(1, "post.create", args), (2, "post.create", post_args(room, body=""))],
               clock.now(), hooks)
    assert [(str(p.post_id), p.urgent, p.author_id) for p in seen] == [
        (args["id"], True, people.nurse)]
    assert [(r.mutation_id, r.status, r.reason_code, r.room_id) for r in records] == [
        (1, "ok", None, room.room_id), (2, "rejected", "blank_body", None)]

    async def broken(session: Any, post: NewPost) -> None:
        raise RuntimeError("outbox down")

    with pytest.raises(RuntimeError):
        await push(sessionmaker, people.nurse, "nurse-1", [(3, "post.create", post_args(room))],
                   clock.now(), Hooks(post_created=broken))
    # Neither the post nor the client's record moved: the retry will apply it.
    assert await count(sessionmaker, Post) == 1
    async with sessionmaker() as session:
        record = await session.get(ClientMutation, "nurse-1")
    assert record is not None and record.last_mutation_id == 2


async def test_a_non_member_cannot_tell_an_existing_post_from_a_missing_one(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    """Issue 13, item 6: naming another room's post or comment (or the row that says whom a
    post addresses) by id answers exactly what naming an id that was never used answers — no
    `not_member` that confirms it exists."""
    args = post_args(room, addresseeIds=[str(people.reader)])
    comment = {"id": uid(), "postId": args["id"], "body": "了解しました。"}
    made = await push(sessionmaker, people.nurse, "client-nurse",
                      [(1, "post.create", args), (2, "comment.create", comment)], clock.now())
    assert [r.status for r in made] == ["ok", "ok"]
    # The outsider writes in a room of its own, so it is a writer somewhere.
    await open_room(sessionmaker, clock.now(), {people.outsider: Permission.write},
                    patient_name="別の 患者")

    def probes(post_id: str, comment_id: str) -> list[tuple[str, dict[str, Any]]]:
        # An addressee row's id derives from the post and the person: anyone can work it out.
        addressed = str(addressee_id(uuid.UUID(post_id), people.reader))
        return [
            ("post.edit", {"id": post_id, "baseVersion": 1, "body": "書き換え"}),
            ("post.delete", {"id": post_id}),
            ("comment.create", {"id": uid(), "postId": post_id, "body": "こんにちは"}),
            ("comment.delete", {"id": comment_id}),
            ("post.markUnread", {"postId": post_id}),
            ("addressee.done", {"id": addressed}),
        ]

    existing = probes(args["id"], comment["id"])
    missing = probes(uid(), uid())
    answers = []
    for n, (name, probe_args) in enumerate(existing + missing, start=1):
        (result,) = await push(sessionmaker, people.outsider, "client-outsider",
                               [(n, name, probe_args)], clock.now())
        assert result.status == "rejected" and result.reason is not None
        answers.append((name, result.reason, result.server_state))
    assert answers[: len(existing)] == answers[len(existing):]
    assert {reason.code for _, reason, _ in answers} == {"not_found"}
    # Nothing changed in the nurse's room.
    async with sessionmaker() as session:
        post = await session.get(Post, uuid.UUID(args["id"]))
        kept = await session.get(Comment, uuid.UUID(comment["id"]))
    assert post is not None and post.body == args["body"] and post.deleted_at is None
    assert kept is not None and kept.deleted_at is None
    assert await count(sessionmaker, Comment) == 1
