"""The help page: contact points, the programme's rules and the pledge texts, set by the operator.

Stored as one `SystemSetting` ("help"). Until the operator saves it, defaults
apply: invented contact points (never a real city's) and the rules and pledge
wording of the city's manual. The pledge version is what applicants accept; an
application that accepted another version is refused, so nobody signs text
they were not shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from .. import db
from ..auth.context import AuthContext
from ..errors import Conflict
from ..models import SystemSetting
from .common import record, require_admin, require_operator
from .schemas import HelpContactOut, HelpIn, HelpOut, PledgeTextsOut

HELP_KEY = "help"
DEFAULT_CITY_NAME = "みどり市"
DEFAULT_PLEDGE_VERSION = "2024-04"

FORM41_TEXT = (
    "私は，当事業所における情報共有システムの利用において，知り得た患者（利用者）及び"
    "その家族に関する個人情報については，個人情報の適切な取扱い方針を遵守し，"
    "個人情報を適正に管理することを誓約します。"
)
FORM42_TEXT = (
    "私は当事業所の従業者として，情報共有システムの利用において，知り得た患者（利用者）及び"
    "その家族に関する個人情報については，個人情報の適切な取扱い方針を遵守し，"
    "個人情報を適正に管理することを誓約します。\n"
    "また，在職中及び退職後も第三者に故意又は過失により開示，提供又は漏えいしたり，"
    "自ら使用しないことを誓約します。"
)
DEFAULT_RULES = (
    "■システム利用事業所の責務\n"
    "・システム利用登録手続きを行いシステム利用者ごとに ID を取得する。\n"
    "・システム利用者の ID の登録変更・削除は速やかに手続きをする。\n"
    "・事業所ごとにシステム管理担当者を設置し適切な運営体制を整える。\n"
    "・個人データの機密性及び正確性の確保に努める。\n"
    "・情報共有システムを目的外に利用せず，部外者に使用させない。\n\n"
    "■市の責務\n"
    "・システム利用者の氏名及び職種，事業所，人数を把握し適切に管理する。\n"
    "・システム利用者登録（削除）手続きの窓口業務を所掌する。\n\n"
    "■部屋の利用\n"
    "・部屋は患者（利用者）ごとに作成し，招待された関係者のみが閲覧・入力できます。\n"
    "・部屋の開設には，本人または家族の同意，医師，訪問診療医師または訪問看護師，"
    "ケアマネジャーの参加が必要です。\n"
    "・専門職連携のためのシステムのため，本人及び家族の部屋への参加は認めません。\n"
    "・在宅サービスが終了したときは，部屋を終了する旨を連絡帳に投稿してください。"
)
DEFAULT_CONTACTS = (
    HelpContactOut(
        title="システム利用登録の手続きや運用について",
        name="みどり市役所 高齢福祉課 地域支援係",
        postal_code="000-0100",
        address="みどり市中央1丁目1番1号",
        phone="012-555-0100",
        email="renkei@city.midori.example.jp",
        hours="平日 8:30〜17:15",
        note="",
    ),
    HelpContactOut(
        title="患者（利用者）の状態に合わせた医療・介護関係者間の調整について",
        name="みどり市 在宅医療・介護連携支援センター",
        postal_code="000-0111",
        address="みどり市本町5丁目8番1号",
        phone="012-555-0111",
        email="shien@renkei.midori.example.jp",
        hours="平日 9:00〜17:00",
        note="",
    ),
)


def _default() -> HelpOut:
    return HelpOut(
        city_name=DEFAULT_CITY_NAME,
        contacts=list(DEFAULT_CONTACTS),
        rules=DEFAULT_RULES,
        pledge=PledgeTextsOut(
            version=DEFAULT_PLEDGE_VERSION, form41=FORM41_TEXT, form42=FORM42_TEXT
        ),
        updated_at=None,
    )


async def load_help(session: AsyncSession) -> HelpOut:
    row = await session.get(SystemSetting, HELP_KEY)
    if row is None:
        return _default()
    stored: dict[str, Any] = dict(row.value)
    stored["updatedAt"] = row.updated_at.isoformat()
    return msgspec.convert(stored, HelpOut)


async def current_pledge(session: AsyncSession) -> PledgeTextsOut:
    return (await load_help(session)).pledge


async def check_pledge(session: AsyncSession, version: str, accepted: bool) -> PledgeTextsOut:
    """The pledge must be accepted, and in the version shown today."""
    from ..errors import InvalidInput

    if not accepted:
        raise InvalidInput(
            "個人情報の取扱いに関する誓約書への同意が必要です。",
            "The personal-information pledge must be accepted.",
            code="pledge_not_accepted",
        )
    pledge = await current_pledge(session)
    if version != pledge.version:
        raise Conflict(
            "誓約書の内容が更新されています。画面を再読み込みし、最新の誓約書を確認してください。",
            "The pledge text has changed. Reload the page and read the current pledge.",
            code="pledge_outdated",
            currentVersion=pledge.version,
        )
    return pledge


async def store_help(session: AsyncSession, data: HelpIn, now: datetime) -> None:
    """Save the help page in the caller's transaction (the operator's screen, `init-city`)."""
    value = msgspec.to_builtins(data)
    row = await session.get(SystemSetting, HELP_KEY)
    if row is None:
        session.add(SystemSetting(key=HELP_KEY, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now


class HelpService:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        self.session = session
        self.ctx = ctx

    async def for_admin(self) -> HelpOut:
        require_admin(self.ctx)
        return await load_help(self.session)

    async def save(self, data: HelpIn) -> HelpOut:
        require_operator(self.ctx)
        await db.begin_write(self.session)
        await store_help(self.session, data, self.ctx.now)
        await record(
            self.session,
            self.ctx,
            "admin.help_updated",
            target_type="setting",
            target_id=HELP_KEY,
            pledgeVersion=data.pledge.version,
        )
        await self.session.commit()
        return await load_help(self.session)
