"""Wire types of the sign-in API (camelCase JSON, bounded, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

LoginId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=12)]


class Strict(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class LoginIn(Strict):
    login_id: LoginId
    password: Password


class TotpIn(Strict):
    code: Code


class PasskeyIn(Strict):
    credential: dict[str, Any]
    label: Annotated[str, msgspec.Meta(max_length=100)] = ""


class PasswordChangeIn(Strict):
    current_password: Password
    new_password: Password


# The screen the PWA shows next; "signin" after a sign-out, "unlock" after a lock.
SignInStep = Literal[
    "totp", "webauthn", "choose", "changePassword", "enroll", "done", "signin", "unlock"
]


class LockIn(Strict):
    # 256 random bits, base64url (the app's next unlock secret, server/auth/unlock.py).
    next_unlock_secret: Annotated[
        str, msgspec.Meta(min_length=43, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    ]


class NextOut(msgspec.Struct, rename="camel"):
    next: SignInStep
    csrf_token: str | None
    # Only when both factors were just passed (a new full session), else null: the unlock
    # secret that every later request carries in X-Carebook-Unlock (docs/api/requests.md).
    unlock_secret: str | None


class CsrfOut(msgspec.Struct, rename="camel"):
    csrf_token: str


class TotpEnrollOut(msgspec.Struct, rename="camel"):
    secret: str
    otpauth_uri: str
    qr_svg: str


class SessionStateOut(msgspec.Struct, rename="camel"):
    signed_in: bool
    stage: str | None
    csrf_token: str


class RecoveryKeyOut(msgspec.Struct, rename="camel"):
    """A device's recovery secret (base64url, 32 bytes); `created` when made by this call."""

    secret: str
    created: bool
