"""Searching a room's contact book in Japanese: two-character words, phrases, several
terms; only live posts, only the room's current members, audited without the query."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from server.clock import FrozenClock
from store.models import AuditEvent
from tests.contact_book.conftest import SignIn, World, add_post, change_post
from tests.support.api import ApiClient

WOUND = "仙骨部褥瘡の処置を実施しました。ポケットなし、滲出液は少量。洗浄後ハイドロコロイドで保護。"
FEVER = "昨夜から37.8℃の発熱あり。食事摂取量は半分程度。水分はとれています。"
VITALS = "血圧128/76、脈拍72、SpO2 97%。服薬確認済み、残薬なし。"
LITERAL = "点滴速度は50%_に調整（指示どおり）。"


@pytest.fixture()
async def posts(
    world: World, sessionmaker: Any, clock: FrozenClock
) -> dict[str, tuple[uuid.UUID, int]]:
    now = clock.now()
    made: dict[str, tuple[uuid.UUID, int]] = {}
    for i, (key, body) in enumerate(
        [("wound", WOUND), ("fever", FEVER), ("vitals", VITALS), ("literal", LITERAL)]
    ):
        made[key] = await add_post(
            sessionmaker,
            world.room_id,
            world.writer.id,
            body,
            at=now - timedelta(hours=10 - i),
            title_id=world.title_id,
        )
    gone = await add_post(
        sessionmaker, world.room_id, world.writer.id, "褥瘡部に発赤と発熱あり（誤投稿）", at=now
    )
    await change_post(sessionmaker, gone[0], at=now, delete=True)
    made["deleted"] = gone
    made["elsewhere"] = await add_post(
        sessionmaker, world.other_room_id, world.outsider.id, "褥瘡の経過良好、発熱なし。", at=now
    )
    return made


async def search(api: ApiClient, room_id: uuid.UUID, q: str, **params: Any) -> Any:
    answer = await api.get(f"/api/rooms/{room_id}/search", params={"q": q, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def ids(found: Any) -> list[str]:
    return [hit["id"] for hit in found["results"]]


async def test_two_character_words_and_phrases_are_found_in_japanese_text(
    world: World, sign_in: SignIn, posts: dict[str, tuple[uuid.UUID, int]]
) -> None:
    nurse = await sign_in(world.writer)
    wound, fever, vitals = (str(posts[k][0]) for k in ("wound", "fever", "vitals"))

    assert ids(await search(nurse, world.room_id, "褥瘡")) == [wound]
    assert ids(await search(nurse, world.room_id, "発熱")) == [fever]
    assert ids(await search(nurse, world.room_id, "処置を実施")) == [wound]
    assert ids(await search(nurse, world.room_id, "服薬確認済み")) == [vitals]
    assert ids(await search(nurse, world.room_id, "spo2")) == [vitals]  # ASCII case folded
    # Several terms (ideographic space too) must all match.
    assert ids(await search(nurse, world.room_id, "発熱　食事")) == [fever]
    assert ids(await search(nurse, world.room_id, "褥瘡 発熱")) == []
    assert ids(await search(nurse, world.room_id, "ハイドロコロイド 少量")) == [wound]
    assert ids(await search(nurse, world.room_id, "骨折")) == []

    hit = (await search(nurse, world.room_id, "発熱"))["results"][0]
    assert set(hit) == {"id", "version", "snippet", "createdAt", "reportTitleId"}
    assert hit["version"] == posts["fever"][1]
    assert hit["reportTitleId"] == str(world.title_id)
    assert "発熱" in hit["snippet"] and len(hit["snippet"]) <= 102


async def test_wildcards_in_the_query_are_taken_literally(
    world: World, sign_in: SignIn, posts: dict[str, tuple[uuid.UUID, int]]
) -> None:
    nurse = await sign_in(world.writer)
    literal = str(posts["literal"][0])
    assert ids(await search(nurse, world.room_id, "%_")) == [literal]
    assert ids(await search(nurse, world.room_id, "_")) == [literal]
    assert ids(await search(nurse, world.room_id, "0%_に")) == [literal]
    assert ids(await search(nurse, world.room_id, '"処置')) == []  # FTS syntax is not syntax


async def test_deleted_posts_and_other_rooms_are_never_found(
    world: World, sign_in: SignIn, posts: dict[str, tuple[uuid.UUID, int]]
) -> None:
    nurse = await sign_in(world.writer)  # also a member of the other room
    for q in ("誤投稿", "発赤"):
        assert ids(await search(nurse, world.room_id, q)) == []
    assert ids(await search(nurse, world.other_room_id, "褥瘡")) == [str(posts["elsewhere"][0])]


async def test_edits_and_deletions_reach_the_index(
    world: World,
    sign_in: SignIn,
    posts: dict[str, tuple[uuid.UUID, int]],
    sessionmaker: Any,
    clock: FrozenClock,
) -> None:
    nurse = await sign_in(world.writer)
    wound_id, fever_id = posts["wound"][0], posts["fever"][0]
    new_body = "右踵部の発赤、軽度。除圧を継続。"
    await change_post(sessionmaker, wound_id, at=clock.now(), body=new_body)
    assert ids(await search(nurse, world.room_id, "仙骨部褥瘡")) == []
    assert ids(await search(nurse, world.room_id, "右踵部")) == [str(wound_id)]
    assert ids(await search(nurse, world.room_id, "発赤")) == [str(wound_id)]
    await change_post(sessionmaker, fever_id, at=clock.now(), delete=True)
    assert ids(await search(nurse, world.room_id, "発熱")) == []
    assert ids(await search(nurse, world.room_id, "食事摂取量")) == []


async def test_newest_first_with_a_limit(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    made = [
        (await add_post(
            sessionmaker, world.room_id, world.writer.id, f"定期訪問{i}回目、発熱なし。",
            at=clock.now() + timedelta(minutes=i),
        ))[0]
        for i in range(5)
    ]  # fmt: skip
    nurse = await sign_in(world.reader)
    page = await search(nurse, world.room_id, "定期訪問", limit=3)
    assert ids(page) == [str(p) for p in reversed(made)][:3]
    assert page["hasMore"] is True
    rest = await search(nurse, world.room_id, "発熱なし", limit=5)
    assert len(ids(rest)) == 5 and rest["hasMore"] is False


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": "あ" * 101},
        {"q": "a b c d e f"},
        {"q": "発熱", "limit": "0"},
        {"q": "発熱", "limit": "51"},
        {"q": "発熱", "limit": "many"},
        {},
    ],
)
async def test_bad_queries_are_a_clear_400(
    world: World, sign_in: SignIn, params: dict[str, str]
) -> None:
    nurse = await sign_in(world.writer)
    answer = await nurse.get(f"/api/rooms/{world.room_id}/search", params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"]


async def test_only_current_members_may_search(
    world: World, sign_in: SignIn, posts: dict[str, tuple[uuid.UUID, int]]
) -> None:
    reader = await sign_in(world.reader)
    assert ids(await search(reader, world.room_id, "褥瘡")) == [str(posts["wound"][0])]
    for user in (world.outsider, world.former, world.admin):
        other = await sign_in(user)
        answer = await other.get(f"/api/rooms/{world.room_id}/search", params={"q": "褥瘡"})
        assert answer.status_code == 404, user.login_id
        assert answer.json()["error"] == "room_not_found"


async def test_a_search_is_audited_without_the_words_searched_for(
    world: World, sign_in: SignIn, posts: dict[str, tuple[uuid.UUID, int]], sessionmaker: Any
) -> None:
    nurse = await sign_in(world.writer)
    await search(nurse, world.room_id, "褥瘡 処置")
    async with sessionmaker() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "post.search"))
    assert event is not None
    assert (event.room_id, event.patient_id, event.actor_id) == (
        world.room_id,
        world.patient_id,
        world.writer.id,
    )
    assert event.details == {"queryLength": 5, "terms": 2, "results": 1}
    row = json.dumps(
        [event.details, event.target_id, event.target_type], ensure_ascii=False, default=str
    )
    assert "褥瘡" not in row and "処置" not in row
