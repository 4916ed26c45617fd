"""Issue 17 item 7 in the engine: the patient's medication list and allergies, kept by the
room's pharmacist, doctor or nurse, each change also a post the whole team reads, served to
every member; every refusal (non-member, read-only member, other job types, bad input)
changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from server.clock import FrozenClock
from store.models import Medication, Post
from store.models.enums import JobType, Permission
from sync.hooks import Hooks, NewPost
from tests.sync.conftest import People
from tests.sync.test_attention_engine import change_log_size, pulled
from tests.sync.test_push_engine import count, push
from tests.sync.world import RoomIds, add_user, join, pull_all, uid


def drug(room: RoomIds, **extra: Any) -> dict[str, Any]:
    return {"id": uid(), "postId": uid(), "roomId": str(room.room_id), "kind": "drug",
            "name": "アムロジピン錠5mg", "dose": "1錠", "timing": "1日1回 朝食後",
            "startedOn": "2026-12-01", **extra}


async def test_a_nurse_adds_a_drug_and_the_team_sees_it_and_reads_the_change(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    told: list[NewPost] = []

    async def post_created(_session: Any, post: NewPost) -> None:
        told.append(post)

    args = drug(room, note="血圧高めのため")
    (result,) = await push(sessionmaker, people.nurse, "tablet", [(1, "medication.set", args)],
                           clock.now(), Hooks(post_created=post_created))
    assert result.status == "ok"
    for member in (people.doctor, people.reader):  # a read-only member reads it too
        replica = await pulled(sessionmaker, member)
        (line,) = replica.of_type(room.room_id, "medication").values()
        assert (line["kind"], line["name"], line["dose"], line["timing"]) == (
            "drug", "アムロジピン錠5mg", "1錠", "1日1回 朝食後")
        assert line["startedOn"] == "2026-12-01" and line["stoppedOn"] is None
        assert line["changedBy"] == str(people.nurse)
        assert line["changedAt"] == clock.now().isoformat().replace("+00:00", "Z")
        post = replica.posts(room.room_id)[args["postId"]]
        assert post["authorId"] == str(people.nurse)
        assert post["body"].splitlines() == [
            "【服薬】開始：アムロジピン錠5mg", "用量：1錠", "用法：1日1回 朝食後",
            "開始日：2026/12/01", "備考：血圧高めのため"]
    assert [(p.post_id, p.urgent) for p in told] == [(uuid.UUID(args["postId"]), False)]


async def test_a_change_and_a_stop_are_posts_that_say_what_changed(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    args = drug(room)
    await push(sessionmaker, people.nurse, "tablet", [(1, "medication.set", args)], clock.now())
    clock.advance(days=3)
    changed = {**args, "postId": uid(), "dose": "2錠"}
    stopped = {**changed, "postId": uid(), "stoppedOn": "2026-12-10"}
    results = await push(sessionmaker, people.doctor, "pc", [
        (1, "medication.set", changed), (2, "medication.set", stopped)], clock.now())
    assert [r.status for r in results] == ["ok", "ok"]
    nurse = await pulled(sessionmaker, people.nurse)
    (line,) = nurse.of_type(room.room_id, "medication").values()
    assert (line["dose"], line["stoppedOn"], line["changedBy"]) == (
        "2錠", "2026-12-10", str(people.doctor))
    posts = nurse.posts(room.room_id)
    assert posts[changed["postId"]]["body"] == "【服薬】変更：アムロジピン錠5mg\n用量：1錠 → 2錠"
    assert posts[stopped["postId"]]["body"] == (
        "【服薬】中止：アムロジピン錠5mg\n中止日：（なし） → 2026/12/10")


async def test_a_pharmacist_records_an_allergy_and_removes_a_line_entered_by_mistake(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    pharmacist = await add_user(sessionmaker, "pharmacist-w", job_type=JobType.pharmacist)
    await join(sessionmaker, room.room_id, pharmacist, Permission.write, clock.now())
    allergy = {"id": uid(), "postId": uid(), "roomId": str(room.room_id), "kind": "allergy",
               "name": "ペニシリン系", "reaction": "発疹"}
    wrong = drug(room, name="ロキソプロフェン")
    removal = {"id": wrong["id"], "postId": uid()}
    results = await push(sessionmaker, pharmacist, "pharmacy", [
        (1, "medication.set", allergy), (2, "medication.set", wrong),
        (3, "medication.delete", removal)], clock.now())
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    doctor = await pulled(sessionmaker, people.doctor)
    (line,) = doctor.of_type(room.room_id, "medication").values()
    assert (line["kind"], line["name"], line["reaction"]) == ("allergy", "ペニシリン系", "発疹")
    posts = doctor.posts(room.room_id)
    assert posts[allergy["postId"]]["body"] == "【アレルギー】登録：ペニシリン系\n症状：発疹"
    assert posts[removal["postId"]]["body"] == "【服薬】削除（誤登録）：ロキソプロフェン"
    # A device that held the removed line drops it on its next pull.
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, doctor)
    assert set(doctor.of_type(room.room_id, "medication")) == {allergy["id"]}


async def test_the_same_change_sent_again_is_applied_once(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    args = drug(room)
    await push(sessionmaker, people.nurse, "tablet", [(1, "medication.set", args)], clock.now())
    # The answer was lost and another client of the nurse's sends the same change.
    (again,) = await push(sessionmaker, people.nurse, "phone", [(1, "medication.set", args)],
                          clock.now())
    assert again.status == "ok"
    assert await count(sessionmaker, Post, Post.room_id == room.room_id) == 1
    # A change that changes nothing is not a post.
    (same,) = await push(sessionmaker, people.nurse, "tablet", [
        (2, "medication.set", {**args, "postId": uid()})], clock.now())
    assert same.reason is not None and same.reason.code == "nothing_to_edit"


async def test_refusals_change_nothing(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    manager = await add_user(sessionmaker, "care-manager", job_type=JobType.care_manager)
    await join(sessionmaker, room.room_id, manager, Permission.write, clock.now())
    kept = drug(room)
    await push(sessionmaker, people.nurse, "tablet", [(1, "medication.set", kept)], clock.now())
    log_before = await change_log_size(sessionmaker)
    posts_before = await count(sessionmaker, Post, Post.room_id == room.room_id)
    cases: list[tuple[uuid.UUID, str, dict[str, Any], str]] = [
        (people.outsider, "medication.set", drug(room), "not_member"),
        (people.admin, "medication.set", drug(room), "not_member"),
        (people.reader, "medication.set", drug(room), "read_only"),  # a read-only pharmacist
        (manager, "medication.set", drug(room), "not_medication_keeper"),
        (people.nurse, "medication.set", drug(room, name="   "), "bad_medication"),
        (people.nurse, "medication.set", drug(room, name=""), "invalid_args"),
        (people.nurse, "medication.set", drug(room, stoppedOn="2026-11-30"), "bad_medication"),
        (people.nurse, "medication.set", drug(room, kind="herb"), "invalid_args"),
        (people.nurse, "medication.set", drug(room, dose="x" * 201), "invalid_args"),
        (people.nurse, "medication.set", drug(room, startedOn="昨日"), "invalid_args"),
        (people.nurse, "medication.set", {**kept, "postId": uid(), "kind": "allergy"},
         "bad_medication"),
        (people.nurse, "medication.set", drug(room, reportTitleId=str(room.inactive_title)),
         "bad_report_title"),
        (manager, "medication.delete", {"id": kept["id"], "postId": uid()},
         "not_medication_keeper"),
        (people.outsider, "medication.delete", {"id": kept["id"], "postId": uid()},
         "not_member"),
        (people.nurse, "medication.delete", {"id": uid(), "postId": uid()}, "not_found"),
    ]
    for n, (user, name, args, code) in enumerate(cases):
        (result,) = await push(sessionmaker, user, f"client-{n}", [(1, name, args)],
                               clock.now())
        assert (result.status, result.reason and result.reason.code) == ("rejected", code), args
    assert await change_log_size(sessionmaker) == log_before
    assert await count(sessionmaker, Post, Post.room_id == room.room_id) == posts_before
    assert await count(sessionmaker, Medication, Medication.room_id == room.room_id) == 1
    async with sessionmaker() as session:
        line = await session.get(Medication, uuid.UUID(kept["id"]))
    assert line is not None and line.kind == "drug" and line.deleted_at is None
