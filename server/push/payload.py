"""What a push says, and the headers it travels with: no patient data, ever.

The payload is only a signal for the service worker: a type, the room's opaque id, a count
and the urgent flag (plus an admin-set room label when the user opted in). The visible text
(「新しい投稿があります」/「至急の投稿があります」) is made by the service worker, so nothing a
push service or a lock screen sees can name a patient.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any, Final

#: Post notifications wait up to a day at the push service for an offline tablet. Urgent
#: posts keep the same TTL: urgency decides how fast a push is delivered, and a shorter TTL
#: would drop exactly the message that matters when a nurse's tablet is off for a few hours.
POST_TTL: Final = 24 * 3600
#: A wipe must still reach a lost tablet that comes back online weeks later (FCM's maximum).
WIPE_TTL: Final = 28 * 24 * 3600
WIPE_TOPIC: Final = "wipe"
#: The only keys a payload may carry; the tests check every delivered push against these.
POST_KEYS: Final = frozenset({"type", "room", "count", "urgent", "label", "addressed"})


def room_topic(room_id: uuid.UUID) -> str:
    """A short, stable, url-safe tag per room, so pending pushes for one room collapse.

    A hash (24 characters, within the 32 RFC 8030 allows) rather than the id itself, so the
    push service cannot link topics to the room ids in payloads it cannot read anyway.
    """
    digest = hashlib.sha256(b"carebook-room-topic:" + room_id.bytes).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def post_payload(
    room_id: uuid.UUID, *, count: int, urgent: bool, label: str | None, addressed: bool = False
) -> dict[str, Any]:
    """`addressed`: something in the room is addressed to the recipient (「あなた宛て」)."""
    payload: dict[str, Any] = {
        "type": "post",
        "room": str(room_id),
        "count": count,
        "urgent": urgent,
    }
    if label:
        payload["label"] = label
    if addressed:
        payload["addressed"] = True
    return payload


def merge_post_payload(
    pending: dict[str, Any], *, urgent: bool, label: str | None, addressed: bool = False
) -> dict[str, Any]:
    """Fold one more post into a push that has not left yet (one notification per room)."""
    merged = dict(pending)
    merged["count"] = int(pending.get("count", 1)) + 1
    merged["urgent"] = bool(pending.get("urgent", False)) or urgent
    merged.pop("label", None)
    if label:
        merged["label"] = label
    if addressed or pending.get("addressed"):
        merged["addressed"] = True
    return merged


def wipe_payload() -> dict[str, Any]:
    return {"type": "wipe"}


def urgency_for(urgent: bool) -> str:
    return "high" if urgent else "normal"
