"""Resolve the device and the session of every request, enforce CSRF and the second factor.

Route handlers say how much they need with `opt=policy(auth=…)` (server/route_policy.py):
- "public": anyone (health, the PWA, invitation links);
- "signin": the sign-in steps, which check the session's stage themselves;
- "locked": a session that has passed both factors, on its own device, while the app may be
  locked (no unlock proof): for what the lock screen itself needs;
- "full": a session that has passed both factors, on its own device, from an unlocked app
  (the unlock proof).
`policy(csrf=False)` exempts a handler from the CSRF check (see server/route_policy.py).
What else every /api/ request must show (no navigation, the device header, the unlock proof)
is decided in server/auth/request_rules.py; docs/api/requests.md is the contract.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import bindparam, delete, false, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import Device, User, UserSession
from store.models.enums import SessionStage, UserStatus
from store.writer import begin_write

from ..audit import service as audit
from ..clock import Clock
from ..errors import send_error
from ..request_database import REQUEST_DATABASE_KEY, RequestDatabase
from ..route_policy import route_policy
from ..settings import Settings
from . import tokens
from .context import AuthContext, presession_cookie_name, session_cookie_name
from .errors import CsrfRefused, DeviceWiped
from .request_rules import app_refusal, note_unlock_proof, session_refusal
from .session_cache import TOUCH, SessionCache

log = logging.getLogger("carebook.auth")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
DEVICE_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TOUCH_AFTER = timedelta(seconds=60)


def _cookie_header(settings: Settings, name: str, value: tuple[str, int] | None) -> bytes:
    secure = "; Secure" if settings.secure_cookies else ""
    if value is None:
        return f"{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}".encode()
    token, max_age = value
    return f"{name}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}".encode()


@functools.cache
def _who_query(with_device: bool, with_session: bool) -> Any:
    """Device by key, session by token hash and its user, outer-joined on a one-row anchor.

    Built once per shape, with bound parameters, so that SQLAlchemy reuses its cache key and
    compiled form rather than rebuilding both on every request.
    """
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(Device, UserSession, User)
        .select_from(anchor)
        .outerjoin(
            Device, Device.device_key == bindparam("device_key") if with_device else false()
        )
        .outerjoin(
            UserSession,
            UserSession.token_hash == bindparam("token_hash") if with_session else false(),
        )
        .outerjoin(User, User.id == UserSession.user_id)
    )


def _signed_in_ok(
    settings: Settings, now: datetime, found: UserSession, user: User | None
) -> bool:
    """May this session (of this user) still be used at `now`? The one rule for a session
    read from the database and for one held by the `SessionCache`; when it fails, the session
    is over."""
    idle = timedelta(seconds=settings.auth.idle_timeout_s)
    return not (
        user is None
        or user.status != UserStatus.active
        or now >= found.expires_at
        or now - found.last_seen_at >= idle
    )


def _on_its_device(found: UserSession, device: Device | None) -> bool:
    """A session answers only the registered device it was made on (issue 13, item 1): not
    to a request naming no device, an unregistered one or another. The one rule for a
    session read from the database and for one held by the `SessionCache`."""
    return found.device_id is not None and device is not None and found.device_id == device.id


def _half_signed_in_expired(now: datetime, found: UserSession) -> bool:
    # Half-signed-in sessions live at most 15 minutes.
    return found.stage != SessionStage.full and now - found.created_at >= timedelta(minutes=15)


def auth_middleware_factory(
    settings: Settings,
    clock: Clock,
    sessionmaker: async_sessionmaker[AsyncSession],
    sign_ins: SessionCache | None = None,
) -> type:
    cache = sign_ins if sign_ins is not None else SessionCache()
    # Sessions whose heartbeat (`last_seen_at`) a request of this process is writing now.
    # Every request in flight on a session finds the heartbeat due at the same moment; one
    # writes it, the others go on from the cache (each used to write it: up to 25 identical
    # writes per sign-in in the load generator's pull workload, queued ahead of the posts).
    touching: set[uuid.UUID] = set()

    class AuthMiddleware:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return
            declared = route_policy(scope)
            mode = declared.auth if declared is not None else "full"
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            client = scope.get("client")
            now = clock.now()
            ctx = AuthContext(
                settings=settings,
                now=now,
                ip=client[0] if client else "",
                user_agent=headers.get("user-agent", "")[:300],
            )
            cookies = SimpleCookie()
            try:
                cookies.load(headers.get("cookie", ""))
            except Exception:
                cookies = SimpleCookie()
            raw_device = headers.get("x-carebook-device", "")
            if DEVICE_KEY.match(raw_device):
                ctx.device_key = raw_device
            pre = cookies.get(presession_cookie_name(settings))
            if pre is not None and re.fullmatch(r"[A-Za-z0-9_-]{20,64}", pre.value):
                ctx.presession_nonce = pre.value

            # One session and one connection for the whole request: the handler's
            # `db_session` is this session (server/app.py), and the connection goes back to
            # the pool when the response starts, so a streaming response holds none.
            request_db = RequestDatabase(sessionmaker)
            scope.setdefault("state", {})[REQUEST_DATABASE_KEY] = request_db
            try:
                await self._handle(scope, receive, send, ctx, cookies, headers, mode, request_db)
            finally:
                await request_db.release()

        async def _handle(
            self,
            scope: Scope,
            receive: Receive,
            send: Send,
            ctx: AuthContext,
            cookies: SimpleCookie,
            headers: dict[str, str],
            mode: str,
            request_db: RequestDatabase,
        ) -> None:
            wiped: DeviceWiped | None = None
            morsel = cookies.get(session_cookie_name(settings))
            token = morsel.value if morsel is not None and morsel.value else None
            token_hash = tokens.token_hash(token) if token is not None else None
            if token_hash is not None and self._from_cache(ctx, token_hash):
                pass  # resolved in memory (see `SessionCache`): no query
            elif ctx.device_key is not None or token is not None:
                session = await request_db.session()
                try:
                    wiped = await self._resolve(session, ctx, token, token_hash)
                finally:
                    # The handler starts its own transactions on this session; what the
                    # middleware loaded stays usable in `ctx`, detached.
                    session.expunge_all()
                    if session.in_transaction():
                        await session.rollback()
                if wiped is None and token_hash is not None:
                    self._remember(ctx, token_hash)
            if wiped is not None:
                await send_error(scope, send, wiped)
                return
            refusal = app_refusal(scope, headers, ctx)
            method = str(scope.get("method", "GET")).upper()
            declared = route_policy(scope)
            csrf = declared.csrf if declared is not None else True
            if (refusal is None and method not in SAFE_METHODS and csrf
                    and not self._csrf_ok(ctx, headers)):
                refusal = CsrfRefused()
            if refusal is None:
                note_unlock_proof(ctx, headers)
                refusal = session_refusal(ctx, mode)
            if refusal is not None:
                await send_error(scope, send, refusal)
                return

            scope.setdefault("state", {})["auth"] = ctx

            async def send_with_cookies(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # The handler and its dependencies are done with the session by now
                    # (their work is committed or rolled back): a failure to hand the
                    # connection back must not turn a finished answer into a 500.
                    try:
                        await request_db.release()
                    except Exception:
                        log.exception("could not release the request's database connection")
                    if ctx.cookies:
                        out = MutableScopeHeaders.from_message(message)
                        for name, value in ctx.cookies.items():
                            out.add("set-cookie", _cookie_header(settings, name, value).decode())
                await send(message)

            await self.app(scope, receive, send_with_cookies)

        def _from_cache(self, ctx: AuthContext, token_hash: str) -> bool:
            """Sign the request in from the cache when its entry is still good at this
            request's time, on its own device, and no write is due; otherwise the database
            decides. The same rules as `_resolve` (`_signed_in_ok`, `_on_its_device`), and the
            unlock proof is checked after either (`note_unlock_proof`, against the session's
            current hash: replacing it writes the session, which empties the caches), so a
            cached sign-in is never a way around them."""
            entry = cache.get(token_hash, ctx.device_key)
            if entry is None:
                return False
            now, found = ctx.now, entry.session
            if (
                not _signed_in_ok(settings, now, found, entry.user)
                or not _on_its_device(found, entry.device)
                or _half_signed_in_expired(now, found)
            ):
                cache.drop(token_hash, ctx.device_key)
                return False
            if now - found.last_seen_at >= TOUCH_AFTER and found.id not in touching:
                return False  # the heartbeat is due: this request writes it
            ctx.device, ctx.session, ctx.user = entry.device, found, entry.user
            return True

        def _remember(self, ctx: AuthContext, token_hash: str) -> None:
            # Only fully signed-in sessions, and only with the device they named (a key not
            # registered yet may be registered next: that request must read again).
            if ctx.session is None or ctx.user is None or not ctx.signed_in:
                return
            if ctx.device_key is not None and ctx.device is None:
                return
            cache.put(token_hash, ctx.device_key, ctx.device, ctx.session, ctx.user)

        async def _write(self, session: AsyncSession, *statements: Any) -> None:
            """End the read snapshot, then write as a writer (objects stay usable, detached)."""
            session.expunge_all()
            await session.rollback()
            await begin_write(session)
            for statement in statements:
                await session.execute(statement)
            await session.commit()

        def _csrf_ok(self, ctx: AuthContext, headers: dict[str, str]) -> bool:
            origin = headers.get("origin")
            if origin != settings.origin:
                return False
            binding = ctx.csrf_binding()
            presented = headers.get("x-csrf-token", "")
            return binding is not None and tokens.csrf_matches(
                settings.secret_key, binding, presented
            )

        async def _resolve(
            self, session: AsyncSession, ctx: AuthContext, token: str | None,
            token_hash: str | None,
        ) -> DeviceWiped | None:
            """Load device and session; the answer to give when the device must wipe."""
            now = ctx.now
            # Device, session and user in one query (outer joins on a one-row anchor): every
            # signed-in request pays for this, so it is one round trip, not three.
            params: dict[str, Any] = {}
            if ctx.device_key is not None:
                params["device_key"] = ctx.device_key
            if token_hash is not None:
                params["token_hash"] = token_hash
            query = _who_query(ctx.device_key is not None, token is not None)
            row = (await session.execute(query, params)).one()
            if ctx.device_key is not None:
                ctx.device = row.Device
                device = ctx.device
                if device is not None and device.wipe_requested_at is not None:
                    session.expunge_all()
                    await session.rollback()
                    await begin_write(session)
                    first = await session.execute(
                        update(Device)
                        .where(Device.id == device.id, Device.wipe_delivered_at.is_(None))
                        .values(wipe_delivered_at=now)
                    )
                    delivers = bool(getattr(first, "rowcount", 0))
                    if delivers:
                        await audit.record(
                            session,
                            at=now,
                            actor=ctx.actor,
                            action="device.wipe_delivered",
                            target_type="device",
                            target_id=device.id,
                        )
                    await session.execute(
                        delete(UserSession).where(UserSession.device_id == device.id)
                    )
                    await session.commit()
                    return DeviceWiped(delivers=delivers)
            if token is None:
                return None
            found: UserSession | None = row.UserSession
            if found is None:
                ctx.clear_session_cookie()
                return None
            user: User | None = row.User
            if not _signed_in_ok(settings, now, found, user):
                await self._write(session, delete(UserSession).where(UserSession.id == found.id))
                ctx.clear_session_cookie()
                return None
            if not _on_its_device(found, ctx.device):
                # Not ended, and
                # its cookie kept: a request without the header (an address-bar navigation)
                # must not sign the nurse out either.
                ctx.device_mismatch = True
                return None
            if now - found.last_seen_at >= TOUCH_AFTER and found.id not in touching:
                # The session's own heartbeat, not a change of sign-in: caches keep it.
                statements: list[Any] = [
                    update(UserSession).where(UserSession.id == found.id)
                    .values(last_seen_at=now).execution_options(**{TOUCH: True})
                ]
                if ctx.device is not None:
                    statements.append(
                        update(Device).where(Device.id == ctx.device.id)
                        .values(last_seen_at=now).execution_options(**{TOUCH: True})
                    )
                touching.add(found.id)
                try:
                    await self._write(session, *statements)
                finally:
                    touching.discard(found.id)
                found.last_seen_at = now
            ctx.session = found
            ctx.user = user
            if _half_signed_in_expired(now, found):
                ctx.session = None
                ctx.user = None
            return None

    return AuthMiddleware
