"""TOTP (RFC 6238): 160-bit secrets sealed at rest, ±1 step, each time step accepted once."""

from __future__ import annotations

from datetime import datetime

import pyotp

from ..qr_codes import svg_document
from . import secretbox

STEP_SECONDS = 30
ISSUER = "carebook"
_PURPOSE = "totp"


def new_secret() -> str:
    """A fresh base32 secret of 160 bits."""
    return pyotp.random_base32(length=32)


def seal_secret(secret_key: str, secret: str) -> str:
    return secretbox.seal(secret_key, _PURPOSE, secret)


def open_secret(secret_key: str, sealed: str) -> str:
    return secretbox.open_sealed(secret_key, _PURPOSE, sealed)


def matching_step(secret: str, code: str, now: datetime, last_used_step: int) -> int | None:
    """The time step `code` belongs to (now ±1), if it is newer than the last one accepted.

    pyotp itself does not stop a code from being used twice; the caller stores the
    returned step and passes it back as `last_used_step`.
    """
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if step <= last_used_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, login_id: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=login_id, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The otpauth URI as an SVG QR code, for authenticator apps to scan.

    A standalone document (with its namespace): the PWA shows it as an `<img>` from a
    `data:` URI, and a browser draws nothing for an SVG image without `xmlns`.
    """
    return svg_document(uri, scale=5)
