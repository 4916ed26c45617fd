"""First sign-in: change the initial password, then enrol a second factor (SECURITY.md 2, 4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest

from server.auth.passwords import password_problems
from server.clock import FrozenClock
from server.settings import Settings
from tests.factories import make_user
from tests.support.api import ApiClient

NEW_PASSWORD = "寒い朝に訪問する看護の記録"


async def test_initial_password_forces_change_then_totp_enrolment(
    api: ApiClient, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    user = await make_user(
        sessionmaker,
        settings,
        "new-nurse",
        now=clock.now(),
        password="Initial-Pw-8sd7f6g5",
        must_change=True,
        with_totp=False,
        password_expires_at=clock.now() + timedelta(days=7),
    )
    first = await api.login(user.login_id, user.password)
    assert first.json()["next"] == "changePassword"
    assert (await api.get("/api/me")).status_code == 401

    weak = await api.post(
        "/api/auth/password", {"currentPassword": user.password, "newPassword": "short"}
    )
    assert weak.status_code == 400
    assert weak.json()["error"] == "weak_password"
    assert [r["code"] for r in weak.json()["reasons"]] == ["too_short"]

    changed = await api.post(
        "/api/auth/password", {"currentPassword": user.password, "newPassword": NEW_PASSWORD}
    )
    assert changed.json()["next"] == "enroll"
    assert (await api.get("/api/me")).status_code == 401

    enrol = await api.post("/api/auth/totp/enroll")
    assert enrol.status_code == 200
    secret = enrol.json()["secret"]
    assert len(secret) == 32  # 160 bits of base32
    assert enrol.json()["otpauthUri"].startswith("otpauth://totp/")
    # A standalone SVG: the PWA shows it as an <img> from a data: URI, which needs xmlns.
    assert enrol.json()["qrSvg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    bad = await api.post("/api/auth/totp/enroll/confirm", {"code": "123456"})
    assert bad.status_code == 401
    done = await api.post(
        "/api/auth/totp/enroll/confirm", {"code": pyotp.TOTP(secret).at(clock.now())}
    )
    assert done.json()["next"] == "done"
    assert (await api.get("/api/me")).json()["factors"]["totp"] is True

    await api.post("/api/auth/logout")
    again = await api.login(user.login_id, NEW_PASSWORD)
    assert again.json()["next"] == "totp"
    assert (await api.login(user.login_id, user.password)).status_code == 401  # single use


async def test_an_expired_initial_password_no_longer_works(
    api: ApiClient, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    user = await make_user(
        sessionmaker,
        settings,
        "late-nurse",
        now=clock.now(),
        password="Initial-Pw-8sd7f6g5",
        must_change=True,
        with_totp=False,
        password_expires_at=clock.now() + timedelta(days=7),
    )
    clock.advance(days=7, seconds=1)
    response = await api.login(user.login_id, user.password)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-pw", "too_short"),
        ("x" * 129, "too_long"),
        ("password12345", "common"),
        ("1234567890123", "common"),
        ("ababababababababab", "common"),
        ("my-login-hanako-is-long", "personal"),
        ("看護花子のながいパスワード", "personal"),
        ("born-19450312-long", "birth_date"),
        ("carebook-is-my-password", "service_name"),
    ],
)
def test_password_policy_refuses(password: str, code: str) -> None:
    from datetime import date

    problems = password_problems(
        password,
        login_id="hanako",
        name="看護 花子",
        name_kana="かんご はなこ",
        birth_date=date(1945, 3, 12),
    )
    assert code in [p.code for p in problems]


@pytest.mark.parametrize(
    "password",
    [
        "寒い朝に訪問する看護の記録",
        "lantern orbit velvet quarry",
        "Ünïcödé-pässwörd-ok",
        "a" * 2 + "bcdefghijklmnopq" * 7,
    ],
)
def test_password_policy_accepts_long_unusual_passwords_without_composition_rules(
    password: str,
) -> None:
    assert password_problems(password, login_id="hanako", name="看護 花子") == []
