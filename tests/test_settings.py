"""Settings come only from the environment; a bad value stops start-up naming the variable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.pool import QueuePool

from server.db import create_engine
from server.settings import SettingsError, load_settings


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {"CAREBOOK_DATA_DIR": str(data_dir), **extra}


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path))
    assert settings.data_dir == tmp_path.resolve()
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'carebook.sqlite3'}"
    assert settings.database.dialect == "sqlite"
    assert settings.database.echo is False
    assert settings.base_url == "http://localhost:8000"
    assert settings.origin == "http://localhost:8000"
    assert settings.rp_id == "localhost"
    assert settings.secure_cookies is False
    assert settings.smtp.host is None
    assert settings.smtp.port == 25
    assert settings.smtp.starttls is False
    assert settings.smtp.sender
    assert settings.auth.idle_timeout_s == 30 * 60
    assert settings.auth.absolute_timeout_s == 12 * 3600
    assert settings.auth.argon2_time_cost >= 3  # production cost unless asked for the test one
    assert settings.attachments_dir.parent == settings.data_dir


def test_values_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        _env(
            tmp_path,
            CAREBOOK_DATABASE_URL="postgresql://carebook:pw@db.example.jp:5432/carebook",
            CAREBOOK_BASE_URL="https://carebook.example.jp/",
            CAREBOOK_SECRET_KEY="k" * 40,
            CAREBOOK_SMTP_HOST="smtp.example.jp",
            CAREBOOK_SMTP_PORT="587",
            CAREBOOK_SMTP_USERNAME="mailer",
            CAREBOOK_SMTP_PASSWORD="mail-secret",
            CAREBOOK_SMTP_STARTTLS="yes",
            CAREBOOK_SMTP_SENDER="市 在宅医療 <carebook@city.example.jp>",
            CAREBOOK_SESSION_IDLE_MINUTES="15",
            CAREBOOK_SESSION_ABSOLUTE_HOURS="8",
        )
    )
    assert settings.database.url == "postgresql+asyncpg://carebook:pw@db.example.jp:5432/carebook"
    assert settings.database.dialect == "postgresql"
    assert settings.base_url == "https://carebook.example.jp"
    assert settings.rp_id == "carebook.example.jp"
    assert settings.secure_cookies is True
    assert settings.secret_key == "k" * 40
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.starttls) == (
        "smtp.example.jp", 587, True)
    assert (settings.smtp.username, settings.smtp.password) == ("mailer", "mail-secret")
    assert settings.smtp.sender == "市 在宅医療 <carebook@city.example.jp>"
    assert settings.auth.idle_timeout_s == 15 * 60
    assert settings.auth.absolute_timeout_s == 8 * 3600
    # The secret key came from the environment: nothing written to the data dir.
    assert not (tmp_path / "secret_key").exists()


def test_the_scheduler_settings(tmp_path: Path) -> None:
    default = load_settings(_env(tmp_path)).scheduler
    assert (default.in_process, default.poll_seconds, default.lease_seconds) == (True, 60, 300)
    assert default.id_stop_notice_days == 3
    chosen = load_settings(_env(
        tmp_path, CAREBOOK_SCHEDULER="0", CAREBOOK_SCHEDULER_POLL_SECONDS="30",
        CAREBOOK_SCHEDULER_LEASE_SECONDS="120", CAREBOOK_ID_STOP_NOTICE_DAYS="5",
    )).scheduler
    assert (chosen.in_process, chosen.poll_seconds, chosen.lease_seconds) == (False, 30, 120)
    assert chosen.id_stop_notice_days == 5


async def test_a_postgresql_process_keeps_its_pool_and_opens_no_more(tmp_path: Path) -> None:
    """Connections opened beyond the pool were closed again under load (a new database
    backend each): a process keeps `CAREBOOK_DATABASE_POOL_SIZE` and never exceeds it."""
    url = "postgresql+asyncpg://carebook@db.invalid:5432/carebook"
    assert load_settings(_env(tmp_path, CAREBOOK_DATABASE_URL=url)).database.pool_size == 30
    settings = load_settings(_env(tmp_path, CAREBOOK_DATABASE_URL=url,
                                  CAREBOOK_DATABASE_POOL_SIZE="12"))
    engine = create_engine(settings.database)  # connects only on first use
    try:
        pool = engine.sync_engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow) == (12, 0)
    finally:
        await engine.dispose()
    with pytest.raises(SettingsError, match="CAREBOOK_DATABASE_POOL_SIZE"):
        load_settings(_env(tmp_path, CAREBOOK_DATABASE_POOL_SIZE="0"))


def test_port_moves_the_default_base_url(tmp_path: Path) -> None:
    assert load_settings(_env(tmp_path, PORT="8123")).base_url == "http://localhost:8123"


def test_data_dir_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "data"
    settings = load_settings(_env(target))
    assert target.is_dir()
    assert settings.data_dir == target.resolve()
    assert str(target.resolve()) in settings.database.url


def test_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = load_settings(_env(tmp_path)).secret_key
    key_file = tmp_path / "secret_key"
    assert key_file.is_file()
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first
    assert load_settings(_env(tmp_path)).secret_key == first
    # Another data dir, another key.
    assert load_settings(_env(tmp_path / "other")).secret_key != first


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CAREBOOK_DATABASE_URL", "mysql://carebook@db/carebook"),
        ("CAREBOOK_DATABASE_URL", "sqlite:///plain-driver.sqlite3"),
        ("CAREBOOK_DATABASE_URL", "not a url"),
        ("CAREBOOK_BASE_URL", "ftp://carebook.example.jp"),
        ("CAREBOOK_BASE_URL", "carebook.example.jp"),
        ("CAREBOOK_BASE_URL", "http://carebook.example.jp"),  # plain http only for localhost
        ("CAREBOOK_BASE_URL", "http://127.0.0.1:8000"),  # WebAuthn refuses IP origins
        ("CAREBOOK_BASE_URL", "https://carebook.example.jp/app"),
        ("CAREBOOK_BASE_URL", "https://carebook.example.jp/?x=1"),
        ("CAREBOOK_SECRET_KEY", "too-short"),
        ("PORT", "eighty"),
        ("PORT", "0"),
        ("CAREBOOK_SMTP_PORT", "smtp"),
        ("CAREBOOK_SMTP_PORT", "-25"),
        ("CAREBOOK_SMTP_STARTTLS", "maybe"),
        ("CAREBOOK_DATABASE_ECHO", "loud"),
        ("CAREBOOK_SESSION_IDLE_MINUTES", "0"),
        ("CAREBOOK_SESSION_IDLE_MINUTES", "half an hour"),
        ("CAREBOOK_SESSION_ABSOLUTE_HOURS", "-1"),
        ("CAREBOOK_SESSION_ABSOLUTE_HOURS", "1.5"),
        ("CAREBOOK_SCHEDULER", "sometimes"),
        ("CAREBOOK_SCHEDULER_POLL_SECONDS", "0"),
        ("CAREBOOK_SCHEDULER_LEASE_SECONDS", "5"),
        ("CAREBOOK_SCHEDULER_LEASE_SECONDS", "60"),  # not longer than the 60 s poll
        ("CAREBOOK_ID_STOP_NOTICE_DAYS", "-1"),
        ("CAREBOOK_PUSH_ENDPOINT_HOSTS", "*"),  # it extends the known services, never "any"
        ("CAREBOOK_PUSH_ENDPOINT_HOSTS", "push.example.jp,localhost"),
        ("CAREBOOK_API_VIEWER", "sometimes"),
    ],
)
def test_bad_value_names_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(_env(tmp_path, **{name: value}))
    assert name in str(raised.value)


def test_bad_data_dir_names_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SettingsError, match="CAREBOOK_DATA_DIR"):
        load_settings(_env(blocker / "data"))


def test_database_url_error_does_not_echo_the_password(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(_env(tmp_path, CAREBOOK_DATABASE_URL="mysql://carebook:hunter2@db/x"))
    assert "CAREBOOK_DATABASE_URL" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_push_endpoint_hosts_extend_the_known_push_services(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path, CAREBOOK_PUSH_ENDPOINT_HOSTS=" Push.Example.JP ,"))
    assert settings.push.endpoint_hosts == (
        "fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com",
        "notify.windows.com", "push.example.jp")
    assert settings.push.allow_http_loopback is False  # the tests' receiver: explicit only
