"""The operations layer around every request: proxy headers, request ids, access log,
metrics, body size, per-user rate limits, event-stream caps and client certificates.

Two parts, because Litestar runs route middleware only for requests it routed:
- the outer part wraps the whole application (`app.asgi_handler`), so that 404s and
  405s from the router are logged, counted and answered with a request id too;
- the inner part is route middleware: the body limit (before sign-in resolution,
  so an oversized body costs no database work) and the guard (after it, so limits
  are per user).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
import uuid
from typing import Any

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import Device
from store.writer import begin_write

from ..audit import service as audit
from ..auth.context import AuthContext
from ..auth.throttle import signin_window
from ..clock import Clock
from ..errors import DomainError, Forbidden, InvalidJson, TooManyRequests, send_error
from ..route_policy import RoutePolicy, route_policy
from ..settings import Settings
from .limits import (
    BodyTooLarge,
    ConnectionCap,
    RateLimit,
    RateLimited,
    TooManyConnections,
    login_id_of,
)
from .logging import request_id_var
from .metrics import Metrics

access_log = logging.getLogger("carebook.access")
security_log = logging.getLogger("carebook.security")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
FINGERPRINT = re.compile(r"^[0-9a-f]{40,128}$")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY_KEY = "ops.body"
BODY_JSON_KEY = "ops.body_json"
CERT_KEY = "ops.client_cert"




def _route_key(scope: Scope) -> tuple[str, str]:
    return str(scope.get("method", "GET")).upper(), str(scope.get("path_template") or "")


def _auth(scope: Scope) -> AuthContext | None:
    ctx = scope.get("state", {}).get("auth")
    return ctx if isinstance(ctx, AuthContext) else None


# A NUL character: PostgreSQL cannot store it in text, and no form has a use for it; refused
# up front (400) instead of failing deep in a query (500). In JSON it is the escape \u0000
# (an odd number of backslashes before "u0000"); in a URL, %00.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _nul_in_url(scope: Scope) -> bool:
    raw = bytes(scope.get("raw_path") or b"") + b"?" + bytes(scope.get("query_string") or b"")
    return b"%00" in raw or b"\x00" in raw


class NulCharacter(DomainError):
    status_code = 400
    code = "invalid_input"

    def __init__(self) -> None:
        super().__init__(
            "入力に使用できない文字（NUL）が含まれています。",
            "The input contains a character that cannot be used (NUL).",
        )


class OpsRuntime:
    """This app's counters and limiters, and the middleware that use them."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        ops = settings.ops
        self.settings = settings
        self.clock = clock
        self.sessionmaker = sessionmaker
        self.metrics = Metrics()
        self.signin_per_account = RateLimit(ops.signin_per_user_per_minute)
        self.push_per_user = RateLimit(ops.push_per_user_per_minute)
        self.uploads_per_user = RateLimit(ops.uploads_per_user_per_minute)
        self.event_streams = ConnectionCap(ops.sse_per_user)
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in ops.trusted_proxies]
        runtime = self

        class BodyLimitMiddleware:
            def __init__(self, app: ASGIApp) -> None:
                self.app = app

            async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
                await runtime.limit_body(self.app, scope, receive, send)

        class GuardMiddleware:
            def __init__(self, app: ASGIApp) -> None:
                self.app = app

            async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
                await runtime.guard(self.app, scope, receive, send)

        self.body_limit = BodyLimitMiddleware
        self.guard_middleware = GuardMiddleware

    # --- outer: proxy, request id, access log, metrics ----------------------------------------

    def outer(self, app: ASGIApp) -> ASGIApp:
        runtime = self

        async def ops_outer(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            await runtime.around_request(app, scope, receive, send)

        return ops_outer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def apply_proxy(self, scope: Scope) -> None:
        """Believe X-Forwarded-For/-Proto and the client-certificate header from trusted peers."""
        client = scope.get("client")
        if not client or not self._is_trusted(str(client[0])):
            return
        headers = {key.lower(): value for key, value in scope.get("headers", [])}
        forwarded = headers.get(b"x-forwarded-for")
        if forwarded:
            hops = [h.strip() for h in forwarded.decode("latin-1").split(",") if h.strip()]
            untrusted = [hop for hop in hops if not self._is_trusted(hop)]
            chosen = untrusted[-1] if untrusted else (hops[0] if hops else None)
            if chosen:
                scope["client"] = (chosen, 0)
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
        if proto in {"http", "https"}:
            scope["scheme"] = proto
        header = self.settings.ops.client_cert_header
        if header:
            raw = headers.get(header.encode("latin-1"), b"").decode("latin-1")
            fingerprint = raw.strip().lower().replace(":", "")
            if FINGERPRINT.match(fingerprint):
                scope.setdefault("state", {})[CERT_KEY] = fingerprint

    async def around_request(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.apply_proxy(scope)
        incoming = ""
        for key, value in scope.get("headers", []):
            if key.lower() == b"x-request-id":
                incoming = value.decode("latin-1")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableScopeHeaders.from_message(message)["X-Request-Id"] = request_id
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, route = _route_key(scope)
            route = route or "(unmatched)"
            declared = route_policy(scope)
            self.metrics.observe(
                method, route, status, seconds,
                streaming=declared is not None and declared.stream,
                signin_step=declared.signin_step if declared is not None else None,
            )
            ctx = _auth(scope)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "durationMs": round(seconds * 1000, 1),
                    "userId": str(ctx.user_id) if ctx and ctx.user_id else None,
                    "deviceId": str(ctx.device.id) if ctx and ctx.device else None,
                },
            )
            request_id_var.reset(token)

    # --- inner, before sign-in: body size -----------------------------------------------------

    async def limit_body(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope.get("method", "GET")).upper()
        if scope["type"] == ScopeType.HTTP and _nul_in_url(scope):
            await send_error(scope, send, NulCharacter())
            return
        route = route_policy(scope)
        if (
            scope["type"] != ScopeType.HTTP
            or method in SAFE_METHODS
            or route is None
            or route.own_body_limit
        ):
            await app(scope, receive, send)
            return
        limit = route.body_limit or self.settings.ops.json_body_max_bytes
        for key, value in scope.get("headers", []):
            if key.lower() == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    self.metrics.limited["body_size"] += 1
                    await send_error(scope, send, BodyTooLarge(limit))
                    return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                self.metrics.limited["body_size"] += 1
                await send_error(scope, send, BodyTooLarge(limit))
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if JSON_NUL.search(body):
            await send_error(scope, send, NulCharacter())
            return
        scope.setdefault("state", {})[BODY_KEY] = body
        if body and route.json_body:
            refusal = self._undecodable(scope, body, route)
            if refusal is not None:
                await send_error(scope, send, refusal)
                return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await app(scope, replay, send)

    def _undecodable(self, scope: Scope, body: bytes, route: RoutePolicy) -> DomainError | None:
        """Decode the JSON body once, here: a body that is not JSON is a 400, not a traceback.

        msgspec raises UnicodeDecodeError for bad UTF-8 and RecursionError for absurd nesting
        (both escaped Litestar's own handling as 500s); either is cheap to hit and to answer.
        The decoded value is handed to Litestar (its connection state), so the body is parsed
        once. A sign-in attempt that is not JSON still counts against the per-IP window.
        """
        try:
            decoded = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            if route.signin_throttle:
                window = signin_window(
                    scope["app"].state, self.settings.auth.ip_attempts_per_minute
                )
                client = scope.get("client")
                if not window.allow(client[0] if client else "unknown", self.clock.now()):
                    return TooManyRequests(headers={"Retry-After": "60"})
            return InvalidJson()
        ScopeState.from_scope(scope).json = decoded
        scope.setdefault("state", {})[BODY_JSON_KEY] = decoded
        return None

    # --- inner, after sign-in: rate limits, stream caps, client certificates ------------------

    async def guard(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        ctx = _auth(scope)
        declared = route_policy(scope)
        if declared is None:  # not routed: PolicyMiddleware runs first and refuses those
            await app(scope, receive, send)
            return
        now = self.clock.now()
        refusal = await self._client_cert_refusal(scope, ctx, declared)
        if refusal is not None:
            await send_error(scope, send, refusal)
            return
        limited = self._rate_refusal(scope, ctx, declared, now)
        if limited is not None:
            await send_error(scope, send, limited)
            return
        if declared.stream and ctx is not None and ctx.user_id is not None:
            key = str(ctx.user_id)
            if not self.event_streams.acquire(key):
                self.metrics.limited["event_streams"] += 1
                await send_error(scope, send, TooManyConnections(self.event_streams.limit))
                return
            self.metrics.open_streams += 1
            try:
                await app(scope, receive, send)
            finally:
                self.event_streams.release(key)
                self.metrics.open_streams -= 1
            return
        await app(scope, receive, send)

    def _rate_refusal(
        self, scope: Scope, ctx: AuthContext | None, declared: RoutePolicy, now: Any
    ) -> DomainError | None:
        """The route's declared rate class (`policy(rate=…)`), counted per account or user."""
        user = str(ctx.user_id) if ctx is not None and ctx.user_id is not None else None
        if declared.rate == "signin":
            account = None
            if declared.signin_step == "password":
                account = login_id_of(scope.get("state", {}).get(BODY_JSON_KEY))
            elif ctx is not None and ctx.user is not None:
                account = ctx.user.login_id.lower()
            if account is not None:
                wait = self.signin_per_account.check(account, now)
                if wait is not None:
                    self.metrics.limited["signin_account"] += 1
                    return RateLimited(
                        "このIDでのログイン試行", "sign-in attempts for this ID", wait
                    )
            return None
        if user is None:
            return None
        if declared.rate == "push":
            wait = self.push_per_user.check(user, now)
            if wait is not None:
                self.metrics.limited["push"] += 1
                return RateLimited("通知設定の変更", "notification changes", wait)
        elif declared.rate == "upload":
            wait = self.uploads_per_user.check(user, now)
            if wait is not None:
                self.metrics.limited["uploads"] += 1
                return RateLimited("写真のアップロード", "uploads", wait)
        return None

    async def _client_cert_refusal(
        self, scope: Scope, ctx: AuthContext | None, declared: RoutePolicy
    ) -> DomainError | None:
        """With mutual TLS at the proxy: every non-public route needs a verified certificate,
        and a device, once bound to a certificate, answers only with that certificate."""
        if not self.settings.ops.client_cert_header:
            return None
        if declared.auth == "public":
            return None
        fingerprint = scope.get("state", {}).get(CERT_KEY)
        if fingerprint is None:
            return Forbidden(
                "この端末の証明書が確認できません。端末に発行された証明書を使ってください。",
                "This device's client certificate could not be verified. Use the certificate "
                "issued for this device.",
                code="client_cert_required",
            )
        if ctx is None or ctx.device is None:
            return None
        bound = ctx.device.cert_fingerprint
        if bound is None:
            bound = await self._bind(ctx, fingerprint)
        if hmac.compare_digest(bound, fingerprint):
            return None
        security_log.warning("client certificate does not match the device",
                             extra={"deviceId": str(ctx.device.id)})
        async with self.sessionmaker() as session:
            await begin_write(session)
            await audit.record(
                session, at=ctx.now, actor=ctx.actor, action="device.cert_mismatch",
                outcome="refused", target_type="device", target_id=ctx.device.id,
                details={"presented": fingerprint[:16]},
            )
            await session.commit()
        return Forbidden(
            "この端末に登録された証明書と異なります。",
            "This certificate is not the one registered for this device.",
            code="client_cert_mismatch",
        )

    async def _bind(self, ctx: AuthContext, fingerprint: str) -> str:
        """Bind the device to its first certificate (once); return the bound fingerprint."""
        assert ctx.device is not None
        async with self.sessionmaker() as session:
            await begin_write(session)
            done = await session.execute(
                update(Device)
                .where(Device.id == ctx.device.id, Device.cert_fingerprint.is_(None))
                .values(cert_fingerprint=fingerprint)
            )
            if getattr(done, "rowcount", 0):
                await audit.record(
                    session, at=ctx.now, actor=ctx.actor, action="device.cert_bound",
                    target_type="device", target_id=ctx.device.id,
                    details={"fingerprint": fingerprint[:16]},
                )
            bound = await session.scalar(
                select(Device.cert_fingerprint).where(Device.id == ctx.device.id)
            )
            await session.commit()
        return bound or fingerprint
