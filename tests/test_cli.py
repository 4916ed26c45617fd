"""The `carebook` command: help everywhere, create-admin, demo, db, and serve's start-up checks."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import db, migrate
from server.auth.passwords import PasswordHashing
from server.cli import carebook
from server.operators import SYSTEM_OFFICE_NAME
from server.settings import Settings
from store.models import Office, User
from store.models.enums import Role, UserStatus
from tests.browser.server import carebook_executable, live_server_process
from tests.conftest import server_env

T = TypeVar("T")

COMMANDS = [
    [],
    ["serve"],
    ["db"],
    ["db", "upgrade"],
    ["db", "downgrade"],
    ["db", "current"],
    ["db", "revision"],
    ["demo"],
    ["create-admin"],
    ["init-city"],
]


def _query(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = db.create_engine(settings.database)
        try:
            async with db.session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _user(settings: Settings, login_id: str) -> User | None:
    async def work(session: AsyncSession) -> User | None:
        found = await session.execute(select(User).where(User.login_id == login_id))
        return found.unique().scalar_one_or_none()

    return _query(settings, work)


def _invoke(env: dict[str, str], args: list[str], input: str | None = None) -> Result:
    return CliRunner().invoke(carebook, args, env=env, input=input, catch_exceptions=False)


@pytest.fixture()
def env(data_dir: Path, database_url: str) -> dict[str, str]:
    return server_env(data_dir, database_url)


def test_console_script_help() -> None:
    done = subprocess.run(
        [carebook_executable(), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("serve", "db", "demo", "create-admin"):
        assert command in done.stdout


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "carebook")
def test_help_everywhere(args: list[str]) -> None:
    result = CliRunner().invoke(carebook, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: carebook")
    assert "-h, --help" in result.output


def _password(output: str) -> str:
    found = re.search(r"^initial-password: (\S+)$", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def test_create_admin_from_flags(env: dict[str, str], settings: Settings) -> None:
    before = datetime.now(UTC)
    result = _invoke(
        env,
        ["create-admin", "--login-id", "ops-tanaka", "--name", "田中 一郎",
         "--email", "ops@city.example.jp"],
    )
    assert result.exit_code == 0, result.output
    password = _password(result.stdout)
    assert result.stdout.count(password) == 1  # shown once

    user = _user(settings, "ops-tanaka")
    assert user is not None
    assert user.role == Role.operator
    assert user.status == UserStatus.active
    assert user.name == "田中 一郎"
    assert user.email == "ops@city.example.jp"
    assert user.is_demo is False
    assert user.password_must_change is True
    assert user.password_hash and password not in user.password_hash
    hashing = PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)
    assert hashing.verify(user.password_hash, password)
    assert not hashing.verify(user.password_hash, password + "x")
    assert user.password_expires_at is not None
    ttl = timedelta(seconds=settings.auth.initial_password_ttl_s)
    assert before + ttl <= user.password_expires_at <= datetime.now(UTC) + ttl
    assert user.office is not None
    assert (user.office.name, user.office.kind) == (SYSTEM_OFFICE_NAME, "other")


def test_create_admin_reuses_the_system_office_and_refuses_a_taken_id(
    env: dict[str, str], settings: Settings
) -> None:
    args = ["create-admin", "--name", "運用 担当", "--email", "ops@city.example.jp"]
    assert _invoke(env, [*args, "--login-id", "ops-one"]).exit_code == 0
    assert _invoke(env, [*args, "--login-id", "ops-two"]).exit_code == 0

    async def offices(session: AsyncSession) -> int:
        count = await session.execute(
            select(func.count()).select_from(Office).where(Office.name == SYSTEM_OFFICE_NAME)
        )
        return int(count.scalar_one())

    assert _query(settings, offices) == 1
    again = _invoke(env, [*args, "--login-id", "ops-one"])
    assert again.exit_code == 1
    assert "already taken" in again.stderr
    assert "initial-password" not in again.stdout


def test_create_admin_prompts_for_missing_values(env: dict[str, str], settings: Settings) -> None:
    # A bad login ID is asked for again.
    answers = "x\nops-prompted\n運用 花子\nhanako@city.example.jp\n"
    result = _invoke(env, ["create-admin"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Login ID" in result.stdout and "E-mail" in result.stdout
    assert "3 to 64 characters" in result.output
    user = _user(settings, "ops-prompted")
    assert user is not None and user.name == "運用 花子"
    hashing = PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)
    assert hashing.verify(user.password_hash, _password(result.stdout))


def test_create_admin_refuses_a_bad_email(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        carebook,
        ["create-admin", "--login-id", "ops-mail", "--name", "運用", "--email", "nope"],
        env=env,
    )
    assert result.exit_code == 2
    assert "e-mail" in result.output


def test_create_admin_makes_a_city_clerk_in_the_city_office(
    env: dict[str, str], settings: Settings
) -> None:
    args = ["create-admin", "--role", "municipal", "--name", "窓口 一郎",
            "--email", "clerk@city.example.jp"]
    first = _invoke(env, [*args, "--login-id", "clerk-one", "--office", "みどり市 高齢福祉課"])
    assert first.exit_code == 0, first.output
    assert "municipal admin" in first.stdout and "みどり市 高齢福祉課" in first.stdout
    second = _invoke(env, [*args, "--login-id", "clerk-two"])
    assert second.exit_code == 0, second.output
    hashing = PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)
    for login, result in (("clerk-one", first), ("clerk-two", second)):
        user = _user(settings, login)
        assert user is not None
        assert (user.role, user.job_type, user.status) == (
            Role.municipal_admin, "city_staff", UserStatus.active
        )
        assert user.password_must_change is True
        assert hashing.verify(user.password_hash, _password(result.stdout))
        assert user.office is not None
        assert (user.office.name, user.office.kind) == ("みどり市 高齢福祉課", "city_office")
    bad_role = _invoke(env, [*args, "--login-id", "clerk-three", "--role", "nurse"])
    assert bad_role.exit_code == 2 and _user(settings, "clerk-three") is None


INIT_CITY = [
    "init-city", "--city-name", "あおば市",
    "--desk-name", "あおば市役所 高齢福祉課 地域支援センター", "--desk-phone", "012-555-0200",
    "--desk-email", "shien@city.aoba.example.jp", "--desk-address", "あおば市中央1-1",
    "--desk-hours", "平日 8:30〜17:15",
    "--support-name", "あおば市 在宅医療・介護連携支援センター",
    "--support-phone", "012-555-0211",
]


def _help_and_events(settings: Settings) -> tuple[Any, list[str]]:
    from server.admin.help import load_help
    from store.models import AuditEvent

    async def work(session: AsyncSession) -> tuple[Any, list[str]]:
        page = await load_help(session)
        actions = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        return page, actions

    return _query(settings, work)


def test_init_city_sets_up_the_contacts_the_clerks_office_and_the_first_clerk(
    env: dict[str, str], settings: Settings
) -> None:
    answers = "clerk-aoba\n青葉 花子\naoba@city.aoba.example.jp\n"
    result = _invoke(env, INIT_CITY, input=answers)
    assert result.exit_code == 0, result.output
    assert "First clerk's login ID" in result.stdout  # prompted for what was not given
    assert "city 'あおば市' set up" in result.stdout
    clerk = _user(settings, "clerk-aoba")
    assert clerk is not None and clerk.role == Role.municipal_admin
    assert clerk.office is not None
    assert clerk.office.name == "あおば市役所 高齢福祉課 地域支援センター"
    assert clerk.office.kind == "city_office" and clerk.office.phone == "012-555-0200"
    hashing = PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)
    assert hashing.verify(clerk.password_hash, _password(result.stdout))

    page, actions = _help_and_events(settings)
    assert page.city_name == "あおば市"
    desk, support = page.contacts
    assert (desk.name, desk.phone, desk.email, desk.hours) == (
        "あおば市役所 高齢福祉課 地域支援センター", "012-555-0200",
        "shien@city.aoba.example.jp", "平日 8:30〜17:15",
    )
    assert desk.title == "システム利用登録の手続きや運用について"
    assert support.name == "あおば市 在宅医療・介護連携支援センター"
    assert "在宅医療" not in desk.title and "調整" in support.title
    # The sign-in page names the desk (whom to call when locked out), not the centre.
    assert (desk.public, support.public) == (True, False)
    assert page.pledge.form42  # the rest of the help page kept its defaults
    assert "⑫" in page.pledge_items and page.terms.version == ""
    assert actions == ["city.initialized", "admin.user_issued"]

    # A clerk made later with create-admin joins the same office.
    later = _invoke(env, ["create-admin", "--role", "municipal", "--login-id", "clerk-later",
                          "--name", "後任", "--email", "later@city.aoba.example.jp"])
    assert later.exit_code == 0, later.output
    assert (found := _user(settings, "clerk-later")) is not None and found.office is not None
    assert found.office.name == "あおば市役所 高齢福祉課 地域支援センター"


def test_init_city_runs_once_and_refuses_a_database_with_clerks(
    env: dict[str, str], settings: Settings
) -> None:
    clerk = ["--clerk-login-id", "clerk-a", "--clerk-name", "甲", "--clerk-email", "a@x.example.jp"]
    assert _invoke(env, [*INIT_CITY, *clerk]).exit_code == 0
    again = _invoke(env, [*INIT_CITY, "--city-name", "べつの市", "--clerk-login-id", "clerk-b",
                          "--clerk-name", "乙", "--clerk-email", "b@x.example.jp"])
    assert again.exit_code == 1
    assert "refusing to set up the city again" in again.stderr and "あおば市" in again.stderr
    assert "initial-password" not in again.stdout
    assert _user(settings, "clerk-b") is None
    page, actions = _help_and_events(settings)
    assert page.city_name == "あおば市" and actions.count("city.initialized") == 1


def test_init_city_refuses_where_clerks_exist_and_checks_its_input(
    env: dict[str, str], settings: Settings
) -> None:
    made = _invoke(env, ["create-admin", "--role", "municipal", "--login-id", "clerk-old",
                         "--name", "既存", "--email", "old@x.example.jp"])
    assert made.exit_code == 0
    clerk = ["--clerk-login-id", "clerk-new", "--clerk-name", "新", "--clerk-email",
             "n@x.example.jp"]
    refused = _invoke(env, [*INIT_CITY, *clerk])
    assert refused.exit_code == 1 and "city clerk account(s)" in refused.stderr
    assert _user(settings, "clerk-new") is None
    bad_phone = CliRunner().invoke(
        carebook, [*INIT_CITY, *clerk, "--desk-phone", "call us"], env=env
    )
    assert bad_phone.exit_code == 2 and "phone number" in bad_phone.output


def test_demo_refuses_a_database_with_real_users(env: dict[str, str], settings: Settings) -> None:
    created = _invoke(
        env,
        ["create-admin", "--login-id", "ops-real", "--name", "運用", "--email", "o@c.example.jp"],
    )
    assert created.exit_code == 0
    result = _invoke(env, ["demo"])
    assert result.exit_code == 1
    assert "non-demo users" in result.stderr

    async def demo_users(session: AsyncSession) -> int:
        count = await session.execute(
            select(func.count()).select_from(User).where(User.is_demo.is_(True))
        )
        return int(count.scalar_one())

    assert _query(settings, demo_users) == 0


def test_demo_loads_once(env: dict[str, str], settings: Settings) -> None:
    first = _invoke(env, ["demo"])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.stdout
    nurse = _user(settings, "demo-nurse")
    assert nurse is not None and nurse.is_demo
    second = _invoke(env, ["demo"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.stdout


def test_db_commands(env: dict[str, str]) -> None:
    current = _invoke(env, ["db", "current"])
    assert current.exit_code == 0, current.output
    downgraded = _invoke(env, ["db", "downgrade", "base"])
    assert downgraded.exit_code == 0, downgraded.output
    upgraded = _invoke(env, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "upgraded to head" in upgraded.stdout
    missing = CliRunner().invoke(carebook, ["db", "downgrade"], env=env)
    assert missing.exit_code == 2  # REVISION is required


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CAREBOOK_DATABASE_URL", "mysql://carebook@db.example.jp/carebook"),
        ("CAREBOOK_BASE_URL", "http://carebook.example.jp"),
        ("CAREBOOK_SECRET_KEY", "short"),
    ],
)
def test_serve_stops_on_a_bad_setting(env: dict[str, str], name: str, value: str) -> None:
    result = CliRunner().invoke(carebook, ["serve", "--port", "8765"], env={**env, name: value})
    assert result.exit_code == 2
    assert result.stderr.startswith("carebook: ")
    assert name in result.stderr


def test_serve_bad_setting_in_a_real_process(data_dir: Path, database_url: str) -> None:
    done = subprocess.run(
        [carebook_executable(), "serve"],
        env={**server_env(data_dir, database_url), "CAREBOOK_BASE_URL": "ftp://x"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("carebook: CAREBOOK_BASE_URL")
    assert "Traceback" not in done.stderr


def test_serve_upgrades_apart_and_keeps_alembic_out_of_its_memory(data_dir: Path) -> None:
    """`serve` and `worker` run for days: the upgrade runs in a forked child, so Alembic and
    the migration scripts (~9 MiB of the server's peak) never load in the process that
    stays (issue 15's memory target)."""
    fresh = data_dir / "fresh.sqlite3"
    script = (
        "import sys\n"
        "from server.commands import settings_or_exit, upgrade_apart_or_exit\n"
        "upgrade_apart_or_exit(settings_or_exit())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=server_env(data_dir, f"sqlite+aiosqlite:///{fresh}"),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    with sqlite3.connect(fresh) as conn:  # … and the child did upgrade it, to head
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    assert revision == head


def test_serve_says_why_the_upgrade_failed_in_a_real_process(data_dir: Path) -> None:
    broken = data_dir / "broken.sqlite3"
    broken.write_bytes(b"not a database, a file that was overwritten " * 100)
    done = subprocess.run(
        [carebook_executable(), "serve", "--port", "8766"],
        env=server_env(data_dir, f"sqlite+aiosqlite:///{broken}"),
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("carebook: cannot upgrade the database"), done.stderr
    assert "Traceback" not in done.stderr
    assert "serving" not in done.stdout


def test_serve_loads_the_demo_on_first_start(
    data_dir: Path, database_url: str, settings: Settings
) -> None:
    with live_server_process(data_dir, database_url, serve_args=["--demo-on-first-start"]) as srv:
        health = srv.get_json("/api/health")
        assert health["status"] == "ok"
        assert "demo data loaded" in srv.log()
    nurse = _user(settings, "demo-nurse")
    assert nurse is not None and nurse.is_demo
    # The second start finds users and loads nothing.
    with live_server_process(data_dir, database_url, serve_args=["--demo-on-first-start"]) as srv:
        assert srv.get_json("/api/health")["status"] == "ok"
        assert "demo data loaded" not in srv.log()


def test_serve_refuses_several_workers_on_sqlite(data_dir: Path) -> None:
    result = _invoke(server_env(data_dir, f"sqlite+aiosqlite:///{data_dir}/one.sqlite3"),
                     ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers needs PostgreSQL" in result.output


@pytest.mark.postgres_only
def test_serve_runs_several_workers_on_postgresql(data_dir: Path, postgres_url: str) -> None:
    import psutil

    with live_server_process(data_dir, postgres_url,
                             serve_args=["--workers", "2", "--demo-on-first-start"]) as srv:
        assert srv.get_json("/api/health")["status"] == "ok"
        workers = psutil.Process(srv.process.pid).children()
        assert len([w for w in workers if w.is_running()]) >= 2
        for _ in range(6):  # whichever process takes the connection answers
            assert srv.get_json("/api/health")["status"] == "ok"
