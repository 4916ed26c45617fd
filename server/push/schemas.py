"""Wire types of `/api/push/*` (camelCase JSON); see docs/api/push.md."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
MAX_MUTED_ROOMS = 1000


class In(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class Out(msgspec.Struct, rename="camel"):
    pass


class SubscriptionKeysIn(In):
    # 65-byte P-256 point → 87 base64url characters (88 padded); 16-byte secret → 22 (24).
    p256dh: Annotated[str, msgspec.Meta(min_length=80, max_length=100, pattern=B64URL)]
    auth: Annotated[str, msgspec.Meta(min_length=16, max_length=32, pattern=B64URL)]


class SubscriptionIn(In):
    """`PushSubscription.toJSON()` as the browser makes it."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1000)]
    keys: SubscriptionKeysIn
    expiration_time: Annotated[int, msgspec.Meta(ge=0, le=2**53)] | None = None


class SubscriptionOut(Out):
    subscribed: bool


class KeyOut(Out):
    public_key: str


class QuietHours(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Tokyo wall-clock times; start after end spans midnight (22:00–07:00)."""

    start: Annotated[str, msgspec.Meta(pattern=HHMM)]
    end: Annotated[str, msgspec.Meta(pattern=HHMM)]


class PreferencesIn(In):
    enabled: bool
    quiet_hours: QuietHours | None
    muted_room_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=MAX_MUTED_ROOMS)]
    show_room_label: bool
    daily_mail: Annotated[
        bool | msgspec.UnsetType,
        msgspec.Meta(description="The daily mail (opt-in); left out: unchanged."),
    ] = msgspec.UNSET


class PreferencesOut(Out):
    enabled: bool
    quiet_hours: QuietHours | None
    muted_room_ids: list[uuid.UUID]
    show_room_label: bool
    daily_mail: bool
