"""Revision 0003_search: an installation that already holds posts finds them after the
upgrade, the downgrade removes every search object, and `alembic check` stays quiet."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import text

from server import db, migrate
from server.contact_book.search_service import matching_posts
from server.settings import Settings
from store.models import Patient, Post, Room, User

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def _insert_post(settings: Settings) -> uuid.UUID:
    # Written at head with today's models (later revisions add columns the baseline lacks);
    # the caller then goes down to the baseline, where the search objects do not exist yet.
    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            user = User(login_id="m-nurse", name="看護 花子", job_type="nurse", created_at=AT)
            patient = Patient(
                name="青木 ハナ", name_kana="あおき はな", sex="female",
                birth_date=date(1938, 4, 1), care_level="care_3", created_at=AT,
            )  # fmt: skip
            session.add_all([user, patient])
            await session.flush()
            room = Room(patient_id=patient.id, created_at=AT)
            session.add(room)
            await session.flush()
            session.add(
                Post(
                    room_id=room.id,
                    author_id=user.id,
                    body="仙骨部褥瘡の処置を実施しました。",
                    version=1,
                    created_at=AT,
                )
            )
            await session.commit()
            return room.id
    finally:
        await engine.dispose()


async def _found(settings: Settings, room_id: uuid.UUID, terms: list[str]) -> int:
    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            stmt = matching_posts(settings.database.dialect, room_id, terms)
            return len(list(await session.scalars(stmt)))
    finally:
        await engine.dispose()


async def _search_objects(settings: Settings) -> set[str]:
    engine = db.create_engine(settings.database)
    sql = (
        "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_post_body_trgm'"
        if settings.database.dialect == "postgresql"
        else "SELECT name FROM sqlite_master WHERE name LIKE 'post_fts%'"
    )
    try:
        async with engine.connect() as conn:
            return {row[0] for row in await conn.execute(text(sql))}
    finally:
        await engine.dispose()


def test_existing_posts_are_searchable_after_the_upgrade_and_the_downgrade_is_clean(
    settings: Settings,
) -> None:
    assert asyncio.run(_search_objects(settings))
    room_id = asyncio.run(_insert_post(settings))
    migrate.downgrade(settings, "0001_baseline")
    assert asyncio.run(_search_objects(settings)) == set()

    migrate.upgrade(settings)
    migrate.check(settings)  # neither the FTS tables nor the trigram index are flagged
    for terms in (["褥瘡"], ["処置を実施"], ["褥瘡", "仙骨部"]):
        assert asyncio.run(_found(settings, room_id, terms)) == 1, terms
    assert asyncio.run(_found(settings, room_id, ["発熱"])) == 0
