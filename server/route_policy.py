"""Each route's policy, declared where the route is defined, and read in one place.

A route says what it needs with `opt=policy(...)` on its handler, controller or router
(Litestar merges `opt` from the app down to the handler, the nearest layer winning) and with
Litestar guards for roles (`server/auth/guards.py`). Nothing else decides by path:
`PolicyMiddleware`, the first middleware of every routed request, reads the handler's `opt`
once into a `RoutePolicy` and leaves it in the scope; the sign-in, body-limit, rate-limit,
metrics and OpenAPI code read that, never a path string. A route that declares no `auth`
is refused before anything else runs (a handler added without thought is closed, not open),
and `tests/test_route_policy.py` walks the route table so that none ships.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.types.empty import Empty

from .errors import DomainError, send_error

log = logging.getLogger("carebook.policy")

Auth = Literal["public", "signin", "locked", "full"]
"""Who may reach the route: anyone; a sign-in step (which checks the session's stage itself);
a session that has passed both factors, from its own device, while the app may be locked (what
the lock screen needs); the same from an unlocked app (server/auth/request_rules.py)."""

StateRefusal = Literal[403, 404, 409, 410]
"""A refusal that a route's handler or service may answer beyond what the rest of its policy
and its shape imply (the OpenAPI document lists it): 409 a conflict with the state of things
(`room_closed`, `last_factor`, …), 410 a link that is gone (`link_revoked`), 404 something
named in the body that does not exist (`room_not_found`), 403 a public route whose handler
checks who asks (the metrics scraper's operator)."""

RateClass = Literal["signin", "push", "upload"]
"""Which per-user (or per-account) window counts the route's requests (server/ops/limits.py):
sign-in attempts per account, notification changes per user, uploads per user."""

SigninStep = Literal["password", "totp", "passkey"]
"""The sign-in step a route is, for `carebook_signin_failures_total{step=…}`; the password
step names its account in its body (`loginId`), the others by their session."""

POLICY_STATE_KEY = "route_policy"
(
    _AUTH, _BARE, _CSRF, _JSON_BODY, _RATE, _BODY_LIMIT, _STREAM, _SIGNIN_STEP, _THROTTLE,
    _REFUSES,
) = (
    "auth", "bare", "csrf", "json_body", "rate", "body_limit", "stream", "signin_step",
    "signin_throttle", "refuses",
)


def policy(
    *,
    auth: Auth | None = None,
    bare: bool | None = None,
    csrf: bool | None = None,
    json_body: bool | None = None,
    rate: RateClass | None = None,
    body_limit: int | None = None,
    stream: bool | None = None,
    signin_step: SigninStep | None = None,
    signin_throttle: bool | None = None,
    refuses: Iterable[StateRefusal] | None = None,
) -> dict[str, Any]:
    """The `opt` of a handler, controller or router: only the keys given, so that a handler
    adds to (or overrides) what its controller or router declares.

    - `auth`: see `Auth`; every route must end up with one.
    - `bare=True`: answers requests that do not come from the app (no device header, no
      unlock proof; navigations allowed): the health check, the metrics scraper, a mail link.
    - `csrf=False`: no CSRF check, for a handler whose authority is a signed token in its URL
      rather than the browser's cookies (the daily mail's unsubscribe link), so a forged
      request gains nothing the token does not already give.
    - `json_body=False`: the body is not JSON and is never decoded as such (the daily mail's
      one-click POST, a form).
    - `rate`: see `RateClass`; none when absent.
    - `body_limit`: the JSON body limit in bytes when not the installation's default (sync
      push, whose limit follows from its schema's bounds). Upload routes set Litestar's own
      `request_max_body_size` instead, and the JSON limit leaves them be.
    - `stream`: a long-lived event stream: capped per user, and kept out of the latency
      histogram.
    - `signin_step`: see `SigninStep`.
    - `signin_throttle=True`: a sign-in attempt, counted per IP address even when its body
      is not JSON (server/auth/throttle.py).
    - `refuses`: see `StateRefusal`; the statuses the OpenAPI document adds for this route
      (the fuzzer fails on an answer the document does not list).
    """
    if refuses is not None:
        refuses = frozenset(refuses)
        unknown = refuses - set(get_args(StateRefusal))
        if unknown:
            raise ValueError(f"refuses: not a state refusal: {sorted(unknown)}")
    declared: dict[str, Any] = {
        _AUTH: auth, _BARE: bare, _CSRF: csrf, _JSON_BODY: json_body, _RATE: rate,
        _BODY_LIMIT: body_limit, _STREAM: stream, _SIGNIN_STEP: signin_step,
        _THROTTLE: signin_throttle, _REFUSES: refuses,
    }
    return {key: value for key, value in declared.items() if value is not None}


@dataclass(frozen=True)
class RoutePolicy:
    """What one route handler declared, resolved through its layers."""

    auth: Auth
    bare: bool = False
    csrf: bool = True
    json_body: bool = True
    rate: RateClass | None = None
    body_limit: int | None = None
    own_body_limit: bool = False
    stream: bool = False
    signin_step: SigninStep | None = None
    signin_throttle: bool = False
    refuses: frozenset[StateRefusal] = frozenset()

    @classmethod
    def of(cls, handler: BaseRouteHandler | None) -> RoutePolicy | None:
        """The handler's declared policy; None when it declares no (valid) `auth`."""
        opt: dict[str, Any] = dict(getattr(handler, "opt", None) or {})
        auth: Auth | None = opt.get(_AUTH)
        if auth not in get_args(Auth) or auth is None:
            return None
        rate = opt.get(_RATE)
        step = opt.get(_SIGNIN_STEP)
        limit = opt.get(_BODY_LIMIT)
        return cls(
            auth=auth,
            bare=opt.get(_BARE) is True,
            csrf=opt.get(_CSRF) is not False,
            json_body=opt.get(_JSON_BODY) is not False,
            rate=rate if rate in get_args(RateClass) else None,
            body_limit=limit if isinstance(limit, int) and limit > 0 else None,
            own_body_limit=getattr(handler, "request_max_body_size", Empty) is not Empty,
            stream=opt.get(_STREAM) is True,
            signin_step=step if step in get_args(SigninStep) else None,
            signin_throttle=opt.get(_THROTTLE) is True,
            refuses=frozenset(opt.get(_REFUSES) or ()),
        )


def route_policy(scope: Scope) -> RoutePolicy | None:
    """The policy `PolicyMiddleware` found for this request (None before routing: the
    router's own 404 and 405)."""
    found = scope.get("state", {}).get(POLICY_STATE_KEY)
    return found if isinstance(found, RoutePolicy) else None


class UndeclaredRoute(DomainError):
    """A route that declares no policy: closed, whatever it is (a programming error)."""

    status_code = 500
    code = "internal"
    message_ja = "サーバーで問題が発生しました。しばらくしてからお試しください。"
    message_en = "Something went wrong on the server. Please try again later."


class PolicyMiddleware:
    """Reads the matched route's declared policy into the scope; refuses a route without one.

    Route middleware, so it runs only for routed requests, first of all middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Litestar builds this middleware once per route handler, whose `opt` is final once
        # the app is built: the policy is read at the first request, not at every one.
        self._handler: object = None
        self._found: RoutePolicy | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        if handler is not self._handler or handler is None:
            self._found = RoutePolicy.of(handler)
            self._handler = handler
        found = self._found
        if found is None:
            log.error("route without a declared policy: %s %s",
                      scope.get("method"), scope.get("path_template") or scope.get("path"))
            await send_error(scope, send, UndeclaredRoute())
            return
        scope.setdefault("state", {})[POLICY_STATE_KEY] = found
        await self.app(scope, receive, send)
