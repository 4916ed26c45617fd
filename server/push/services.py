"""The rules of push subscriptions and notification preferences (no HTTP here)."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import time

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device, NotificationPreference, PushSubscription, RoomMember, RoomMute
from store.writer import begin_write

from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import InvalidInput, NotFound
from .endpoints import check_endpoint
from .schemas import PreferencesIn, PreferencesOut, QuietHours, SubscriptionIn


def _b64url_bytes(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _bad(field: str, ja: str, en: str) -> InvalidInput:
    return InvalidInput(ja, en, code="invalid_subscription", field=field)


def check_keys(p256dh: str, auth_secret: str) -> None:
    point = _b64url_bytes(p256dh)
    valid_point = point is not None and len(point) == 65 and point[0] == 0x04
    if valid_point:
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point or b"")
        except ValueError:
            valid_point = False
    if not valid_point:
        raise _bad(
            "keys.p256dh",
            "keys.p256dh は 65 バイトの P-256 公開鍵 (base64url) である必要があります。",
            "keys.p256dh must be a 65-byte P-256 public key in base64url.",
        )
    secret = _b64url_bytes(auth_secret)
    if secret is None or len(secret) != 16:
        raise _bad(
            "keys.auth",
            "keys.auth は 16 バイトの値 (base64url) である必要があります。",
            "keys.auth must be 16 bytes in base64url.",
        )


def _current_device(ctx: AuthContext) -> Device:
    if ctx.device is None or ctx.user is None or ctx.device.user_id != ctx.user.id:
        raise InvalidInput(
            "この端末を識別できません。アプリを再読み込みしてからお試しください。",
            "This device cannot be identified. Reload the app and try again.",
            code="no_device",
        )
    return ctx.device


class Subscriptions:
    """The push subscription of the current device: one per device, replaced on re-subscribe."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        assert ctx.user is not None
        self.session = session
        self.ctx = ctx
        self.user_id = ctx.user.id

    async def status(self) -> bool:
        if self.ctx.device is None:
            return False
        found = await self.session.scalar(
            select(PushSubscription.id).where(
                PushSubscription.device_id == self.ctx.device.id,
                PushSubscription.user_id == self.user_id,
            )
        )
        return found is not None

    async def subscribe(self, data: SubscriptionIn) -> None:
        device = _current_device(self.ctx)
        check_endpoint(data.endpoint, self.ctx.settings.push)
        check_keys(data.keys.p256dh, data.keys.auth)
        await begin_write(self.session)
        same = await self.session.scalar(
            select(PushSubscription).where(
                PushSubscription.endpoint == data.endpoint,
                PushSubscription.device_id == device.id,
                PushSubscription.user_id == self.user_id,
            )
        )
        if same is not None:  # the browser re-sent its subscription: keep pending pushes
            same.p256dh = data.keys.p256dh
            same.auth = data.keys.auth
        else:
            # One subscription per device; an endpoint belongs to one device (a reinstalled
            # PWA keeps the browser's endpoint but gets a new device id).
            await self.session.execute(
                delete(PushSubscription)
                .where(
                    or_(
                        PushSubscription.device_id == device.id,
                        PushSubscription.endpoint == data.endpoint,
                    )
                )
                .execution_options(synchronize_session=False)
            )
            self.session.add(
                PushSubscription(
                    user_id=self.user_id,
                    device_id=device.id,
                    endpoint=data.endpoint,
                    p256dh=data.keys.p256dh,
                    auth=data.keys.auth,
                    created_at=self.ctx.now,
                )
            )
        await audit.record(
            self.session, at=self.ctx.now, actor=self.ctx.actor, action="push.subscribed",
            target_type="device", target_id=device.id,
        )
        await self.session.commit()

    async def unsubscribe(self) -> None:
        device = _current_device(self.ctx)
        await begin_write(self.session)
        await self.session.execute(
            delete(PushSubscription)
            .where(PushSubscription.device_id == device.id)
            .execution_options(synchronize_session=False)
        )
        await audit.record(
            self.session, at=self.ctx.now, actor=self.ctx.actor, action="push.unsubscribed",
            target_type="device", target_id=device.id,
        )
        await self.session.commit()


def _parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True)
class _Defaults:
    enabled: bool = True
    show_room_label: bool = False


class Preferences:
    """A user's own notification settings; rooms can be muted only by their current members."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        assert ctx.user is not None
        self.session = session
        self.ctx = ctx
        self.user_id = ctx.user.id

    async def _current_rooms(self) -> set[uuid.UUID]:
        return set(
            await self.session.scalars(
                select(RoomMember.room_id).where(
                    RoomMember.user_id == self.user_id, RoomMember.left_at.is_(None)
                )
            )
        )

    async def get(self) -> PreferencesOut:
        row = await self.session.get(NotificationPreference, self.user_id)
        rooms = await self._current_rooms()
        muted = sorted(
            (
                room_id
                for room_id in await self.session.scalars(
                    select(RoomMute.room_id).where(RoomMute.user_id == self.user_id)
                )
                if room_id in rooms
            ),
            key=str,
        )
        quiet = None
        if row is not None and row.quiet_start is not None and row.quiet_end is not None:
            quiet = QuietHours(start=_hhmm(row.quiet_start), end=_hhmm(row.quiet_end))
        defaults = _Defaults()
        return PreferencesOut(
            enabled=row.enabled if row is not None else defaults.enabled,
            quiet_hours=quiet,
            muted_room_ids=muted,
            show_room_label=row.show_room_label if row is not None else defaults.show_room_label,
            daily_mail=row.daily_mail if row is not None else False,
        )

    async def put(self, data: PreferencesIn) -> PreferencesOut:
        start = end = None
        if data.quiet_hours is not None:
            start = _parse_hhmm(data.quiet_hours.start)
            end = _parse_hhmm(data.quiet_hours.end)
            if start == end:
                raise InvalidInput(
                    "おやすみ時間の開始と終了には別の時刻を指定してください。",
                    "Quiet hours must start and end at different times.",
                    code="invalid_quiet_hours",
                    field="quietHours",
                )
        await begin_write(self.session)
        muted = set(data.muted_room_ids)
        if muted - await self._current_rooms():
            # Not a member (or no such room): the same answer, so room ids cannot be probed.
            raise NotFound(
                "参加していない部屋は通知の設定ができません。",
                "You can only mute rooms you are a member of.",
                code="room_not_found",
            )
        row = await self.session.get(NotificationPreference, self.user_id)
        if row is None:
            row = NotificationPreference(user_id=self.user_id)
            self.session.add(row)
        row.enabled = data.enabled
        row.quiet_start = start
        row.quiet_end = end
        row.show_room_label = data.show_room_label
        if not isinstance(data.daily_mail, msgspec.UnsetType):
            row.daily_mail = data.daily_mail
        row.updated_at = self.ctx.now
        await self.session.execute(delete(RoomMute).where(RoomMute.user_id == self.user_id))
        if muted:
            rows = [{"user_id": self.user_id, "room_id": r} for r in sorted(muted, key=str)]
            await self.session.execute(insert(RoomMute), rows)
        await self.session.commit()
        return await self.get()
