"""What the auth middleware learned about a request: who, which session, which device."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from store.models import Device, User, UserSession
from store.models.enums import Role, SessionStage

from ..audit.service import Actor
from ..settings import Settings
from . import tokens


def session_cookie_name(settings: Settings) -> str:
    return "__Host-carebook_session" if settings.secure_cookies else "carebook_session"


def presession_cookie_name(settings: Settings) -> str:
    return "__Host-carebook_pre" if settings.secure_cookies else "carebook_pre"


@dataclass
class AuthContext:
    settings: Settings
    now: datetime
    ip: str
    user_agent: str
    device_key: str | None = None
    device: Device | None = None
    session: UserSession | None = None
    user: User | None = None
    presession_nonce: str | None = None
    # A session was presented, but it belongs to another device (or none was named).
    device_mismatch: bool = False
    # The request carries the session's current unlock proof (server/auth/unlock.py).
    unlocked: bool = False
    # The unlock secret made for a session that just passed both factors (for its answer).
    issued_unlock_secret: str | None = None
    # Cookies for the middleware to set on the way out: name -> (value, max_age) or None to clear.
    cookies: dict[str, tuple[str, int] | None] = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return self.session is not None and self.session.stage == SessionStage.full

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.user.id if self.user else None

    @property
    def actor(self) -> Actor:
        return Actor(
            user_id=self.user.id if self.user else None,
            login_id=self.user.login_id if self.user else None,
            ip=self.ip or None,
            device_key=self.device_key,
        )

    def has_role(self, *roles: Role) -> bool:
        return self.user is not None and self.user.role in roles

    def csrf_binding(self) -> str | None:
        if self.session is not None:
            return f"s:{self.session.token_hash}"
        if self.presession_nonce is not None:
            return f"a:{self.presession_nonce}"
        return None

    def csrf_token(self) -> str | None:
        binding = self.csrf_binding()
        return tokens.csrf_token(self.settings.secret_key, binding) if binding else None

    def set_session_cookie(self, token: str) -> None:
        self.cookies[session_cookie_name(self.settings)] = (
            token,
            self.settings.auth.absolute_timeout_s,
        )

    def clear_session_cookie(self) -> None:
        self.cookies[session_cookie_name(self.settings)] = None

    def set_presession_cookie(self, nonce: str) -> None:
        self.presession_nonce = nonce
        self.cookies[presession_cookie_name(self.settings)] = (nonce, 3600)
