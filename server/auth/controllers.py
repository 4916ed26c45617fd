"""`/api/auth/*`: the sign-in steps. Thin: each hands the body to `SignInService`."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import TooManyRequests
from ..route_policy import policy
from .context import AuthContext
from .schemas import (
    CsrfOut,
    LockIn,
    LoginIn,
    NextOut,
    PasskeyIn,
    PasswordChangeIn,
    SessionStateOut,
    TotpEnrollOut,
    TotpIn,
)
from .service import Next, SignInService
from .throttle import signin_window


def _throttle(state: State, ctx: AuthContext) -> None:
    window = signin_window(state, ctx.settings.auth.ip_attempts_per_minute)
    if not window.allow(ctx.ip or "unknown", ctx.now):
        raise TooManyRequests(headers={"Retry-After": "60"})


def _next(ctx: AuthContext, step: Next) -> NextOut:
    return NextOut(
        next=step.next, csrf_token=ctx.csrf_token(), unlock_secret=ctx.issued_unlock_secret
    )


class SignInController(Controller):
    path = "/api/auth"
    tags = ["auth"]
    opt = policy(auth="signin")

    @get("/csrf", opt=policy(auth="public"), summary="The CSRF token for this session")
    async def csrf(self, auth: AuthContext) -> CsrfOut:
        if auth.csrf_binding() is None:
            auth.set_presession_cookie(secrets.token_urlsafe(32))
        token = auth.csrf_token()
        assert token is not None
        return CsrfOut(csrf_token=token)

    @get("/session", opt=policy(auth="public"),
         summary="Is this browser signed in, and at which step")
    async def session_state(self, auth: AuthContext) -> SessionStateOut:
        """Lets the PWA decide its first screen without provoking a 401."""
        if auth.csrf_binding() is None:
            auth.set_presession_cookie(secrets.token_urlsafe(32))
        token = auth.csrf_token()
        assert token is not None
        stage = auth.session.stage if auth.session is not None else None
        return SessionStateOut(signed_in=auth.signed_in, stage=stage, csrf_token=token)

    # Attempts count against the per-IP window (a body that is not JSON included) and the
    # per-account one; their failures are counted per step in the metrics.
    @post("/login", status_code=200,
          opt=policy(signin_throttle=True, rate="signin", signin_step="password"),
          summary="Step 1: login ID and password")
    async def login(
        self,
        data: LoginIn,
        auth: AuthContext,
        db_session: AsyncSession,
        request: Request[Any, Any, Any],
    ) -> NextOut:
        _throttle(request.app.state, auth)
        step = await SignInService(db_session, auth).login(data.login_id, data.password)
        return _next(auth, step)

    @post("/totp", status_code=200,
          opt=policy(signin_throttle=True, rate="signin", signin_step="totp", refuses={409}),
          summary="Step 2: a TOTP code")
    async def totp(
        self,
        data: TotpIn,
        auth: AuthContext,
        db_session: AsyncSession,
        request: Request[Any, Any, Any],
    ) -> NextOut:
        _throttle(request.app.state, auth)
        return _next(auth, await SignInService(db_session, auth).verify_totp(data.code))

    @post("/webauthn/options", status_code=200, summary="Step 2: passkey request options",
          opt=policy(refuses={409}))
    async def webauthn_options(self, auth: AuthContext, db_session: AsyncSession) -> dict[str, Any]:
        return await SignInService(db_session, auth).passkey_options()

    @post(
        "/webauthn/verify", status_code=200,
        opt=policy(signin_throttle=True, rate="signin", signin_step="passkey", refuses={409}),
        summary="Step 2: the passkey's answer",
    )
    async def webauthn_verify(
        self,
        data: PasskeyIn,
        auth: AuthContext,
        db_session: AsyncSession,
        request: Request[Any, Any, Any],
    ) -> NextOut:
        _throttle(request.app.state, auth)
        return _next(auth, await SignInService(db_session, auth).verify_passkey(data.credential))

    @post("/totp/enroll", status_code=200, summary="Enrol TOTP: a new secret and its QR code",
          opt=policy(refuses={409}))
    async def totp_enroll(self, auth: AuthContext, db_session: AsyncSession) -> TotpEnrollOut:
        out = await SignInService(db_session, auth).totp_enroll()
        return TotpEnrollOut(
            secret=out["secret"], otpauth_uri=out["otpauthUri"], qr_svg=out["qrSvg"]
        )

    @post("/totp/enroll/confirm", status_code=200, summary="Enrol TOTP: confirm with a code",
          opt=policy(refuses={409}))
    async def totp_enroll_confirm(
        self, data: TotpIn, auth: AuthContext, db_session: AsyncSession
    ) -> NextOut:
        return _next(auth, await SignInService(db_session, auth).totp_enroll_confirm(data.code))

    @post("/webauthn/register/options", status_code=200, summary="Enrol a passkey: options",
          opt=policy(refuses={409}))
    async def register_options(self, auth: AuthContext, db_session: AsyncSession) -> dict[str, Any]:
        return await SignInService(db_session, auth).passkey_register_options()

    @post("/webauthn/register/verify", status_code=200, summary="Enrol a passkey: verify",
          opt=policy(refuses={409}))
    async def register_verify(
        self, data: PasskeyIn, auth: AuthContext, db_session: AsyncSession
    ) -> NextOut:
        step = await SignInService(db_session, auth).passkey_register_verify(
            data.credential, data.label
        )
        return _next(auth, step)

    @post("/password", status_code=200, summary="Change the password", opt=policy(refuses={409}))
    async def password(
        self, data: PasswordChangeIn, auth: AuthContext, db_session: AsyncSession
    ) -> NextOut:
        step = await SignInService(db_session, auth).change_password(
            data.current_password, data.new_password
        )
        return _next(auth, step)

    @post(
        "/lock",
        status_code=200,
        opt=policy(auth="full"),
        summary="The app locked: replace the unlock proof with the next one",
    )
    async def lock(self, data: LockIn, auth: AuthContext, db_session: AsyncSession) -> NextOut:
        await SignInService(db_session, auth).lock(data.next_unlock_secret)
        return NextOut(next="unlock", csrf_token=auth.csrf_token(), unlock_secret=None)

    @post("/logout", status_code=200, summary="Sign out and end this session")
    async def logout(self, auth: AuthContext, db_session: AsyncSession) -> NextOut:
        await SignInService(db_session, auth).logout()
        return NextOut(next="signin", csrf_token=None, unlock_secret=None)
