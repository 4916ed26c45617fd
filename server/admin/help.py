"""The help page: contact points, the programme's rules, the pledge texts and 誓約事項, links,
supported devices and browsers, and the terms of use; set by the city (its user
administrators) or the operator.

Stored as one `SystemSetting` ("help"). Until the city saves it, defaults apply: invented
contact points (never a real city's) and the rules, pledge and 誓約事項 wording of the
city's manual; no terms of use (the city writes its own). A page saved by an older
version of carebook gains the new parts' defaults when read.

The pledge version is what applicants accept; an application that accepted another
version is refused, so nobody signs text they were not shown. The terms version works
the same way for every user: a new version asks everyone again (`server/me/terms.py`).
Only contact points marked `public` reach the sign-in page, which anyone can read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import SystemSetting
from store.writer import begin_write

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, InvalidInput
from .common import record
from .schemas import (
    HelpContactOut,
    HelpIn,
    HelpLinkOut,
    HelpOut,
    PledgeTextsOut,
    PublicHelpOut,
    TermsOut,
)

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
DEFAULT_PLEDGE_ITEMS = (
    "① 使用している情報機器の故障，通信障害等が生じた場合は，速やかに市に報告するとともに"
    "復旧解決方策を講じます。\n"
    "② システムの利用に際して使用する ID 及びパスワードは，事業所内のシステム利用者の利用状況を"
    "適正に把握し，部外者に利用させることのないように適切に管理します。\n"
    "③ 使用する情報機器及びネットワークは，市が指定するセキュリティ要件を満たす環境のもとで"
    "利用します。\n"
    "④ 法人内及び事業所内でシステムの利用の許可を得たうえで利用します。\n"
    "⑤ 厚生労働省が定める「医療・介護関係事業所における個人情報の適切な取扱いのための"
    "ガイドライン」を遵守します。\n"
    "⑥ システムの利用を終了するときは，速やかに市に報告しシステム利用者登録削除の手続きを"
    "します。\n"
    "⑦ 個人情報については，あらかじめ承諾を得た関係者と情報共有し，部外者に個人情報等が"
    "漏洩することのないよう適正に管理します。\n"
    "⑧ システムの利用に際して知り得た個人情報等については，利用が終了した後においても継続して"
    "部外者に漏洩することのないよう機密性を保持します。\n"
    "⑨ 個人情報等については，目的外に利用はしません。\n"
    "⑩ システムに登録する情報は，正確な内容を入力することに努めます。\n"
    "⑪ システム利用に係る規定を遵守し，これに違反のある場合には，利用申請の却下及び利用停止等"
    "になることに承諾します。\n"
    "⑫ ID の新規発行・削除，事業所情報の変更等の手続きに関しては，事業所管理者又は事業所が"
    "定めるシステム管理者に委任します。"
)
DEFAULT_DEVICES = (
    "■ 端末\n"
    "・タブレット（iPad・Android タブレット）、スマートフォン、パソコン。"
    "端末はシステム利用事業所が用意します（個人所有の端末は原則として使わないでください）。\n"
    "■ OS\n"
    "・iOS / iPadOS 16.4 以降（推奨。ホーム画面に追加すると通知を受け取れます）\n"
    "・Android 10 以降\n"
    "・Windows 10 / 11（推奨）\n"
    "・macOS（基本動作確認済み）\n"
    "■ ウェブブラウザ\n"
    "・Safari（iPhone・iPad・Mac）\n"
    "・Google Chrome\n"
    "・Microsoft Edge\n"
    "※ OS とブラウザは最新の状態にしてお使いください。"
)
DEFAULT_SIGN_IN_NOTE = (
    "パスワードを忘れたとき、ログインできなくなったとき、端末をなくしたときは、"
    "所属事業所のシステム管理担当者か、下の問い合わせ先にご連絡ください。"
    "端末をなくしたときは、すぐにご連絡ください（その端末のデータを消去します）。"
)
DEFAULT_LINKS = (
    HelpLinkOut(
        title="在宅医療・介護連携推進事業（みどり市ホームページ）",
        url="https://www.city.midori.example.jp/zaitaku-renkei/",
    ),
    HelpLinkOut(
        title="医療・介護関係事業者における個人情報の適切な取扱いのためのガイダンス（厚生労働省）",
        url="https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000027272.html",
    ),
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
        public=True,
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
        public=False,
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
        pledge_items=DEFAULT_PLEDGE_ITEMS,
        links=list(DEFAULT_LINKS),
        devices=DEFAULT_DEVICES,
        sign_in_note=DEFAULT_SIGN_IN_NOTE,
        terms=TermsOut(version="", text=""),
    )


async def load_help(session: AsyncSession) -> HelpOut:
    row = await session.get(SystemSetting, HELP_KEY)
    if row is None:
        return _default()
    stored: dict[str, Any] = {
        **msgspec.to_builtins(_default()),
        **{k: v for k, v in dict(row.value).items() if v is not None},
    }
    stored["updatedAt"] = row.updated_at.isoformat()
    return msgspec.convert(stored, HelpOut)


async def public_help(session: AsyncSession) -> PublicHelpOut:
    """The sign-in page's part: the city's note and the contact points it chose to publish."""
    page = await load_help(session)
    return PublicHelpOut(
        city_name=page.city_name,
        sign_in_note=page.sign_in_note,
        contacts=[c for c in page.contacts if c.public],
    )


def _checked_terms(data: HelpIn) -> None:
    terms = data.terms
    if terms is None:
        return
    if bool(terms.version.strip()) != bool(terms.text.strip()):
        raise InvalidInput(
            "利用規約は、版と本文の両方を入力してください（利用規約を使わない場合は両方を空に）。",
            "Give the terms of use both a version and a text (or leave both empty for none).",
            code="terms_incomplete",
        )


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
    """Save the help page in the caller's transaction (the city's editor, `init-city`)."""
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
        """City admins and the operator replace the page; each save is audited with its versions."""
        require_admin(self.ctx)
        _checked_terms(data)
        if data.terms is not None:
            data.terms.version = data.terms.version.strip()
        await begin_write(self.session)
        await store_help(self.session, data, self.ctx.now)
        await record(
            self.session,
            self.ctx,
            "admin.help_updated",
            target_type="setting",
            target_id=HELP_KEY,
            pledgeVersion=data.pledge.version,
            termsVersion=data.terms.version if data.terms else None,
        )
        await self.session.commit()
        return await load_help(self.session)
