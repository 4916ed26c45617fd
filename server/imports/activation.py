"""Letting imported people in: the normal activation, when the clerk chooses to send it.

Nobody's password is imported or mailed. Each person gets a single-use activation link
by mail — sent in batches with a pause between them, so that a city's mail server and
its spam filters are not hit by several hundred mails at once — or, for those without a
mail address, a printed letter with a code to type (and a QR code), valid for two weeks.
Each is recorded in the audit log; issuing a new one makes earlier ones stop working.
"""

from __future__ import annotations

import asyncio
import html
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import OneTimeToken, User
from store.models.enums import TokenPurpose, UserStatus
from store.writer import begin_write

from ..admin.common import deliver, record
from ..admin.help import load_help
from ..admin.users import activation_letter, new_activation
from ..auth import tokens
from ..mail.service import Mailer
from ..qr_codes import svg_data_uri
from .rows import ImportContext

LETTER_TTL = timedelta(days=14)


@dataclass(frozen=True)
class ActivationLetter:
    """One printed letter: what the person types or scans, and whom to call."""

    user_id: uuid.UUID
    login_id: str
    name: str
    office_name: str
    code: str
    link: str
    qr_image: str  # a data: URI of the QR code's SVG
    expires: str
    city_name: str
    contact_name: str
    contact_phone: str


async def _pending(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.id.in_(list(ids)), User.status != UserStatus.stopped)
        .order_by(User.name_kana, User.login_id)
    )
    return [u for u in rows.unique() if u.password_hash is None]


async def _retire_earlier(session: AsyncSession, ctx: ImportContext, user: User) -> None:
    await session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == TokenPurpose.activation,
               OneTimeToken.used_at.is_(None))
        .values(used_at=ctx.now)
    )


async def send_activation_mails(
    sessionmaker: async_sessionmaker[AsyncSession], ctx: ImportContext, mailer: Mailer,
    user_ids: Sequence[uuid.UUID], *, batch: int = 20, pause_s: float = 30.0,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    """Mail each person with an address a new activation link, `batch` at a time."""
    async with sessionmaker() as session:
        people = [u.id for u in await _pending(session, user_ids) if u.email]
        await session.rollback()
    sent = 0
    for start in range(0, len(people), batch):
        if start:
            await asyncio.sleep(pause_s)
        letters = []
        async with sessionmaker() as session:
            await begin_write(session)
            for person_id in people[start : start + batch]:
                user = await session.get(User, person_id)
                assert user is not None
                await _retire_earlier(session, ctx, user)
                letters.append(await activation_letter(session, ctx, user))
                await record(session, ctx, "admin.activation_sent", target_type="user",
                             target_id=user.id, source="import")
            await session.commit()
        sent += await deliver(mailer, letters)
        if on_sent is not None:
            on_sent(sent)
    return sent


async def activation_letters(session: AsyncSession, ctx: ImportContext,
                             user_ids: Sequence[uuid.UUID]) -> list[ActivationLetter]:
    """Printed letters for the people given (typically those without a mail address).

    The caller has begun the write transaction and commits: the codes exist only then.
    """
    help_page = await load_help(session)
    desk = help_page.contacts[0] if help_page.contacts else None
    out = []
    for user in await _pending(session, user_ids):
        await _retire_earlier(session, ctx, user)
        code = tokens.new_letter_code()
        expires = await new_activation(session, ctx, user, code, LETTER_TTL)
        link = f"{ctx.settings.base_url}/activate/{code}"
        await record(session, ctx, "admin.activation_letter", target_type="user",
                     target_id=user.id, source="import")
        out.append(ActivationLetter(
            user_id=user.id, login_id=user.login_id, name=user.name,
            office_name=user.office.name if user.office else "", code=code, link=link,
            qr_image=svg_data_uri(link, scale=3),
            expires=expires, city_name=help_page.city_name,
            contact_name=desk.name if desk else "", contact_phone=desk.phone if desk else "",
        ))
    return out


def letters_html(letters: Sequence[ActivationLetter]) -> str:
    """The letters as one printable HTML page per person (A4, for the CLI to write out)."""
    pages = []
    for letter in letters:
        e = {k: html.escape(str(v)) for k, v in letter.__dict__.items()}
        pages.append(f"""<section class="letter">
<p class="to">{e['office_name']}<br>{e['name']} 様</p>
<h1>carebook 利用開始のご案内</h1>
<p>{e['city_name']}の在宅医療・介護連携情報共有システム carebook のログインIDをお知らせします。
次のページを開き、下の利用開始コードを入力してパスワードを設定してください。
初回ログイン時に二要素認証（パスキーまたは認証アプリ）を登録していただきます。</p>
<table><tr><th>ログインID</th><td class="id">{e['login_id']}</td></tr>
<tr><th>利用開始コード</th><td class="code">{e['code']}</td></tr>
<tr><th>ページ</th><td>{e['link']}</td></tr>
<tr><th>有効期限</th><td>{e['expires']} まで（1回限り）</td></tr></table>
<img class="qr" alt="" src="{e['qr_image']}">
<p class="note">この通知書は本人以外に渡さないでください。パスワードは誰にも知らせないでください。
お問い合わせ：{e['contact_name']} {e['contact_phone']}</p>
</section>""")
    return """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<title>carebook 利用開始のご案内</title><style>
@page { size: A4; margin: 20mm; }
body { font-family: "IPAGothic", "Noto Sans CJK JP", sans-serif; }
.letter { page-break-after: always; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #333; padding: 6px 12px; text-align: left; }
.code, .id { font-family: monospace; font-size: 16pt; letter-spacing: 0.1em; }
.note { font-size: 10pt; }
</style></head><body>""" + "\n".join(pages) + "</body></html>\n"
