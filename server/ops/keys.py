"""Rotating the secret key without locking anyone out.

The secret key seals every TOTP secret (and the one being enrolled in a half
signed-in session) and every device's recovery secret (auth/device_keys.py); it also
signs CSRF tokens and sync cursors, which clients simply fetch again (`csrf` 403 → new
token; `sync_cursor_invalid` → resync). So a rotation re-seals those secrets under the
new key in one transaction; session cookies stay valid (stored as plain SHA-256 hashes).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from store.models import DeviceKeyShare, TotpFactor, UserSession
from store.writer import begin_write

from .. import db
from ..auth.device_keys import open_share, seal_share
from ..auth.totp import open_secret, seal_secret
from ..settings import Settings

KEY_FILE = "secret_key"


class RotationError(Exception):
    pass


@dataclass(frozen=True)
class RotationReport:
    factors: int
    pending: int
    key_file: Path | None
    device_keys: int = 0  # where the new key was written (None: the operator sets it)


def key_from_file(settings: Settings) -> bool:
    """True when the key in use is the one in `<data dir>/secret_key` (not an env value)."""
    path = settings.data_dir / KEY_FILE
    return path.is_file() and path.read_text().strip() == settings.secret_key


def new_key() -> str:
    return secrets.token_urlsafe(48)


async def rotate_secret_key(settings: Settings, new: str) -> RotationReport:
    """Re-seal every TOTP and device recovery secret from the current key to `new`; write
    `new` to the key file when the key lives there. Run with every carebook process stopped."""
    if len(new) < 32:
        raise RotationError("the new secret key must be at least 32 characters long")
    if new == settings.secret_key:
        raise RotationError("the new secret key is the key in use")
    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            await begin_write(session)
            factors = list(await session.scalars(select(TotpFactor)))
            for factor in factors:
                try:
                    plain = open_secret(settings.secret_key, factor.secret_encrypted)
                except Exception as exc:  # sealed under another key: stop, change nothing
                    raise RotationError(
                        f"a TOTP secret does not open with the current key ({factor.id}): "
                        "is CAREBOOK_SECRET_KEY the key in use?"
                    ) from exc
                factor.secret_encrypted = seal_secret(new, plain)
            pending = list(await session.scalars(
                select(UserSession).where(UserSession.pending_totp_secret.is_not(None))))
            for row in pending:
                assert row.pending_totp_secret is not None
                try:
                    row.pending_totp_secret = seal_secret(
                        new, open_secret(settings.secret_key, row.pending_totp_secret))
                except Exception:
                    row.pending_totp_secret = None  # an enrolment in flight starts over
            shares = list(await session.scalars(select(DeviceKeyShare)))
            for share in shares:
                try:
                    plain = open_share(settings.secret_key, share.secret_sealed)
                except Exception as exc:  # sealed under another key: stop, change nothing
                    raise RotationError(
                        f"a device recovery secret does not open with the current key "
                        f"({share.id}): is CAREBOOK_SECRET_KEY the key in use?"
                    ) from exc
                share.secret_sealed = seal_share(new, plain)
            key_path = settings.data_dir / KEY_FILE if key_from_file(settings) else None
            partial = None
            if key_path is not None:
                # The new key is on disk before the commit and in place after it: if the
                # command dies in between, `secret_key.new` holds the key the data needs.
                previous = key_path.with_name(KEY_FILE + ".previous")
                previous.write_text(settings.secret_key)
                previous.chmod(0o600)
                partial = key_path.with_name(KEY_FILE + ".new")
                partial.write_text(new)
                partial.chmod(0o600)
            await session.commit()
            if key_path is not None and partial is not None:
                partial.replace(key_path)
            return RotationReport(len(factors), len(pending), key_path, len(shares))
    finally:
        await engine.dispose()
