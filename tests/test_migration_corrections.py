"""The corrections migration derives each person's home-visit flag from the office-kind rule
it replaces, and opens one office period per person from registration."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, Integer, String, Uuid, column, insert, select, table
from sqlalchemy.ext.asyncio import create_async_engine

from server import migrate
from server.settings import Settings

OFFICE = table(
    "office",
    *(column(c, String) for c in ("name", "name_kana", "kind", "postal_code", "address",
                                  "phone", "fax")),
    column("id", Uuid),
    column("is_demo", Boolean),
    column("created_at", DateTimeUTC(timezone=True)),
)
USER = table(
    "user_account",
    *(column(c, String) for c in ("login_id", "name", "name_kana", "email", "phone", "job_type",
                                  "role", "status")),
    column("id", Uuid),
    column("office_id", Uuid),
    *(column(c, Boolean) for c in ("password_must_change", "is_demo")),
    *(column(c, Integer) for c in ("failed_attempts", "lock_count", "membership_version")),
    column("created_at", DateTimeUTC(timezone=True)),
    column("updated_at", DateTimeUTC(timezone=True)),
)


def _run(url: str, *statements: Any) -> list[list[tuple[Any, ...]]]:
    async def run() -> list[list[tuple[Any, ...]]]:
        engine = create_async_engine(url)
        out = []
        try:
            async with engine.begin() as conn:
                for statement in statements:
                    result = await conn.execute(statement)
                    out.append([tuple(r) for r in result] if result.returns_rows else [])
        finally:
            await engine.dispose()
        return out

    return asyncio.run(run())


def test_visits_homes_and_office_periods_are_derived_from_todays_rule(settings: Settings) -> None:
    url = settings.database.url
    migrate.downgrade(settings, "0007_device_key_share")
    at = datetime(2026, 4, 1, tzinfo=UTC)
    offices = {"clinic": uuid.uuid4(), "home": uuid.uuid4(), "station": uuid.uuid4()}
    kinds = {"clinic": "clinic", "home": "home_visit_clinic", "station": "visiting_nurse_station"}
    people = [
        ("home-doctor", "doctor", "home", True),
        ("clinic-doctor", "doctor", "clinic", False),
        ("station-nurse", "nurse", "station", True),
        ("station-pt", "physical_therapist", "station", False),
        ("home-nurse", "nurse", "home", False),
    ]
    blank = dict.fromkeys(("name_kana", "postal_code", "address", "phone", "fax"), "")
    _run(
        url,
        insert(OFFICE).values(
            [
                {"id": i, "name": k, "kind": kinds[k], "is_demo": False, "created_at": at, **blank}
                for k, i in offices.items()
            ]
        ),
        insert(USER).values(
            [
                {
                    "id": uuid.uuid4(),
                    "login_id": login,
                    "name": login,
                    "name_kana": "",
                    "email": "",
                    "phone": "",
                    "job_type": job,
                    "role": "member",
                    "status": "active",
                    "office_id": offices[office],
                    "password_must_change": False,
                    "is_demo": False,
                    "failed_attempts": 0,
                    "lock_count": 0,
                    "membership_version": 0,
                    "created_at": at,
                    "updated_at": at,
                }
                for login, job, office, _ in people
            ]
        ),
    )
    migrate.upgrade(settings)
    stay = table("office_stay", column("user_id", Uuid), column("office_id", Uuid),
                 column("started_at", DateTimeUTC(timezone=True)),
                 column("ended_at", DateTimeUTC(timezone=True)))
    flags = table("user_account", column("id", Uuid), column("login_id", String),
                  column("visits_homes", Boolean))
    found, stays = _run(
        url,
        select(flags.c.login_id, flags.c.visits_homes),
        select(flags.c.login_id, stay.c.office_id, stay.c.started_at, stay.c.ended_at).join(
            stay, stay.c.user_id == flags.c.id
        ),
    )
    assert {login: bool(v) for login, v in found} == {p[0]: p[3] for p in people}
    assert {(login, office, started, ended) for login, office, started, ended in stays} == {
        (login, offices[office], at, None) for login, _, office, _ in people
    }
