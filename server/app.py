"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from sqlalchemy.ext.asyncio import AsyncSession

from . import db
from .api_viewer import viewer_route_handlers
from .auth.context import AuthContext
from .clock import Clock
from .errors import EXCEPTION_HANDLERS
from .openapi import DocumentedAs, document_errors
from .request_database import REQUEST_DATABASE_KEY, RequestDatabase
from .route_policy import PolicyMiddleware, policy
from .security_headers import security_headers_middleware_factory
from .settings import Settings, load_settings

log = logging.getLogger("carebook")


def _settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def _clock(state: State) -> Clock:
    clock: Clock = state.clock
    return clock


def _auth(request: Request[Any, Any, Any]) -> AuthContext:
    ctx: AuthContext = request.state.auth
    return ctx


async def _db_session(
    state: State, request: Request[Any, Any, Any], auth: AuthContext
) -> AsyncGenerator[AsyncSession, None]:
    # The request's own session, which the auth middleware opened (one connection per
    # request, see `RequestDatabase`); a session of its own only outside that middleware.
    # `auth` is named only to order the two: Litestar resolves the dependencies of one
    # level in a task group (two tasks per request), and a chain resolves in place.
    del auth
    request_db: RequestDatabase | None = request.scope.get("state", {}).get(
        REQUEST_DATABASE_KEY
    )
    if request_db is None:
        async with state.sessionmaker() as session:
            try:
                yield session
            finally:
                if session.in_transaction():
                    await session.rollback()
        return
    session = await request_db.session()
    try:
        yield session
    finally:
        if session.in_transaction():
            await session.rollback()


def _route_handlers(settings: Settings) -> list[Any]:
    # Each domain lists its own handlers, with their declared policy (server/route_policy.py),
    # in `server/<domain>/routes.py`.
    from .accounts.routes import ROUTE_HANDLERS as ACCOUNTS
    from .admin.routes import ROUTE_HANDLERS as ADMIN
    from .auth.routes import ROUTE_HANDLERS as AUTH
    from .contact_book.routes import ROUTE_HANDLERS as CONTACT_BOOK
    from .health.routes import ROUTE_HANDLERS as HEALTH
    from .imports.routes import ROUTE_HANDLERS as IMPORTS
    from .mail.routes import ROUTE_HANDLERS as MAIL
    from .me.routes import ROUTE_HANDLERS as ME
    from .ops.routes import ROUTE_HANDLERS as OPS
    from .push.routes import ROUTE_HANDLERS as PUSH
    from .pwa import ROUTE_HANDLERS as PWA
    from .records.routes import ROUTE_HANDLERS as RECORDS
    from .templates.routes import ROUTE_HANDLERS as TEMPLATES

    return [
        *HEALTH, *AUTH, *ME, *ACCOUNTS, *ADMIN, *IMPORTS, *CONTACT_BOOK, *RECORDS, *PUSH,
        *TEMPLATES, *MAIL, *OPS, *viewer_route_handlers(settings), *PWA,
    ]


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings()
    clock = clock or Clock()
    engine = db.create_engine(settings.database)
    sessionmaker = db.session_factory(engine)
    from .auth.session_cache import SessionCache

    # Resolved sign-ins, kept while the app runs and emptied by every change of sign-in
    # (server/auth/session_cache.py).
    sign_ins = SessionCache()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # VAPID keys are made on first start; the push outbox worker runs in the server's
        # loop unless `carebook worker` runs it. The scheduler (ID stops due on their day)
        # runs here too unless switched off; its lease lets any number of processes run it.
        from .push.keys import load_vapid_keys
        from .push.worker import PushWorker
        from .scheduler import Scheduler

        load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
        sign_ins.start()
        push_worker = None
        if settings.push.in_process_worker:
            push_worker = PushWorker(settings, sessionmaker, clock)
            push_worker.start()
        scheduler = None
        if settings.scheduler.in_process:
            scheduler = Scheduler(settings, sessionmaker, clock)
            scheduler.start()
        try:
            yield
        finally:
            sign_ins.stop()
            if scheduler is not None:
                await scheduler.stop()
            if push_worker is not None:
                await push_worker.stop()
            # advanced-alchemy/SQLAlchemy do not dispose engines for us when a
            # process builds several apps (one per test).
            await engine.dispose()
            from .auth.passwords import stop_helper  # at shutdown: argon2 stays unimported

            await asyncio.to_thread(stop_helper)

    from .auth.middleware import auth_middleware_factory
    from .contact_book.sync_service import sync_notifier_lifespan
    from .ops.middleware import OpsRuntime

    # Request ids, access log, metrics, body and rate limits (server/ops/middleware.py).
    ops = OpsRuntime(settings, clock, sessionmaker)
    app = Litestar(
        route_handlers=_route_handlers(settings),
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "engine": engine,
                "sessionmaker": sessionmaker,
                "metrics": ops.metrics,
            }
        ),
        dependencies={
            "settings": Provide(_settings, sync_to_thread=False),
            "clock": Provide(_clock, sync_to_thread=False),
            "db_session": Provide(_db_session),
            "auth": Provide(_auth, sync_to_thread=False),
        },
        middleware=[
            PolicyMiddleware,  # first: the route's declared policy, read for all below
            ops.body_limit,
            DefineMiddleware(auth_middleware_factory(settings, clock, sessionmaker, sign_ins)),
            ops.guard_middleware,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        plugins=[DocumentedAs()],
        openapi_config=OpenAPIConfig(
            title="carebook API",
            version=settings.version,
            # The document describes the API, it reveals no data: public, like the app's files.
            openapi_router=Router(
                path="/schema", route_handlers=[], include_in_schema=False,
                opt=policy(auth="public"),
            ),
            # The JSON document only; the viewer is server/api_viewer.py, off by default.
            render_plugins=[JsonRenderPlugin()],
        ),
        lifespan=[lifespan, sync_notifier_lifespan],
        request_max_body_size=12 * 1024 * 1024,
        debug=False,
    )
    # Error answers in the OpenAPI document: carebook's `Error` body, not Litestar's default.
    document_errors(app)
    # Around the router, not as route middleware: the router's own 404 and 405 answers
    # get the security headers, a request id and an access-log line too.
    app.asgi_handler = ops.outer(
        security_headers_middleware_factory(hsts=settings.secure_cookies)(app.asgi_handler)
    )
    return app


def serve_app() -> Litestar:
    """The app of one process of `carebook serve --workers N`, with carebook's logging."""
    from .ops.logging import configure_logging

    settings = load_settings()
    app = create_app(settings)
    configure_logging(settings.ops.log_format)  # after the app: it replaces Litestar's set-up
    return app
