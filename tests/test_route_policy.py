"""The route table is the one list of policy: every route declares who may reach it and how it
is limited (server/route_policy.py), the city's routes carry a role guard, and a route that
declares nothing is closed, not open."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from server.auth.roles import ROLE_GUARDS, admins_only
from server.clock import FrozenClock
from server.openapi import Error
from server.route_policy import PolicyMiddleware, RoutePolicy, policy
from server.settings import Settings
from tests.support.api import ApiClient
from tests.sync.support import signed_in

# The city's side and an office's side: nobody without the role may reach these.
ROLE_PREFIXES = ("/api/admin", "/api/office", "/api/applications")


def _table(app: Litestar) -> list[tuple[str, str, Any, RoutePolicy | None]]:
    """(method, path, handler, declared policy) for every route the app answers."""
    rows = []
    for route in app.routes:
        assert isinstance(route, HTTPRoute), route  # no websocket or mounted ASGI routes
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                rows.append((method, route.path, handler, RoutePolicy.of(handler)))
    return rows


def test_every_route_declares_its_policy(app: Litestar) -> None:
    table = _table(app)
    undeclared = [f"{method} {path}" for method, path, _, found in table if found is None]
    assert undeclared == []
    assert len(table) > 200  # the whole table was walked, automatic OPTIONS answers included


def test_the_declared_policies_say_what_the_product_promises(app: Litestar) -> None:
    declared = {(method, path): found for method, path, _, found in _table(app)}
    public = {key for key, found in declared.items() if found and found.auth == "public"}
    assert ("GET", "/api/health") in public
    assert ("GET", "/schema/openapi.json") in public
    assert ("POST", "/api/sync/push") not in public
    steps = {key: found.signin_step for key, found in declared.items()
             if found and found.signin_step}
    assert steps == {
        ("POST", "/api/auth/login"): "password",
        ("POST", "/api/auth/totp"): "totp",
        ("POST", "/api/auth/webauthn/verify"): "passkey",
    }
    for key in steps:
        assert declared[key] is not None and declared[key].rate == "signin"  # type: ignore[union-attr]
    # Only a signed link's own authority stands in for the CSRF token.
    no_csrf = [key for key, found in declared.items() if found and not found.csrf]
    assert no_csrf == [("POST", "/api/mail/unsubscribe")]
    streams = [key for key, found in declared.items() if found and found.stream]
    assert streams == [("GET", "/api/sync/events")]
    push = declared[("POST", "/api/sync/push")]
    assert push is not None and push.body_limit is not None and push.body_limit > 1_000_000
    # Every route that takes a file (its own body limit) is counted as an upload.
    for (method, path), found in declared.items():
        if found is not None and found.own_body_limit and method == "POST":
            assert found.rate == "upload", (method, path)


def test_the_city_and_office_routes_carry_a_role_guard(app: Litestar) -> None:
    unguarded = []
    for method, path, handler, _ in _table(app):
        # Litestar's automatic OPTIONS answer names the allowed methods and nothing else.
        if method == "OPTIONS" or not path.startswith(ROLE_PREFIXES):
            continue
        if not any(guard.__name__ in {g.__name__ for g in ROLE_GUARDS}
                   for guard in handler.resolve_guards()):
            unguarded.append(f"{method} {path}")
    assert unguarded == []


async def test_a_route_without_a_declared_policy_is_refused() -> None:
    @get("/declared", opt=policy(auth="public"), sync_to_thread=False)
    def declared() -> str:
        return "ok"

    @post("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        raise AssertionError("an undeclared handler ran")

    app = Litestar([declared, forgotten], middleware=[PolicyMiddleware])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/declared")).text == "ok"
        refused = await client.post("/forgotten", headers={"Accept-Language": "en"})
        assert refused.status_code == 500
        body = msgspec.json.decode(refused.content, type=Error)
        assert body.error == "internal" and body.message.startswith("Something went wrong")


@pytest.fixture()
async def nurse(client: Any, sessionmaker: Any, settings: Settings,
                clock: FrozenClock) -> ApiClient:
    return (await signed_in(client, sessionmaker, settings, clock, "nurse-policy"))[1]


async def test_a_role_guard_refuses_before_the_body_is_read(nurse: ApiClient) -> None:
    # Not even a form is parsed for a nurse: the import's guard answers first.
    refused = await nurse.post("/api/admin/imports", content=b"\xff not a form",
                               headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "admin_only"
    for path in ("/api/admin/ledger", "/api/admin/help-desk", "/api/office/staff"):
        response = await nurse.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"] in {"admin_only", "office_admin_only"}


def test_guards_are_the_role_checks(app: Litestar) -> None:
    guards = {(m, p): [g.__name__ for g in h.resolve_guards()] for m, p, h, _ in _table(app)}
    # The same form, printed by the city or by an office for itself: two routes, two roles.
    assert guards[("GET", "/api/admin/forms/{form:str}/blank")] == ["admins_only"]
    assert guards[("GET", "/api/office/forms/{form:str}/blank")] == ["office_admins_only"]
    assert guards[("PUT", "/api/admin/help")] == ["admins_only"]
    assert guards[("GET", "/api/help")] == []  # every signed-in user reads the help page
    assert admins_only in ROLE_GUARDS


def test_a_route_can_declare_only_state_refusals() -> None:
    assert policy(refuses=[409, 410]) == {"refuses": frozenset({409, 410})}
    with pytest.raises(ValueError, match="not a state refusal"):
        policy(refuses=[500])  # type: ignore[list-item]

