"""Issue 17 in the engine: out-of-range vitals flagged with the thresholds in force and kept,
thresholds set by the room's clinicians, posts and comments addressed to members (answered
by a comment or marked done), and each member's own reading state reaching only them.
Every refusal changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from server.clock import FrozenClock
from store.models import Addressee, Comment, Post, Room, RoomPersonal, VitalThreshold
from store.models.enums import JobType, Permission
from sync.hooks import Hooks, NewPost
from tests.sync.conftest import People
from tests.sync.test_push_engine import count, post_args, push
from tests.sync.world import Replica, RoomIds, add_user, join, pull_all, uid


def vitals_post(room: RoomIds, **extra: Any) -> dict[str, Any]:
    return post_args(room, reportTitleId=str(room.titles[1]), **extra)


async def pulled(sm: Any, user_id: uuid.UUID) -> Replica:
    replica = Replica()
    async with sm() as session:
        await pull_all(session, user_id, replica)
    return replica


async def change_log_size(sm: Any) -> int:
    """Every recorded change bumps its room's version: their sum moves if anything changed."""
    async with sm() as session:
        return int(await session.scalar(select(func.sum(Room.version))) or 0)


# --- flags -----------------------------------------------------------------------------------


async def test_a_low_spo2_is_flagged_and_urgent_for_every_member(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    told: list[NewPost] = []

    async def post_created(_session: Any, post: NewPost) -> None:
        told.append(post)

    low = vitals_post(room, vitals={"spo2": 86, "pulse": 88, "temperature": 36.9})
    normal = vitals_post(room, vitals={"spo2": 95})  # inside the default range
    results = await push(sessionmaker, people.nurse, "tablet", [
        (1, "post.create", low), (2, "post.create", normal)], clock.now(),
        Hooks(post_created=post_created))
    assert [r.status for r in results] == ["ok", "ok"]
    doctor = await pulled(sessionmaker, people.doctor)
    posts = doctor.posts(room.room_id)
    assert posts[low["id"]]["vitalsFlags"] == {"spo2": "low"}
    assert posts[low["id"]]["urgent"] is True  # the author left urgent unticked
    assert posts[normal["id"]]["vitalsFlags"] is None
    assert posts[normal["id"]]["urgent"] is False
    assert [p.urgent for p in told] == [True, False]


async def test_the_author_may_say_a_flagged_reading_is_not_urgent(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    args = vitals_post(room, vitals={"temperature": 38.4}, flagUrgent=False)
    (result,) = await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", args)],
                           clock.now())
    assert result.status == "ok"
    async with sessionmaker() as session:
        post = await session.get(Post, uuid.UUID(args["id"]))
    assert post is not None
    assert post.vitals_flags == {"temperature": "high"} and post.urgent is False
    # The same mutation again (a lost answer) is the same post, not a clash of ids.
    (again,) = await push(sessionmaker, people.nurse, "tablet2", [(1, "post.create", args)],
                          clock.now())
    assert again.status == "ok"


async def test_a_flag_is_kept_when_the_threshold_changes_later(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    before = vitals_post(room, vitals={"spo2": 88})
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", before)], clock.now())
    # The doctor knows this patient lives at 88 % (COPD): from now on below 85 is flagged.
    clock.advance(minutes=5)
    (done,) = await push(sessionmaker, people.doctor, "pc", [(1, "threshold.set", {
        "roomId": str(room.room_id), "sign": "spo2", "low": 85})], clock.now())
    assert done.status == "ok"
    after = vitals_post(room, vitals={"spo2": 88})
    lower = vitals_post(room, vitals={"spo2": 84})
    await push(sessionmaker, people.nurse, "tablet", [(2, "post.create", after),
                                                      (3, "post.create", lower)], clock.now())
    posts = (await pulled(sessionmaker, people.nurse)).posts(room.room_id)
    assert posts[before["id"]]["vitalsFlags"] == {"spo2": "low"}  # kept as computed then
    assert posts[after["id"]]["vitalsFlags"] is None
    assert posts[lower["id"]]["vitalsFlags"] == {"spo2": "low"}


async def test_editing_the_vitals_flags_them_with_the_thresholds_in_force(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    args = vitals_post(room, vitals={"pulse": 80})
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", args)], clock.now())
    version = (await pulled(sessionmaker, people.nurse)).posts(room.room_id)[args["id"]]["version"]
    await push(sessionmaker, people.nurse, "tablet", [(2, "post.edit", {
        "id": args["id"], "baseVersion": version, "vitals": {"pulse": 130}})], clock.now())
    post = (await pulled(sessionmaker, people.doctor)).posts(room.room_id)[args["id"]]
    assert post["vitalsFlags"] == {"pulse": "high"}


# --- thresholds ------------------------------------------------------------------------------


async def test_the_room_s_doctor_sets_a_threshold_with_who_and_when(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    (result,) = await push(sessionmaker, people.doctor, "pc", [(1, "threshold.set", {
        "roomId": str(room.room_id), "sign": "systolic", "low": 100, "high": 160})],
        clock.now())
    assert result.status == "ok"
    for member in (people.nurse, people.reader):
        (threshold,) = (await pulled(sessionmaker, member)).of_type(
            room.room_id, "threshold").values()
        assert threshold["sign"] == "systolic"
        assert (threshold["low"], threshold["high"]) == (100, 160)
        assert threshold["setBy"] == str(people.doctor)
        assert threshold["setAt"] == clock.now().isoformat().replace("+00:00", "Z")
    # Neither bound: back to the default, and the devices drop the patient's own range.
    nurse = await pulled(sessionmaker, people.nurse)
    (back,) = await push(sessionmaker, people.nurse, "tablet", [(1, "threshold.set", {
        "roomId": str(room.room_id), "sign": "systolic"})], clock.now())
    assert back.status == "ok"
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, nurse)
    assert nurse.of_type(room.room_id, "threshold") == {}
    assert await count(sessionmaker, VitalThreshold, VitalThreshold.room_id == room.room_id) == 0


async def test_thresholds_are_refused_to_others_and_for_bad_values(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    room_id = str(room.room_id)
    cases = [
        (people.reader, {"roomId": room_id, "sign": "spo2", "low": 85}, "read_only"),
        (people.outsider, {"roomId": room_id, "sign": "spo2", "low": 85}, "not_member"),
        (people.admin, {"roomId": room_id, "sign": "spo2", "low": 85}, "not_member"),
        (people.doctor, {"roomId": room_id, "sign": "pulse", "low": 120, "high": 60},
         "bad_threshold"),
        (people.doctor, {"roomId": room_id, "sign": "spo2", "low": 120}, "bad_threshold"),
        (people.doctor, {"roomId": room_id, "sign": "mood", "low": 1}, "invalid_args"),
    ]
    log_before = await change_log_size(sessionmaker)
    for n, (user, args, code) in enumerate(cases):
        (result,) = await push(sessionmaker, user, f"client-{n}", [(1, "threshold.set", args)],
                               clock.now())
        assert (result.status, result.reason and result.reason.code) == ("rejected", code), args
    assert await count(sessionmaker, VitalThreshold, VitalThreshold.id.is_not(None)) == 0
    assert await change_log_size(sessionmaker) == log_before


async def test_a_member_who_is_not_a_clinician_cannot_set_thresholds(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:

    manager = await add_user(sessionmaker, "care-manager", job_type=JobType.care_manager)
    await join(sessionmaker, room.room_id, manager, Permission.write, clock.now())
    (result,) = await push(sessionmaker, manager, "pc", [(1, "threshold.set", {
        "roomId": str(room.room_id), "sign": "spo2", "low": 85})], clock.now())
    assert result.reason is not None and result.reason.code == "not_clinician"


# --- addressees ------------------------------------------------------------------------------


async def test_a_question_to_the_doctor_waits_until_answered(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    told: list[NewPost] = []

    async def post_created(_session: Any, post: NewPost) -> None:
        told.append(post)

    hooks = Hooks(post_created=post_created)
    question = post_args(room, body="眠剤の変更をご検討ください。",
                         addresseeIds=[str(people.doctor)], asksAnswer=True)
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", question)],
               clock.now(), hooks)
    assert told[0].addressee_ids == {people.doctor} and not told[0].comment
    nurse = await pulled(sessionmaker, people.nurse)
    (waiting,) = nurse.of_type(room.room_id, "addressee").values()
    assert waiting["userId"] == str(people.doctor) and waiting["asksAnswer"] is True
    assert waiting["answeredAt"] is None and waiting["doneAt"] is None
    assert nurse.posts(room.room_id)[question["id"]]["addresseeIds"] == [str(people.doctor)]

    clock.advance(minutes=30)
    answer = {"id": uid(), "postId": question["id"], "body": "明日から変更します。"}
    (result,) = await push(sessionmaker, people.doctor, "pc", [(1, "comment.create", answer)],
                           clock.now(), hooks)
    assert result.status == "ok"
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, nurse)
    (answered,) = nurse.of_type(room.room_id, "addressee").values()
    assert answered["answerCommentId"] == answer["id"]
    assert answered["answeredAt"] == clock.now().isoformat().replace("+00:00", "Z")
    assert len(told) == 1  # an answer addressed to nobody tells nobody new


async def test_a_read_only_member_can_be_addressed_and_mark_it_done_but_not_comment(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    note = post_args(room, addresseeIds=[str(people.reader)])
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", note)], clock.now())
    reader = await pulled(sessionmaker, people.reader)
    (row,) = reader.of_type(room.room_id, "addressee").values()
    (comment,) = await push(sessionmaker, people.reader, "phone", [(1, "comment.create", {
        "id": uid(), "postId": note["id"], "body": "了解"})], clock.now())
    assert comment.reason is not None and comment.reason.code == "read_only"
    # Someone else cannot mark it done for the reader; an outsider learns nothing.
    (other,) = await push(sessionmaker, people.doctor, "pc", [(1, "addressee.done", {
        "id": row["id"]})], clock.now())
    assert other.reason is not None and other.reason.code == "not_addressee"
    (outsider,) = await push(sessionmaker, people.outsider, "x", [(1, "addressee.done", {
        "id": row["id"]})], clock.now())
    assert outsider.reason is not None and outsider.reason.code == "not_found"
    (done,) = await push(sessionmaker, people.reader, "phone", [(2, "addressee.done", {
        "id": row["id"]})], clock.now())
    assert done.status == "ok"
    async with sessionmaker() as session:
        await pull_all(session, people.reader, reader)
    (row,) = reader.of_type(room.room_id, "addressee").values()
    assert row["doneAt"] is not None
    # And back to waiting, if it was marked by mistake.
    await push(sessionmaker, people.reader, "phone", [(3, "addressee.done", {
        "id": row["id"], "done": False})], clock.now())
    async with sessionmaker() as session:
        await pull_all(session, people.reader, reader)
    (row,) = reader.of_type(room.room_id, "addressee").values()
    assert row["doneAt"] is None


async def test_bad_addressees_are_refused_and_nothing_is_written(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    log_before = await change_log_size(sessionmaker)
    cases = [[people.outsider], [people.nurse], [people.doctor, people.doctor]]
    for n, addressees in enumerate(cases):
        args = post_args(room, addresseeIds=[str(a) for a in addressees])
        (result,) = await push(sessionmaker, people.nurse, "tablet", [(n + 1, "post.create",
                                                                       args)], clock.now())
        assert result.reason is not None and result.reason.code == "bad_addressee"
    assert await count(sessionmaker, Post, Post.room_id == room.room_id) == 0
    assert await count(sessionmaker, Addressee, Addressee.room_id == room.room_id) == 0
    assert await change_log_size(sessionmaker) == log_before


async def test_a_comment_can_ask_another_member_and_tells_only_them(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    told: list[NewPost] = []

    async def post_created(_session: Any, post: NewPost) -> None:
        told.append(post)

    post = post_args(room)
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", post)], clock.now())
    comment = {"id": uid(), "postId": post["id"], "body": "先生、ご確認ください。",
               "addresseeIds": [str(people.doctor)], "asksAnswer": True}
    await push(sessionmaker, people.nurse, "tablet", [(2, "comment.create", comment)],
               clock.now(), Hooks(post_created=post_created))
    assert [(p.addressee_ids, p.comment) for p in told] == [(frozenset({people.doctor}), True)]
    (row,) = (await pulled(sessionmaker, people.doctor)).of_type(
        room.room_id, "addressee").values()
    assert row["commentId"] == comment["id"] and row["postId"] == post["id"]


async def test_deleting_an_addressed_post_asks_nothing_any_more(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    post = post_args(room, addresseeIds=[str(people.doctor)])
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", post)], clock.now())
    doctor = await pulled(sessionmaker, people.doctor)
    assert len(doctor.of_type(room.room_id, "addressee")) == 1
    await push(sessionmaker, people.nurse, "tablet", [(2, "post.delete", {"id": post["id"]})],
               clock.now())
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, doctor)
    assert doctor.of_type(room.room_id, "addressee") == {}


# --- my own reading state --------------------------------------------------------------------


async def test_my_unread_marks_and_cleared_rooms_reach_only_me(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    post = post_args(room)
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", post)], clock.now())
    doctor_pc, doctor_phone = await pulled(sessionmaker, people.doctor), Replica()
    nurse = await pulled(sessionmaker, people.nurse)
    results = await push(sessionmaker, people.doctor, "pc", [
        (1, "post.markUnread", {"postId": post["id"]}),
        (2, "attention.clear", {"roomId": str(room.room_id), "upToVersion": 10_000}),
    ], clock.now())
    assert [r.status for r in results] == ["ok", "ok"]
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, doctor_pc)
        await pull_all(session, people.doctor, doctor_phone)
        await pull_all(session, people.nurse, nurse)
    for replica in (doctor_pc, doctor_phone):  # desktop and phone agree
        (mine,) = replica.of_type(room.room_id, "personal").values()
        assert mine["unreadPostIds"] == [post["id"]]
        assert mine["userId"] == str(people.doctor)
        async with sessionmaker() as session:
            room_row = await session.get(Room, room.room_id)
        assert room_row is not None and 0 < mine["clearedVersion"] <= room_row.version
    assert nurse.of_type(room.room_id, "personal") == {}  # nobody else's
    # Read again: the mark goes.
    await push(sessionmaker, people.doctor, "pc", [
        (3, "post.markUnread", {"postId": post["id"], "unread": False})], clock.now())
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, doctor_pc)
    (mine,) = doctor_pc.of_type(room.room_id, "personal").values()
    assert mine["unreadPostIds"] == []


async def test_reading_state_is_refused_to_non_members_and_for_unknown_posts(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    post = post_args(room)
    await push(sessionmaker, people.nurse, "tablet", [(1, "post.create", post)], clock.now())
    results = await push(sessionmaker, people.outsider, "x", [
        (1, "post.markUnread", {"postId": post["id"]}),
        (2, "attention.clear", {"roomId": str(room.room_id), "upToVersion": 5}),
        (3, "post.markUnread", {"postId": uid()}),
    ], clock.now())
    # Another room's post is "not found", exactly like an unknown one (issue 13, item 6); a
    # room named outright is "not a member", whether it exists or not.
    assert [r.reason and r.reason.code for r in results] == [
        "not_found", "not_member", "not_found"]
    assert await count(sessionmaker, RoomPersonal, RoomPersonal.room_id == room.room_id) == 0
    # A read-only member keeps their own reading state.
    (ok,) = await push(sessionmaker, people.reader, "phone", [
        (1, "post.markUnread", {"postId": post["id"]})], clock.now())
    assert ok.status == "ok"
    async with sessionmaker() as session:
        total = await session.scalar(select(func.count()).select_from(Comment))
    assert total == 0


async def test_vitals_alone_are_a_complete_record_but_an_empty_post_is_not(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    vitals_only = vitals_post(room, body="", vitals={"systolic": 124, "spo2": 97})
    no_body = {k: v for k, v in vitals_post(room, vitals={"pulse": 72}).items() if k != "body"}
    empty = post_args(room, body="  ")
    empty_vitals = vitals_post(room, body="", vitals={})
    results = await push(sessionmaker, people.nurse, "tablet", [
        (1, "post.create", vitals_only), (2, "post.create", no_body),
        (3, "post.create", empty), (4, "post.create", empty_vitals)], clock.now())
    assert [r.reason.code if r.reason else r.status for r in results] == [
        "ok", "ok", "blank_body", "blank_body"]
    posts = (await pulled(sessionmaker, people.doctor)).posts(room.room_id)
    assert posts[vitals_only["id"]]["body"] == "" and posts[no_body["id"]]["body"] == ""
