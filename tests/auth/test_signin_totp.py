"""Signing in with a password and a TOTP code (SECURITY.md 1, 6, 8, 11, 12, 15)."""

from __future__ import annotations

from typing import Any

import pyotp

from server.clock import FrozenClock
from tests.factories import MadeUser
from tests.support.api import ApiClient


def _use_session_cookie(client: Any, token: str) -> None:
    """Present an earlier session id, as an attacker who copied it would."""
    client.cookies.clear()
    client.cookies.set("carebook_session", token)


async def test_password_then_totp_signs_in_and_me_answers(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    first = await api.login(nurse.login_id, nurse.password)
    assert first.status_code == 200
    assert first.json()["next"] == "totp"
    assert first.json()["csrfToken"]

    assert (await api.get("/api/me")).status_code == 401  # password alone is not enough

    assert nurse.totp_secret is not None
    code = pyotp.TOTP(nurse.totp_secret).at(clock.now())
    done = await api.post("/api/auth/totp", {"code": code})
    assert done.status_code == 200, done.text
    assert done.json()["next"] == "done"

    me = await api.get("/api/me")
    assert me.status_code == 200
    body = me.json()
    assert body["user"]["loginId"] == nurse.login_id
    assert body["user"]["jobTypeLabel"] == "看護師"
    assert body["factors"]["totp"] is True
    assert body["device"]["current"] is True


async def test_same_answer_for_unknown_user_wrong_password_and_locked_account(
    api: ApiClient, nurse: MadeUser
) -> None:
    unknown = await api.login("nobody-here", "whatever password 123")
    wrong = await api.login(nurse.login_id, "not the password at all")
    for _ in range(5):
        await api.login(nurse.login_id, "not the password at all")
    locked = await api.login(nurse.login_id, nurse.password)  # correct, but locked
    assert unknown.status_code == wrong.status_code == locked.status_code == 401
    assert unknown.json() == wrong.json() == locked.json()
    assert unknown.json()["error"] == "invalid_credentials"


async def test_a_totp_code_is_accepted_only_once(
    api: ApiClient, client: Any, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    code = pyotp.TOTP(nurse.totp_secret).at(clock.now())
    await api.login(nurse.login_id, nurse.password)
    assert (await api.post("/api/auth/totp", {"code": code})).json()["next"] == "done"

    other = ApiClient(client.__class__(client.app, base_url=str(client.base_url)))
    async with other.http:
        await other.login(nurse.login_id, nurse.password)
        replay = await other.post("/api/auth/totp", {"code": code})
    assert replay.status_code == 401
    assert replay.json()["error"] == "invalid_code"


async def test_codes_from_the_neighbouring_steps_work_but_not_older_ones(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    totp = pyotp.TOTP(nurse.totp_secret)
    await api.login(nurse.login_id, nurse.password)
    too_old = totp.at(clock.now().timestamp() - 90)
    assert (await api.post("/api/auth/totp", {"code": too_old})).status_code == 401
    previous = totp.at(clock.now().timestamp() - 30)
    assert (await api.post("/api/auth/totp", {"code": previous})).json()["next"] == "done"


async def test_session_id_rotates_at_each_step_and_the_old_one_stops_working(
    api: ApiClient, client: Any, nurse: MadeUser, clock: FrozenClock
) -> None:
    await api.login(nurse.login_id, nurse.password)
    pre_auth = client.cookies.get("carebook_session")
    assert pre_auth
    assert nurse.totp_secret is not None
    await api.post("/api/auth/totp", {"code": pyotp.TOTP(nurse.totp_secret).at(clock.now())})
    full = client.cookies.get("carebook_session")
    assert full and full != pre_auth
    assert (await api.get("/api/me")).status_code == 200

    _use_session_cookie(client, pre_auth)
    assert (await api.get("/api/me")).status_code == 401


async def test_cookie_is_httponly_and_samesite_strict(api: ApiClient, nurse: MadeUser) -> None:
    response = await api.login(nurse.login_id, nurse.password)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("carebook_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 40  # 256 random bits, URL-safe


async def test_state_changing_requests_need_the_csrf_token_and_our_origin(
    api: ApiClient, client: Any, nurse: MadeUser
) -> None:
    await api.refresh_csrf()
    body = {"loginId": nurse.login_id, "password": nurse.password}
    no_token = await client.post(
        "/api/auth/login",
        json=body,
        headers={"Origin": api.origin, "X-Carebook-Device": api.device},
    )
    assert no_token.status_code == 403
    assert no_token.json()["error"] == "csrf"
    foreign = await client.post(
        "/api/auth/login",
        json=body,
        headers={"Origin": "https://evil.example", "X-CSRF-Token": api.csrf or "",
                 "X-Carebook-Device": api.device},
    )
    assert foreign.status_code == 403 and foreign.json()["error"] == "csrf"
    wrong = await client.post(
        "/api/auth/login",
        json=body,
        headers={"Origin": api.origin, "X-CSRF-Token": "0" * 64, "X-Carebook-Device": api.device},
    )
    assert wrong.status_code == 403 and wrong.json()["error"] == "csrf"
    assert (await api.login(nurse.login_id, nurse.password)).status_code == 200


async def test_logout_ends_the_session_on_the_server(
    api: ApiClient, client: Any, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    token = client.cookies.get("carebook_session")
    assert (await api.post("/api/auth/logout")).status_code == 200
    _use_session_cookie(client, token)
    assert (await api.get("/api/me")).status_code == 401


async def test_idle_and_absolute_timeouts(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    clock.advance(minutes=29)
    assert (await api.get("/api/me")).status_code == 200
    clock.advance(minutes=29)
    assert (await api.get("/api/me")).status_code == 200  # activity keeps it alive
    clock.advance(minutes=31)
    assert (await api.get("/api/me")).status_code == 401  # idle too long

    clock.advance(minutes=1)
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    for _ in range(12 * 3):
        clock.advance(minutes=20)
        response = await api.get("/api/me")
    assert response.status_code == 401  # 12 hours after sign-in, even when active


async def test_session_state_tells_the_pwa_where_it_stands_without_a_401(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    fresh = await api.get("/api/auth/session")
    assert fresh.status_code == 200
    assert fresh.json()["signedIn"] is False and fresh.json()["stage"] is None
    await api.login(nurse.login_id, nurse.password)
    halfway = (await api.get("/api/auth/session")).json()
    assert halfway["signedIn"] is False and halfway["stage"] == "password"
    assert halfway["csrfToken"] == api.csrf
    assert nurse.totp_secret is not None
    await api.post("/api/auth/totp", {"code": pyotp.TOTP(nurse.totp_secret).at(clock.now())})
    done = (await api.get("/api/auth/session")).json()
    assert done["signedIn"] is True and done["stage"] == "full"
