"""The city's own copy (`carebook export --to DIR`): which table goes to which file, and how.

One definition serves the writer (`export.py`) and the loader (`load.py`), and
docs/export.md describes the result for whoever reads it without carebook:
a directory of JSON Lines files, one object per line, camelCase keys, UTC
timestamps in ISO 8601, plus the attachment files by content hash and a
`manifest.json` of SHA-256 checksums.

What is left out is left out on purpose, and every table is either a `Kind` or
in `EXCLUDED` with the reason (a test holds every table of the schema to that):
secrets (password hashes, second factors, one-time links, invitation tokens),
this installation's sign-in and push state, and the sync engine's positions —
a room's version numbers are renumbered when the copy is loaded, so the copy
says in which order posts came, not at which version.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table

from store.models import Base
from sync.changes import EntityType

FORMAT = "carebook-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ATTACHMENTS_DIR = "attachments"


@dataclass(frozen=True)
class Kind:
    """One table as one file."""

    file: str
    table_name: str
    order_by: tuple[str, ...] = ("id",)
    omit: frozenset[str] = frozenset()
    # Synced rows get their room version (and a change-log entry) when loaded.
    entity: EntityType | None = None
    # The column naming the synced row in the change log (a member's own rows: the member).
    entity_key: str = "id"
    # Columns that are computed on export instead of read (name → description for the docs).
    derived: dict[str, str] = field(default_factory=dict)
    # A room version kept by the row (up to where it was read or cleared), written as the
    # post it reached (`derived` names it) because loading renumbers the room's versions.
    position: tuple[str, str] | None = None
    what: str = ""

    @property
    def table(self) -> Table:
        return Base.metadata.tables[self.table_name]

    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns if c.name not in self.omit]


SYNC_POSITIONS = frozenset({"version"})

# In load order: a row's references are loaded before it.
KINDS: tuple[Kind, ...] = (
    Kind("settings.jsonl", "system_setting", order_by=("key",),
         what="the city's name, help contacts, terms, audit anchor (not the sync epoch)"),
    Kind("offices.jsonl", "office", what="事業所・医療機関"),
    Kind(
        "users.jsonl",
        "user_account",
        omit=frozenset({
            "password_hash", "password_must_change", "password_expires_at",
            "password_changed_at", "failed_attempts", "lock_count", "locked_until",
            "membership_version", "updated_at",
        }),
        what="システム利用者, without passwords, lock state or sync positions",
    ),
    Kind("terms_acceptances.jsonl", "terms_acceptance", order_by=("user_id", "accepted_at", "id"),
         what="利用規約への同意: who accepted which version of the terms, when"),
    Kind("office_stays.jsonl", "office_stay", order_by=("user_id", "started_at", "id"),
         what="the periods a person belonged to each office (transfers, mergers)"),
    Kind("change_records.jsonl", "change_record",
         order_by=("entity_type", "entity_id", "at", "id"),
         what="訂正履歴: each corrected field, from what to what, who and when"),
    Kind("invitations.jsonl", "invitation", omit=frozenset({"token_hash"}),
         what="招待 (the link tokens stay behind: old links never work elsewhere)"),
    Kind("notification_preferences.jsonl", "notification_preference", order_by=("user_id",)),
    Kind("patients.jsonl", "patient", entity=EntityType.patient, what="患者（利用者）"),
    Kind(
        "rooms.jsonl", "room", omit=SYNC_POSITIONS | {"changed_position"},
        entity=EntityType.room, what="部屋",
    ),
    Kind("room_mutes.jsonl", "room_mute", order_by=("user_id", "room_id")),
    Kind(
        "attachments.jsonl", "attachment",
        what="photos, documents (PDF) and consent scans; the bytes are in attachments/ by "
             "SHA-256",
    ),
    Kind("consents.jsonl", "consent", what="情報共有同意書 様式5"),
    Kind("applications.jsonl", "application", what="申請 with their payloads"),
    Kind("application_events.jsonl", "application_event", what="each step of an application"),
    Kind("pledges.jsonl", "pledge", what="誓約書 様式4-1 / 4-2"),
    Kind("scheduled_stops.jsonl", "scheduled_stop", what="様式3 ID stops set for a later day"),
    Kind(
        "room_members.jsonl", "room_member", order_by=("room_id", "joined_at", "id"),
        omit=SYNC_POSITIONS | {"joined_position", "left_position"}, entity=EntityType.member,
        what="部屋の参加者, one row per stay",
    ),
    Kind(
        "report_titles.jsonl", "report_title", order_by=("room_id", "position", "id"),
        omit=SYNC_POSITIONS, entity=EntityType.report_title, what="ケアレポート標題",
    ),
    Kind(
        "posts.jsonl", "post", order_by=("room_id", "version"), omit=SYNC_POSITIONS,
        entity=EntityType.post,
        what="連絡帳の投稿, per room in the order they last changed; deleted ones keep "
             "deletedAt and their text",
    ),
    Kind(
        "comments.jsonl", "comment", order_by=("room_id", "version"), omit=SYNC_POSITIONS,
        entity=EntityType.comment, what="コメント, per room in the order they last changed",
    ),
    Kind(
        "receipts.jsonl", "read_receipt", order_by=("room_id", "user_id"),
        omit=frozenset({"version", "up_to_version"}), entity=EntityType.receipt,
        entity_key="user_id",
        derived={"readThroughPostId": "the last post (in posts.jsonl order) the member had read"},
        position=("up_to_version", "readThroughPostId"),
        what="既読",
    ),
    Kind(
        "thresholds.jsonl", "vital_threshold", order_by=("room_id", "version"),
        omit=SYNC_POSITIONS, entity=EntityType.threshold,
        what="バイタルの基準範囲 of a patient (by room), with who set it and when",
    ),
    Kind(
        "medications.jsonl", "medication", order_by=("room_id", "version"),
        omit=SYNC_POSITIONS, entity=EntityType.medication,
        what="服薬・アレルギー: a patient's drugs and allergies (by room), who changed each last",
    ),
    Kind(
        "addressees.jsonl", "addressee", order_by=("room_id", "version"),
        omit=SYNC_POSITIONS, entity=EntityType.addressee,
        what="宛先: each member a post or comment was addressed to, answered or done",
    ),
    Kind(
        "reading_marks.jsonl", "room_personal", order_by=("room_id", "user_id"),
        omit=frozenset({"version", "cleared_version"}), entity=EntityType.personal,
        entity_key="user_id",
        derived={"clearedThroughPostId": "the last post (in posts.jsonl order) the member had "
                                         "cleared from their 要対応 view"},
        position=("cleared_version", "clearedThroughPostId"),
        what="each member's own reading marks in a room (未読に戻す, 要対応 cleared)",
    ),
    Kind("templates.jsonl", "text_template", order_by=("created_at", "id"),
         what="定型文, personal and office-wide"),
    Kind("audit.jsonl", "audit_event", order_by=("seq",),
         what="アクセスログ, the hash chain as it is (verifiable with prevHash/hash)"),
)

EXCLUDED: dict[str, str] = {
    "user_session": "sign-in sessions of this installation",
    "device": "the tablets and browsers signed in here (they sign in again)",
    "totp_factor": "second factors are secrets: people enrol again",
    "webauthn_credential": "passkeys are bound to this installation's address",
    "one_time_token": "single-use links are secrets",
    "push_subscription": "push endpoints belong to this installation's devices",
    "outbox": "pushes waiting for delivery",
    "change_log": "the sync engine's positions (renumbered when loaded)",
    "client_mutation": "the sync engine's record of each device's last change",
    "job_lease": "which process of this installation runs a scheduled job",
    "device_key_share": "each device's sealed recovery secret (a secret of that device)",
    "sync_stream": "the sync engine's database-wide position",
}

# Rows of a kept table that stay behind.
EXCLUDED_SETTINGS = frozenset({"sync_epoch"})


def kind_of(file: str) -> Kind:
    for kind in KINDS:
        if kind.file == file:
            return kind
    raise KeyError(file)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_json(value: Any) -> Any:
    """A column value as JSON: ids and dates as strings, timestamps in UTC."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return str(value)


def line(record: dict[str, Any]) -> str:
    """One JSON Lines line: keys sorted, so the same record is always the same bytes."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
