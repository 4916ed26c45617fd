"""The daily mail (issue 17 item 8): for people who do not install the app, once a day, how
many of their rooms have new posts or posts addressed to them — a number and a link, never a
patient's name or anything from a contact book (mail leaves our control).

Opt-in per user (`notification_preference.daily_mail`). Sent by the scheduler's lease holder
(`server/scheduler.py`) from 07:00 Japan time, or when the user's quiet hours end; nothing is
sent when nothing is waiting. `daily_mail_on` records the Japan date it was handled and is
claimed with one conditional UPDATE before sending, so however many processes run the
scheduler (or a lease changes hands mid-pass) a user gets at most one mail a day.

Unsubscribing takes one click and no sign-in: each mail carries a link signed with the
installation's secret key for that user (`unsubscribe_token`) and the RFC 8058 headers
(`List-Unsubscribe`, `List-Unsubscribe-Post`) so mail programs offer their own button.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from datetime import date, datetime, time
from urllib.parse import quote

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import Addressee, NotificationPreference, Post, ReadReceipt, RoomMember, User
from store.models.enums import Role, UserStatus
from store.writer import begin_write

from ..japan import JST
from ..push.outbox import in_quiet_hours
from ..settings import Settings
from . import templates
from .service import Mailer

log = logging.getLogger("carebook.mail.daily")

#: The earliest time of day the mail goes out (Japan time): before the morning round.
SEND_FROM = time(7, 0)
_PURPOSE = b"daily-mail-unsubscribe:"


def unsubscribe_token(secret_key: str, user_id: uuid.UUID) -> str:
    """`<user id>.<signature>`: names the user and proves the installation made the link."""
    mac = hmac.new(secret_key.encode(), _PURPOSE + str(user_id).encode(), hashlib.sha256)
    signature = base64.urlsafe_b64encode(mac.digest()[:18]).decode().rstrip("=")
    return f"{user_id}.{signature}"


def user_of_token(secret_key: str, token: str) -> uuid.UUID | None:
    """The user a genuine token names, else None."""
    head, _, _signature = token.partition(".")
    try:
        user_id = uuid.UUID(head)
    except ValueError:
        return None
    expected = unsubscribe_token(secret_key, user_id)
    return user_id if hmac.compare_digest(expected.encode(), token.encode()) else None


def unsubscribe_url(settings: Settings, user_id: uuid.UUID) -> str:
    token = unsubscribe_token(settings.secret_key, user_id)
    return f"{settings.base_url}/api/mail/unsubscribe?token={quote(token)}"


async def rooms_waiting(session: AsyncSession, user_id: uuid.UUID) -> int:
    """How many of the user's current rooms have posts by others newer than the user's read
    mark, or something addressed to the user not yet answered or done."""
    receipt = (
        select(ReadReceipt.up_to_version)
        .where(ReadReceipt.room_id == RoomMember.room_id, ReadReceipt.user_id == user_id)
        .scalar_subquery()
    )
    new_posts = exists().where(
        Post.room_id == RoomMember.room_id, Post.author_id != user_id,
        Post.deleted_at.is_(None), Post.version > func.coalesce(receipt, 0),
    )
    addressed = exists().where(
        Addressee.room_id == RoomMember.room_id, Addressee.user_id == user_id,
        Addressee.answered_at.is_(None), Addressee.done_at.is_(None),
        Addressee.deleted_at.is_(None),
    )
    count = await session.scalar(
        select(func.count(func.distinct(RoomMember.room_id))).where(
            RoomMember.user_id == user_id, RoomMember.left_at.is_(None),
            or_(new_posts, addressed),
        )
    )
    return int(count or 0)


async def send_daily_mail(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, mailer: Mailer,
    now: datetime,
) -> int:
    """One pass: mail every opted-in user not yet handled today whose quiet hours are over.
    Returns how many mails were sent."""
    local = now.astimezone(JST)
    if local.time() < SEND_FROM:
        return 0
    today = local.date()
    async with sessionmaker() as session:
        due = list(await session.execute(
            select(User.id, User.name, User.email, NotificationPreference.quiet_start,
                   NotificationPreference.quiet_end)
            .join(NotificationPreference, NotificationPreference.user_id == User.id)
            .where(
                NotificationPreference.daily_mail.is_(True),
                or_(NotificationPreference.daily_mail_on.is_(None),
                    NotificationPreference.daily_mail_on < today),
                User.status == UserStatus.active, User.role == Role.member, User.email != "",
            )
        ))
        await session.rollback()
    sent = 0
    for row in due:
        if in_quiet_hours(now, row.quiet_start, row.quiet_end):
            continue  # a later pass, once they are over
        async with sessionmaker() as session:
            await begin_write(session)
            if not await _claim(session, row.id, today):
                await session.rollback()
                continue
            rooms = await rooms_waiting(session, row.id)
            await session.commit()
        if rooms == 0:
            continue  # nothing waits: no mail today
        link = unsubscribe_url(settings, row.id)
        letter = templates.daily_summary(row.email, name=row.name, rooms=rooms,
                                         link=f"{settings.base_url}/", unsubscribe=link)
        try:
            await mailer.send(letter.to, letter.subject, letter.body, headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            })
        except Exception:
            log.exception("daily mail to user %s failed; tried again on the next pass", row.id)
            await _release(sessionmaker, row.id, today)
            continue
        sent += 1
    return sent


async def _claim(session: AsyncSession, user_id: uuid.UUID, today: date) -> bool:
    result = await session.execute(
        update(NotificationPreference)
        .where(NotificationPreference.user_id == user_id,
               NotificationPreference.daily_mail.is_(True),
               or_(NotificationPreference.daily_mail_on.is_(None),
                   NotificationPreference.daily_mail_on < today))
        .values(daily_mail_on=today)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def _release(sessionmaker: async_sessionmaker[AsyncSession], user_id: uuid.UUID,
                   today: date) -> None:
    async with sessionmaker() as session:
        await begin_write(session)
        await session.execute(
            update(NotificationPreference)
            .where(and_(NotificationPreference.user_id == user_id,
                        NotificationPreference.daily_mail_on == today))
            .values(daily_mail_on=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def unsubscribe(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> bool:
    """Turns the daily mail off for the user; False when the user does not exist."""
    await begin_write(session)
    if await session.get(User, user_id) is None:
        await session.rollback()
        return False
    row = await session.get(NotificationPreference, user_id)
    if row is None:
        row = NotificationPreference(user_id=user_id)
        session.add(row)
    row.daily_mail = False
    row.updated_at = now
    await session.commit()
    return True
