"""`carebook rotate-secret-key`: TOTP second factors still work under the new key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.app import create_app
from server.auth.totp import open_secret
from server.clock import FrozenClock
from server.settings import Settings, load_settings
from store.models import TotpFactor
from tests.conftest import BASE_URL, server_env
from tests.factories import make_user
from tests.ops.support import invoke, run, with_session
from tests.support.api import ApiClient


def _sealed(settings: Settings) -> list[str]:
    async def work(session: Any) -> list[str]:
        return list(await session.scalars(select(TotpFactor.secret_encrypted)))

    return with_session(settings, work)


async def _sign_in(settings: Settings, login: str, password: str, secret: str) -> int:
    clock = FrozenClock()
    async with AsyncTestClient(create_app(settings, clock=clock), base_url=BASE_URL) as client:
        response = await ApiClient(client).sign_in_totp(login, password, secret, clock.now())
        return int(response.status_code)


def test_rotation_with_the_key_in_the_environment(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    env = server_env(data_dir, database_url)
    settings = load_settings(env)

    async def arrange() -> Any:
        from server import db

        engine = db.create_engine(settings.database)
        try:
            return await make_user(db.session_factory(engine), settings, "nurse-rotate",
                                   now=FrozenClock().now())
        finally:
            await engine.dispose()

    user = run(arrange())
    assert user.totp_secret is not None
    refused = invoke(env, "rotate-secret-key")
    assert refused.exit_code == 2
    assert "--new-key-file" in refused.output

    new_key = "n" * 20 + "e" * 30
    key_file = tmp_path / "new.key"
    key_file.write_text(new_key + "\n")
    done = invoke(env, "rotate-secret-key", "--new-key-file", str(key_file))
    assert done.exit_code == 0, done.output
    assert "1 TOTP secret(s) re-sealed" in done.output
    assert "set CAREBOOK_SECRET_KEY" in done.output

    rotated = load_settings({**env, "CAREBOOK_SECRET_KEY": new_key})
    (sealed,) = _sealed(rotated)
    assert open_secret(new_key, sealed) == user.totp_secret
    assert run(_sign_in(rotated, user.login_id, user.password, user.totp_secret)) == 200
    # The old key no longer opens it.
    assert run(_sign_in(settings, user.login_id, user.password, user.totp_secret)) != 200


def test_rotation_with_the_key_in_the_data_directory(data_dir: Path, database_url: str) -> None:
    env = {**server_env(data_dir, database_url), "CAREBOOK_SECRET_KEY": ""}
    settings = load_settings(env)
    old_key = (data_dir / "secret_key").read_text()

    async def arrange() -> Any:
        from server import db

        engine = db.create_engine(settings.database)
        try:
            return await make_user(db.session_factory(engine), settings, "nurse-rotate2",
                                   now=FrozenClock().now())
        finally:
            await engine.dispose()

    user = run(arrange())
    assert user.totp_secret is not None
    done = invoke(env, "rotate-secret-key")
    assert done.exit_code == 0, done.output
    new_key = (data_dir / "secret_key").read_text()
    assert new_key != old_key and len(new_key) >= 32
    assert (data_dir / "secret_key.previous").read_text() == old_key
    assert not (data_dir / "secret_key.new").exists()
    rotated = load_settings(env)
    assert rotated.secret_key == new_key
    (sealed,) = _sealed(rotated)
    assert open_secret(new_key, sealed) == user.totp_secret
    assert pyotp.TOTP(user.totp_secret).now()
    assert run(_sign_in(rotated, user.login_id, user.password, user.totp_secret)) == 200


def test_rotation_keeps_every_device_recovery_secret(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    """A forgotten passcode after a key rotation still keeps the unsent records."""
    env = server_env(data_dir, database_url)
    settings = load_settings(env)

    async def arrange() -> Any:
        from server import db

        engine = db.create_engine(settings.database)
        try:
            return await make_user(db.session_factory(engine), settings, "nurse-rotate3",
                                   now=FrozenClock().now())
        finally:
            await engine.dispose()

    user = run(arrange())
    assert user.totp_secret is not None
    device = "tablet-of-nurse-rotate3"

    async def recovery_secret(current: Settings, clock: FrozenClock) -> dict[str, Any]:
        app = create_app(current, clock=clock)
        async with AsyncTestClient(app, base_url=BASE_URL) as client:
            api = ApiClient(client, device=device)
            done = await api.sign_in_totp(user.login_id, user.password, user.totp_secret or "",
                                          clock.now())
            assert done.status_code == 200, done.text
            answer = await api.post("/api/device-keys/recovery")
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            return body

    clock = FrozenClock()
    made = run(recovery_secret(settings, clock))
    assert made["created"] is True
    new_key = "r" * 20 + "k" * 30
    key_file = tmp_path / "new.key"
    key_file.write_text(new_key + "\n")
    done = invoke(env, "rotate-secret-key", "--new-key-file", str(key_file))
    assert done.exit_code == 0, done.output
    assert "1 device recovery secret(s) re-sealed" in done.output
    clock.advance(seconds=31)  # the next TOTP step for the next sign-in
    rotated = load_settings({**env, "CAREBOOK_SECRET_KEY": new_key})
    assert run(recovery_secret(rotated, clock)) == {"secret": made["secret"], "created": False}
