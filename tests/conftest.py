"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when
CAREBOOK_TEST_DATABASE_URL is set), built by upgrading to head once per run and
copied from that template for each test; settings, clock and app built on it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server import db, migrate
from server.app import create_app
from server.clock import FrozenClock
from server.settings import Settings, load_settings

TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
BASE_URL = "http://localhost:8000"
PG_ADMIN_URL = os.environ.get("CAREBOOK_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` tests (several processes on one database, LISTEN/NOTIFY) need
    CAREBOOK_TEST_DATABASE_URL: without it they are deselected — listed as deselected in the
    summary, not silently skipped — and `.ci/run` runs them in its PostgreSQL pass."""
    if PG_ADMIN_URL:
        return
    keep = [item for item in items if not item.get_closest_marker("postgres_only")]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@pytest.fixture()
def postgres_url(database_url: str) -> str:
    """This test's PostgreSQL database (for `postgres_only` tests)."""
    assert PG_ADMIN_URL, "this test needs PostgreSQL (CAREBOOK_TEST_DATABASE_URL)"
    assert database_url.startswith("postgresql")
    return database_url


def _pg_psycopg_url(url: str, dbname: str | None = None) -> str:
    # CAREBOOK_TEST_DATABASE_URL: postgresql://user[:pw]@host:port/admin_db
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    if dbname is None:
        return plain
    head, _, _ = plain.rpartition("/")
    return f"{head}/{dbname}"


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_psycopg_url(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(sql)


def server_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment a test server runs with."""
    env = {
        "CAREBOOK_DATA_DIR": str(data_dir),
        "CAREBOOK_DATABASE_URL": database_url,
        "CAREBOOK_SECRET_KEY": TEST_SECRET_KEY,
        "CAREBOOK_ARGON2_FAST": "1",
        "CAREBOOK_BASE_URL": BASE_URL,
        "CAREBOOK_DATABASE_NULL_POOL": "1",
        # The push worker runs only in the tests that are about it (they set it to 1).
        "CAREBOOK_PUSH_WORKER": "0",
        # Likewise the scheduler: its tests drive it with a clock of their own.
        "CAREBOOK_SCHEDULER": "0",
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database upgraded to head once per run; each test gets a copy."""
    if PG_ADMIN_URL:
        name = f"carebook_tpl_{uuid.uuid4().hex[:10]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        url = _pg_psycopg_url(PG_ADMIN_URL, name).replace("postgresql://", "postgresql+asyncpg://")
        settings = load_settings(server_env(tmp_path_factory.mktemp("tpl"), url))
        migrate.upgrade(settings)
        yield name
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        directory = tmp_path_factory.mktemp("tpl")
        url = f"sqlite+aiosqlite:///{directory / 'template.sqlite3'}"
        settings = load_settings(server_env(directory, url))
        migrate.upgrade(settings)
        yield str(directory / "template.sqlite3")


@pytest.fixture()
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database at head for this test."""
    if PG_ADMIN_URL:
        name = f"carebook_t_{uuid.uuid4().hex[:12]}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{database_template}"')
        yield _pg_psycopg_url(PG_ADMIN_URL, name).replace("postgresql://", "postgresql+asyncpg://")
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        target = tmp_path / "carebook.sqlite3"
        shutil.copyfile(database_template, target)
        yield f"sqlite+aiosqlite:///{target}"


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture()
def settings(data_dir: Path, database_url: str) -> Settings:
    return load_settings(server_env(data_dir, database_url))


@pytest.fixture()
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture()
def app(settings: Settings, clock: FrozenClock) -> Litestar:
    return create_app(settings, clock=clock)


@pytest.fixture()
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture()
async def sessionmaker(settings: Settings) -> AsyncIterator[Any]:
    """A session factory on the test's own event loop, for arranging data and checking results.

    The app runs in the test client's loop; asyncpg connections cannot cross loops,
    so the test side has an engine of its own.
    """
    engine = db.create_engine(settings.database)
    yield db.session_factory(engine)
    await engine.dispose()


