"""SECURITY.md 1: after the password step alone, every route but the sign-in steps answers 401."""

from __future__ import annotations

import re
import uuid

from litestar import Litestar

from tests.factories import MadeUser
from tests.support.api import ApiClient

SIGNIN_PATHS = {
    "/api/auth/csrf",
    "/api/auth/login",
    "/api/auth/logout",
    "/api/auth/totp",
    "/api/auth/webauthn/options",
    "/api/auth/webauthn/verify",
    "/api/auth/totp/enroll",
    "/api/auth/totp/enroll/confirm",
    "/api/auth/webauthn/register/options",
    "/api/auth/webauthn/register/verify",
    "/api/auth/password",
}


def _public(app: Litestar, path: str) -> bool:
    for route in app.routes:
        if route.path == path:
            handlers = [
                h
                for h in route.route_handlers  # type: ignore[union-attr]
                if set(h.http_methods) != {"OPTIONS"}  # Litestar's automatic OPTIONS handler
            ]
            return all((h.opt or {}).get("auth") == "public" for h in handlers)
    return False


def _concrete(path: str) -> str:
    return re.sub(
        r"\{[^}:]+:(uuid|str|int|path)\}",
        lambda m: {"uuid": str(uuid.uuid4()), "str": "x", "int": "1", "path": "x"}[m.group(1)],
        path,
    )


async def test_every_route_refuses_a_password_only_session(
    app: Litestar, api: ApiClient, nurse: MadeUser
) -> None:
    assert (await api.login(nurse.login_id, nurse.password)).json()["next"] == "totp"
    checked: list[str] = []
    for route in app.routes:
        path = route.path
        if path in SIGNIN_PATHS or _public(app, path) or path.startswith("/schema"):
            continue
        for method in sorted(getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}):
            response = await api.request(method, _concrete(path), json={})
            assert response.status_code == 401, (method, path, response.text)
            checked.append(f"{method} {path}")
    assert len(checked) >= 10, checked  # the table really was walked


async def test_public_routes_are_only_the_expected_ones(app: Litestar) -> None:
    public = {route.path for route in app.routes if _public(app, route.path)}
    allowed = {
        "/api/health",
        "/api/auth/csrf",
        "/api/auth/session",  # says only whether this browser is signed in
        "/",  # the PWA shell
        "/{path:path}",
        "/api/activation/{token:str}",  # a single-use link is its own credential
        "/api/invitations/{token:str}",
        "/api/invitations/{token:str}/apply",
        "/api/push/key",  # the VAPID public key
        "/api/mail/unsubscribe",  # the daily mail's signed one-click link is its own credential
        "/api/metrics",  # checks an operator session or the scraper's bearer token itself
        "/api/help/public",  # whom to call when sign-in fails: only what the city published
        # The OpenAPI document and its viewer describe the API; they reveal no data.
        "/schema",
        "/schema/{path:str}",
        "/schema/openapi.json",
        "/schema/swagger",
        "/schema/oauth2-redirect.html",
    }
    assert public <= allowed, public - allowed


async def test_sign_in_steps_refuse_a_password_only_session_at_the_wrong_step(
    api: ApiClient, nurse: MadeUser
) -> None:
    await api.login(nurse.login_id, nurse.password)
    for path in ("/api/auth/totp/enroll", "/api/auth/webauthn/register/options"):
        response = await api.post(path)
        assert response.status_code in {401, 409}, path
        assert (await api.get("/api/me")).status_code == 401


async def test_metrics_answer_only_an_operator(api: ApiClient, nurse: MadeUser) -> None:
    await api.login(nurse.login_id, nurse.password)
    assert (await api.get("/api/metrics")).status_code in {401, 403}
