"""The sign-in rules: password, second factor, enrolment, lockout, device wipe, sessions.

Every step answers what comes next (`Next`); every success and failure is audited.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device, TotpFactor, User, UserSession, WebAuthnCredential
from store.models.enums import SessionStage, UserStatus
from store.writer import begin_write

from ..audit import service as audit
from ..errors import NotFound
from ..push.outbox import remove_device_subscriptions
from ..settings import Settings
from . import tokens, totp, unlock
from .context import AuthContext
from .errors import (
    DeviceWiped,
    InvalidCode,
    InvalidCredentials,
    LastFactor,
    ReauthRequired,
    WeakPassword,
    WrongStep,
)
from .passwords import PasswordHashing, PasswordProblem, password_problems
from .schemas import SignInStep

FRESH_SIGNIN = timedelta(minutes=10)


@dataclass(frozen=True)
class Next:
    """What the PWA shows next: totp | webauthn | choose | changePassword | enroll | done."""

    next: SignInStep


@dataclass(frozen=True)
class Factors:
    totp: bool
    passkeys: list[WebAuthnCredential]

    @property
    def any(self) -> bool:
        return self.totp or bool(self.passkeys)


def hashing(settings: Settings) -> PasswordHashing:
    return PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)


async def factors_of(session: AsyncSession, user_id: uuid.UUID) -> Factors:
    has_totp = await session.scalar(
        select(func.count())
        .select_from(TotpFactor)
        .where(TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None))
    )
    creds = list(
        await session.scalars(
            select(WebAuthnCredential)
            .where(WebAuthnCredential.user_id == user_id)
            .order_by(WebAuthnCredential.created_at)
        )
    )
    return Factors(totp=bool(has_totp), passkeys=creds)


def _second_factor_step(factors: Factors) -> tuple[SessionStage, SignInStep]:
    if not factors.any:
        return SessionStage.enroll, "enroll"
    if factors.totp and factors.passkeys:
        return SessionStage.password, "choose"
    return SessionStage.password, "totp" if factors.totp else "webauthn"


class SignInService:
    """One request's worth of sign-in work, in the request's database session."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        self.session = session
        self.ctx = ctx
        self.settings = ctx.settings
        self.now = ctx.now

    # -- helpers ---------------------------------------------------------------------------

    async def _audit(self, action: str, outcome: str = "ok", user: User | None = None,
                     **details: Any) -> None:
        actor = self.ctx.actor
        if user is not None:
            actor = audit.Actor(user.id, user.login_id, actor.ip, actor.device_key)
        await audit.record(
            self.session, at=self.now, actor=actor, action=action, outcome=outcome,
            target_type="user" if user else None, target_id=user.id if user else None,
            details=details,
        )

    async def _device(self) -> Device | None:
        """This request's device row, made on first sight of a valid device id."""
        if self.ctx.device_key is None:
            return None
        device = await self.session.scalar(
            select(Device).where(Device.device_key == self.ctx.device_key)
        )
        if device is None:
            device = Device(
                device_key=self.ctx.device_key,
                label=self.ctx.user_agent[:200],
                created_at=self.now,
                last_seen_at=self.now,
            )
            self.session.add(device)
            await self.session.flush()
        return device

    async def _current_user(self) -> User:
        if self.ctx.session is None or self.ctx.user is None:
            raise WrongStep()
        user = await self.session.get(User, self.ctx.user.id)
        if user is None or user.status != UserStatus.active:
            raise WrongStep()
        return user

    def _require_stage(self, *stages: SessionStage) -> None:
        if self.ctx.session is None or self.ctx.session.stage not in stages:
            raise WrongStep()

    async def _start_session(self, user: User, stage: SessionStage, factor: str | None) -> None:
        """A new session id for every step (SECURITY.md 11); the old one stops working."""
        if self.ctx.session is not None:
            await self.session.execute(
                delete(UserSession).where(UserSession.id == self.ctx.session.id)
            )
        device = await self._device()
        token = tokens.new_token()
        unlock_secret, unlock_hash = unlock.new_secret() if stage == SessionStage.full else (
            None, None)
        created = UserSession(
            token_hash=tokens.token_hash(token),
            user_id=user.id,
            device_id=device.id if device else None,
            stage=stage,
            factor=factor,
            created_at=self.now,
            last_seen_at=self.now,
            expires_at=self.now + timedelta(seconds=self.settings.auth.absolute_timeout_s),
            authenticated_at=self.now if stage == SessionStage.full else None,
            ip=self.ctx.ip,
            user_agent=self.ctx.user_agent,
            unlock_hash=unlock_hash,
        )
        self.session.add(created)
        await self.session.flush()
        self.ctx.session = created
        self.ctx.user = user
        self.ctx.set_session_cookie(token)
        # Handed to the app once, in this answer (server/auth/unlock.py).
        self.ctx.issued_unlock_secret = unlock_secret

    async def _fail(self, user: User | None, reason: str, error: Exception) -> None:
        """Count a failed attempt against the account and the device; commit; raise."""
        auth = self.settings.auth
        if user is not None and not self._locked(user):
            user.failed_attempts += 1
            if user.failed_attempts >= auth.lockout_threshold:
                # A soft lock (see `_delayed`): sessions in use are not ended, since a wrong
                # password typed elsewhere says nothing against the nurse mid-visit.
                user.lock_count += 1
                lock_s = min(auth.lockout_base_s * 2 ** (user.lock_count - 1), auth.lockout_cap_s)
                user.locked_until = self.now + timedelta(seconds=lock_s)
                user.failed_attempts = 0
                await self._audit("auth.lockout", user=user, seconds=lock_s)
        await self._audit("auth.signin", outcome="failure", user=user, reason=reason)
        device = await self._device()
        if device is not None and device.signed_in_before and device.wipe_requested_at is None:
            device.failed_signins += 1
            if device.failed_signins >= auth.device_wipe_threshold:
                device.wipe_requested_at = self.now
                device.wipe_reason = "failed_signins"
                device.wipe_delivered_at = self.now  # this answer carries the wipe
                await self.session.execute(
                    delete(UserSession).where(UserSession.device_id == device.id)
                )
                self.ctx.session = None
                self.ctx.clear_session_cookie()
                await audit.record(
                    self.session, at=self.now, actor=self.ctx.actor, action="device.wipe_flagged",
                    target_type="device", target_id=device.id,
                    details={"reason": "failed_signins"},
                )
                await self.session.commit()
                raise DeviceWiped()
        await self.session.commit()
        raise error

    def _locked(self, user: User) -> bool:
        return user.locked_until is not None and user.locked_until > self.now

    async def _delayed(self, user: User) -> bool:
        """The soft lock (issue 13, item 7; docs/security.md): after repeated failures, an
        account waits a growing time (1 min, doubling, capped) before it takes another
        attempt — from devices it has never signed in on. Its own registered devices (a
        random id in the app's storage that a stranger who knows only the login ID does not
        have) are not held up: they have their own limit, 5 failures and the device is
        wiped. So knowing a login ID is not enough to keep a nurse out."""
        if not self._locked(user):
            return False
        device = await self._device()
        known = (
            device is not None
            and device.user_id == user.id
            and device.signed_in_before
            and device.wipe_requested_at is None
        )
        return not known

    async def _complete(self, user: User, factor: str) -> Next:
        """Both factors passed: reset the counters, bind the device, rotate to a full session."""
        user.failed_attempts = 0
        user.lock_count = 0
        user.locked_until = None
        await self._start_session(user, SessionStage.full, factor)
        device = await self._device()
        if device is not None:
            device.user_id = user.id
            device.signed_in_before = True
            device.failed_signins = 0
            device.last_seen_at = self.now
        await self._audit("auth.signin", user=user, factor=factor)
        await self.session.commit()
        return Next("done")

    # -- steps -----------------------------------------------------------------------------

    async def login(self, login_id: str, password: str) -> Next:
        await begin_write(self.session)
        user = await self.session.scalar(select(User).where(User.login_id == login_id))
        ok = await hashing(self.settings).verify_async(user.password_hash if user else None,
                                                     password)
        if user is None:
            await self._fail(None, "unknown_user", InvalidCredentials())
            raise AssertionError("unreachable")
        if await self._delayed(user):
            await self._fail(user, "locked", InvalidCredentials())
        if user.status != UserStatus.active:
            await self._fail(user, f"status_{user.status}", InvalidCredentials())
        if not ok:
            await self._fail(user, "wrong_password", InvalidCredentials())
        if (
            user.password_must_change
            and user.password_expires_at is not None
            and user.password_expires_at <= self.now
        ):
            await self._fail(user, "initial_password_expired", InvalidCredentials())
        step: SignInStep
        if user.password_must_change:
            stage, step = SessionStage.change_password, "changePassword"
        else:
            stage, step = _second_factor_step(await factors_of(self.session, user.id))
        await self._start_session(user, stage, "password")
        await self._audit("auth.password", user=user, next=step)
        await self.session.commit()
        return Next(step)

    async def verify_totp(self, code: str) -> Next:
        self._require_stage(SessionStage.password)
        await begin_write(self.session)
        user = await self._current_user()
        factor = await self.session.scalar(
            select(TotpFactor).where(
                TotpFactor.user_id == user.id, TotpFactor.confirmed_at.is_not(None)
            )
        )
        if factor is None:
            raise WrongStep()
        if await self._delayed(user):
            await self._fail(user, "locked", InvalidCredentials())
        secret = totp.open_secret(self.settings.secret_key, factor.secret_encrypted)
        step = totp.matching_step(secret, code, self.now, factor.last_used_step)
        if step is None:
            await self._fail(user, "wrong_totp", InvalidCode())
            raise AssertionError("unreachable")
        factor.last_used_step = step
        return await self._complete(user, "totp")

    async def passkey_options(self) -> dict[str, Any]:
        from . import passkeys  # webauthn is loaded on the first passkey step

        self._require_stage(SessionStage.password)
        await begin_write(self.session)
        user = await self._current_user()
        factors = await factors_of(self.session, user.id)
        if not factors.passkeys:
            raise WrongStep()
        challenge, options = passkeys.authentication_options(self.settings, factors.passkeys)
        await self._remember_challenge(challenge, "authenticate")
        await self.session.commit()
        return options

    async def _remember_challenge(self, challenge: bytes, purpose: str) -> None:
        from . import passkeys

        assert self.ctx.session is not None
        row = await self.session.get(UserSession, self.ctx.session.id)
        if row is None:
            raise WrongStep()
        row.challenge = challenge
        row.challenge_purpose = purpose
        row.challenge_expires_at = self.now + timedelta(seconds=passkeys.CHALLENGE_SECONDS)

    async def _take_challenge(self, purpose: str) -> bytes | None:
        """The session's pending challenge, consumed: it can be answered once."""
        assert self.ctx.session is not None
        row = await self.session.get(UserSession, self.ctx.session.id)
        if row is None or row.challenge is None or row.challenge_purpose != purpose:
            return None
        challenge, expires = row.challenge, row.challenge_expires_at
        row.challenge = None
        row.challenge_purpose = None
        row.challenge_expires_at = None
        if expires is None or expires <= self.now:
            return None
        return challenge

    async def verify_passkey(self, credential: dict[str, Any]) -> Next:
        from . import passkeys  # webauthn is loaded on the first passkey step

        self._require_stage(SessionStage.password)
        await begin_write(self.session)
        user = await self._current_user()
        if await self._delayed(user):
            await self._fail(user, "locked", InvalidCredentials())
        challenge = await self._take_challenge("authenticate")
        raw_id = _raw_id(credential)
        stored = None
        if raw_id is not None:
            stored = await self.session.scalar(
                select(WebAuthnCredential).where(
                    WebAuthnCredential.credential_id == raw_id,
                    WebAuthnCredential.user_id == user.id,
                )
            )
        if challenge is None or stored is None:
            await self._fail(user, "passkey_unknown_or_stale", InvalidCode())
            raise AssertionError("unreachable")
        try:
            assertion = passkeys.verify_assertion(self.settings, credential, challenge, stored)
        except passkeys.PasskeyRejected:
            await self._fail(user, "passkey_rejected", InvalidCode())
            raise AssertionError("unreachable") from None
        stored.sign_count = assertion.new_sign_count
        stored.backup_state = assertion.backup_state
        stored.last_used_at = self.now
        return await self._complete(user, "webauthn")

    # -- enrolment -------------------------------------------------------------------------

    def _require_enrolment_allowed(self) -> None:
        """Enrolment during first sign-in, or from a full session signed in recently."""
        session = self.ctx.session
        if session is None:
            raise WrongStep()
        if session.stage == SessionStage.enroll:
            return
        if session.stage != SessionStage.full:
            raise WrongStep()
        if session.authenticated_at is None or self.now - session.authenticated_at > FRESH_SIGNIN:
            raise ReauthRequired()

    async def totp_enroll(self) -> dict[str, str]:
        self._require_enrolment_allowed()
        await begin_write(self.session)
        user = await self._current_user()
        secret = totp.new_secret()
        assert self.ctx.session is not None
        row = await self.session.get(UserSession, self.ctx.session.id)
        assert row is not None
        row.pending_totp_secret = totp.seal_secret(self.settings.secret_key, secret)
        await self.session.commit()
        uri = totp.provisioning_uri(secret, user.login_id)
        return {"secret": secret, "otpauthUri": uri, "qrSvg": totp.qr_svg(uri)}

    async def totp_enroll_confirm(self, code: str) -> Next:
        self._require_enrolment_allowed()
        await begin_write(self.session)
        user = await self._current_user()
        assert self.ctx.session is not None
        row = await self.session.get(UserSession, self.ctx.session.id)
        if row is None or row.pending_totp_secret is None:
            raise WrongStep()
        secret = totp.open_secret(self.settings.secret_key, row.pending_totp_secret)
        step = totp.matching_step(secret, code, self.now, 0)
        if step is None:
            await self._audit("auth.totp_enroll", outcome="failure", user=user)
            await self.session.commit()
            raise InvalidCode()
        row.pending_totp_secret = None
        await self.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
        self.session.add(
            TotpFactor(
                user_id=user.id,
                secret_encrypted=totp.seal_secret(self.settings.secret_key, secret),
                last_used_step=step,
                confirmed_at=self.now,
                created_at=self.now,
            )
        )
        await self._audit("auth.factor_added", user=user, factor="totp")
        return await self._after_enrolment(user, "totp")

    async def _after_enrolment(self, user: User, factor: str) -> Next:
        assert self.ctx.session is not None
        if self.ctx.session.stage == SessionStage.enroll:
            return await self._complete(user, factor)
        await self.session.commit()
        return Next("done")

    async def passkey_register_options(self) -> dict[str, Any]:
        from . import passkeys  # webauthn is loaded on the first passkey step

        self._require_enrolment_allowed()
        await begin_write(self.session)
        user = await self._current_user()
        factors = await factors_of(self.session, user.id)
        challenge, options = passkeys.registration_options(self.settings, user, factors.passkeys)
        await self._remember_challenge(challenge, "register")
        await self.session.commit()
        return options

    async def passkey_register_verify(self, credential: dict[str, Any], label: str) -> Next:
        from . import passkeys  # webauthn is loaded on the first passkey step

        self._require_enrolment_allowed()
        await begin_write(self.session)
        user = await self._current_user()
        challenge = await self._take_challenge("register")
        if challenge is None:
            await self.session.commit()
            raise InvalidCode()
        try:
            new = passkeys.verify_registration(self.settings, credential, challenge)
        except passkeys.PasskeyRejected:
            await self._audit("auth.passkey_register", outcome="failure", user=user)
            await self.session.commit()
            raise InvalidCode() from None
        taken = await self.session.scalar(
            select(WebAuthnCredential.id).where(
                WebAuthnCredential.credential_id == new.credential_id
            )
        )
        if taken is not None:
            await self.session.commit()
            raise InvalidCode()
        self.session.add(
            WebAuthnCredential(
                user_id=user.id,
                credential_id=new.credential_id,
                public_key=new.public_key,
                sign_count=new.sign_count,
                aaguid=new.aaguid,
                backup_eligible=new.backup_eligible,
                backup_state=new.backup_state,
                transports=new.transports,
                label=label or self.ctx.user_agent[:100],
                created_at=self.now,
            )
        )
        await self._audit("auth.factor_added", user=user, factor="webauthn")
        return await self._after_enrolment(user, "webauthn")

    async def remove_factor(self, kind: str, passkey_id: uuid.UUID | None = None) -> None:
        self._require_enrolment_allowed()
        await begin_write(self.session)
        user = await self._current_user()
        factors = await factors_of(self.session, user.id)
        remaining = int(factors.totp) + len(factors.passkeys)
        if kind == "totp":
            if not factors.totp:
                raise WrongStep()
            if remaining <= 1:
                raise LastFactor()
            await self.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
        else:
            match = [c for c in factors.passkeys if c.id == passkey_id]
            if not match:
                raise NotFound()
            if remaining <= 1:
                raise LastFactor()
            await self.session.delete(match[0])
        await self._audit("auth.factor_removed", user=user, factor=kind)
        await self.session.commit()

    # -- passwords and sign-out ------------------------------------------------------------

    async def change_password(self, current: str, new: str) -> Next:
        self._require_stage(SessionStage.change_password, SessionStage.full)
        await begin_write(self.session)
        user = await self._current_user()
        if not await hashing(self.settings).verify_async(user.password_hash, current):
            await self._fail(user, "wrong_current_password", InvalidCredentials())
        problems = password_problems(
            new,
            login_id=user.login_id,
            name=user.name,
            name_kana=user.name_kana,
            birth_date=user.birth_date,
        )
        if current == new:
            problems.append(PasswordProblem(
                "unchanged", "今のパスワードと違うものにしてください。",
                "Choose a password different from the current one."))
        if problems:
            await self.session.rollback()
            raise WeakPassword(
                reasons=[{"code": p.code, "ja": p.ja, "en": p.en} for p in problems],
            )
        user.password_hash = await hashing(self.settings).hash_async(new)
        user.password_must_change = False
        user.password_expires_at = None
        user.password_changed_at = self.now
        assert self.ctx.session is not None
        was_full = self.ctx.session.stage == SessionStage.full
        # Every other session of the user ends with the old password.
        await self.session.execute(
            delete(UserSession).where(
                UserSession.user_id == user.id, UserSession.id != self.ctx.session.id
            )
        )
        await self._audit("auth.password_changed", user=user)
        if was_full:
            await self._start_session(user, SessionStage.full, self.ctx.session.factor)
            await self.session.commit()
            return Next("done")
        stage, step = _second_factor_step(await factors_of(self.session, user.id))
        await self._start_session(user, stage, "password")
        await self.session.commit()
        return Next(step)

    async def lock(self, next_secret: str) -> None:
        """The app locked: its unlock proof is replaced by the next one, which the app chose
        and sealed under its data key before sending it. The proof this request carried
        stops working; the next unlock (even offline) opens the new one."""
        await begin_write(self.session)
        assert self.ctx.session is not None
        row = await self.session.get(UserSession, self.ctx.session.id)
        if row is None:
            raise WrongStep()
        row.unlock_hash = unlock.secret_hash(next_secret)
        await self.session.commit()

    async def logout(self) -> None:
        await begin_write(self.session)
        if self.ctx.session is not None:
            if self.ctx.session.device_id is not None:
                await remove_device_subscriptions(self.session, self.ctx.session.device_id)
            await self.session.execute(
                delete(UserSession).where(UserSession.id == self.ctx.session.id)
            )
            if self.ctx.user is not None:
                await self._audit("auth.logout", user=self.ctx.user)
        self.ctx.session = None
        self.ctx.clear_session_cookie()
        await self.session.commit()


def _raw_id(credential: dict[str, Any]) -> bytes | None:
    raw = credential.get("rawId") or credential.get("id")
    if not isinstance(raw, str):
        return None
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, TypeError):
        return None
