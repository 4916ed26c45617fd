"""The six kinds of file a city brings, their columns as the vendor's and the city's ledgers
name them, and the blank templates (docs/import.md describes each column).

A file is recognised by its headers (the kind whose required columns are all
there), so the clerk may keep the vendor's file names; a header may be any of a
column's names. Unknown columns are ignored and listed in the report's notes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .files import Sheet, header_key


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    note: str = ""

    def names(self) -> set[str]:
        return {header_key(n) for n in (self.header, *self.aliases)}


@dataclass(frozen=True)
class FileKind:
    key: str
    title: str  # 事業所, 利用者 … as the template file is named
    columns: tuple[Column, ...]
    # Alternatives: at least one of each group must be present (an office by code or name).
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def template_name(self) -> str:
        return f"{self.title}.csv"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


PATIENT_REF = (
    Column("insured_number", "被保険者番号", ("介護保険被保険者番号", "患者被保険者番号"),
           example="0000012345", note="患者を特定します（なければ患者氏名と患者生年月日）"),
    Column("patient_name", "患者氏名", ("利用者氏名", "患者名"), example="青木 ハナ"),
    Column("patient_birth_date", "患者生年月日", ("利用者生年月日",), example="昭和15年3月12日"),
)
PATIENT_ONE_OF = (("insured_number", "patient_name"),)

OFFICES = FileKind("offices", "事業所", (
    Column("code", "事業所番号", ("事業所コード", "医療機関コード", "事業所No", "事業所NO"),
           example="0110100001", note="再取り込みで同じ事業所を見つける鍵（なければ事業所名）"),
    Column("name", "事業所名", ("事業所・医療機関名", "医療機関名", "名称"), required=True,
           example="みどり訪問看護ステーション"),
    Column("name_kana", "事業所名カナ", ("事業所名フリガナ", "フリガナ"),
           example="ミドリホウモンカンゴステーション"),
    Column("kind", "種別", ("事業所種別", "区分", "サービス種別"), required=True,
           example="訪問看護ステーション", note="診療所、在宅療養支援診療所、病院、歯科診療所、"
           "訪問看護ステーション、居宅介護支援事業所、薬局、訪問介護事業所、通所介護事業所、"
           "地域包括支援センター、市役所、その他"),
    Column("postal_code", "郵便番号", ("〒",), example="000-0101"),
    Column("address", "住所", ("所在地",), example="みどり市本町1-2-3"),
    Column("phone", "電話番号", ("電話", "TEL"), example="012-555-0101"),
    Column("fax", "FAX番号", ("FAX", "ファックス"), example="012-555-0102"),
))

USERS = FileKind("users", "利用者", (
    Column("login_id", "ログインID", ("利用者ID", "ユーザーID", "ID"), example="midori-n001",
           note="あればそのまま使います（なければ cb＋7桁を発行）。再取り込みで同じ人を見つける鍵"),
    Column("name", "氏名", ("名前", "利用者名"), required=True, example="鈴木 真理子"),
    Column("name_kana", "フリガナ", ("氏名カナ", "カナ", "ふりがな", "氏名フリガナ"),
           required=True, example="スズキ マリコ"),
    Column("job_type", "職種", (), required=True, example="看護師",
           note="医師、歯科医師、薬剤師、看護師、保健師、理学療法士、作業療法士、言語聴覚士、"
           "介護支援専門員、介護福祉士、訪問介護員、医療ソーシャルワーカー、管理栄養士、"
           "歯科衛生士、その他"),
    Column("office_code", "事業所番号", ("事業所コード", "所属事業所番号"), example="0110100001"),
    Column("office_name", "事業所名", ("所属事業所", "所属", "所属事業所名"),
           example="みどり訪問看護ステーション", note="事業所番号か事業所名のどちらかが必要"),
    Column("role", "権限", ("役割", "利用者区分"), example="システム利用者",
           note="システム利用者（空欄も同じ）またはシステム管理担当者"),
    Column("email", "メールアドレス", ("メール", "E-mail", "Eメール"),
           example="suzuki@example.jp",
           note="利用開始の案内メールの宛先。なければ印刷する通知書で案内"),
    Column("phone", "電話番号", ("電話", "TEL"), example="012-555-0111"),
    Column("visits_homes", "訪問診療・訪問看護", ("訪問", "訪問の有無", "訪問診療", "訪問看護"),
           example="○", note="訪問診療を行う医師・訪問看護を行う看護師に「○」"),
), one_of=(("office_code", "office_name"),))

PATIENTS = FileKind("patients", "患者", (
    Column("insured_number", "被保険者番号", ("介護保険被保険者番号",), example="0000012345",
           note="10桁。再取り込みで同じ患者を見つける鍵（なければ氏名と生年月日）"),
    Column("name", "氏名", ("患者氏名", "利用者氏名"), required=True, example="青木 ハナ"),
    Column("name_kana", "フリガナ", ("氏名カナ", "カナ", "ふりがな"), required=True,
           example="アオキ ハナ"),
    Column("birth_date", "生年月日", (), required=True, example="昭和15年3月12日",
           note="西暦（1940/3/12）でも和暦（昭和15年3月12日、S15.3.12）でも"),
    Column("sex", "性別", (), required=True, example="女", note="男、女、その他"),
    Column("care_level", "要介護度", ("介護度", "要介護状態区分"), required=True,
           example="要介護3", note="なし、申請中、要支援1・2、要介護1〜5"),
    Column("postal_code", "郵便番号", ("〒",), example="000-0120"),
    Column("address", "住所", (), required=True, example="みどり市若葉町3丁目2番1号"),
    Column("phone", "電話番号", ("電話", "TEL"), example="012-555-0120"),
    Column("attending_physician", "主治医", ("主治医氏名", "かかりつけ医"), example="髙橋 誠"),
    Column("emergency_contact_name", "緊急連絡先氏名", ("緊急連絡先",), example="青木 一郎"),
    Column("emergency_contact_relationship", "緊急連絡先続柄", (), example="長男"),
    Column("emergency_contact_phone", "緊急連絡先電話番号", ("緊急連絡先電話",),
           example="090-5555-0120"),
))

ROOMS = FileKind("rooms", "部屋", (
    *PATIENT_REF,
    Column("label", "通知用の表示名", ("部屋名", "ラベル", "通知ラベル"), example="若葉町A",
           note="ロック画面の通知に出る名前。患者の氏名は使えません"),
    Column("consent_date", "同意日", ("同意年月日", "情報共有同意日"), required=True,
           example="2026/11/1", note="情報共有同意書（様式5）の日付"),
    Column("signed_by", "同意者", ("署名者",), example="代理人",
           note="本人（空欄も同じ）または代理人"),
    Column("proxy_name", "代理人氏名", (), example="青木 一郎"),
    Column("proxy_relationship", "代理人続柄", ("続柄",), example="長男"),
    Column("explained_by", "説明者", ("説明者氏名",), required=True, example="佐藤 美香"),
    Column("explainer_office", "説明者の事業所名", ("説明者事業所",),
           example="みどりケアプランセンター"),
    Column("titles", "ケアレポート標題", ("標題",), example="連絡事項、バイタル、訪問看護記録",
           note="「、」区切り。空欄なら市の標準の標題"),
), one_of=PATIENT_ONE_OF)

MEMBERS = FileKind("members", "部屋参加者", (
    *PATIENT_REF,
    Column("login_id", "ログインID", ("利用者ID", "ユーザーID"), example="midori-n001",
           note="参加者を特定します（なければ氏名と事業所）"),
    Column("name", "氏名", ("参加者氏名", "利用者氏名"), example="鈴木 真理子"),
    Column("office", "事業所", ("事業所名", "事業所番号", "所属事業所"),
           example="みどり訪問看護ステーション"),
    Column("permission", "閲覧権限", ("権限",), example="書込",
           note="書込（空欄も同じ）または閲覧"),
), one_of=(*PATIENT_ONE_OF, ("login_id", "name")))

HISTORY = FileKind("history", "連絡帳", (
    *PATIENT_REF,
    Column("record_id", "記録ID", ("投稿ID", "No", "NO", "番号"), example="A-000123",
           note="前のシステムでの記録の番号。再取り込みで同じ記録を見つける鍵"),
    Column("reply_to", "返信先記録ID", ("コメント先記録ID", "親記録ID"), example="",
           note="コメントのときに、元の記録の記録ID"),
    Column("at", "日時", ("記録日時", "投稿日時", "作成日時"), required=True,
           example="2026/11/20 9:30"),
    Column("author_login_id", "投稿者ログインID", ("記録者ログインID", "投稿者ID", "記録者ID"),
           example="midori-n001", note="なければ投稿者氏名と投稿者事業所"),
    Column("author_name", "投稿者氏名", ("記録者", "記録者氏名", "投稿者"), example="鈴木 真理子"),
    Column("author_office", "投稿者事業所", ("記録者事業所",),
           example="みどり訪問看護ステーション"),
    Column("title", "ケアレポート標題", ("標題", "区分"), example="訪問看護記録",
           note="その部屋の標題のひとつ（コメントでは空欄）"),
    Column("body", "本文", ("内容", "記録内容", "コメント"), required=True,
           example="訪問時バイタル安定。"),
    Column("systolic", "血圧（上）", ("収縮期血圧", "最高血圧", "血圧上"), example="128"),
    Column("diastolic", "血圧（下）", ("拡張期血圧", "最低血圧", "血圧下"), example="76"),
    Column("pulse", "脈拍", ("脈拍数", "心拍数"), example="72"),
    Column("temperature", "体温", (), example="36.6"),
    Column("spo2", "SpO2", ("酸素飽和度", "SPO2"), example="97"),
    Column("respiration_rate", "呼吸数", (), example="16"),
    Column("weight", "体重", (), example="48.5"),
    Column("blood_glucose", "血糖", ("血糖値",), example="112"),
), one_of=(*PATIENT_ONE_OF, ("author_login_id", "author_name")))

KINDS: tuple[FileKind, ...] = (OFFICES, USERS, PATIENTS, ROOMS, MEMBERS, HISTORY)


@dataclass(frozen=True)
class Mapped:
    """A sheet read as a kind: for each column key, the index of its cell (or None)."""

    kind: FileKind
    index: dict[str, int]
    ignored: list[str]

    def get(self, cells: list[str], key: str) -> str:
        at = self.index.get(key)
        return cells[at] if at is not None and at < len(cells) else ""

    def header(self, key: str) -> str:
        return self.kind.column(key).header


def _match(kind: FileKind, headers: list[str]) -> Mapped | None:
    keys = [header_key(h) for h in headers]
    index: dict[str, int] = {}
    for column in kind.columns:
        names = column.names()
        for at, key in enumerate(keys):
            if key in names and at not in index.values():
                index[column.key] = at
                break
    if any(c.required and c.key not in index for c in kind.columns):
        return None
    if any(not any(k in index for k in group) for group in kind.one_of):
        return None
    ignored = [h for at, h in enumerate(headers) if h and at not in index.values()]
    return Mapped(kind, index, ignored)


def recognise(sheet: Sheet) -> Mapped | None:
    """The kind whose columns the sheet has (the one matching most columns wins)."""
    found = [m for m in (_match(kind, sheet.headers) for kind in KINDS) if m is not None]
    if not found:
        return None
    return max(found, key=lambda m: (len(m.index), -len(m.ignored)))


def missing_columns(sheet: Sheet) -> tuple[FileKind, list[str]]:
    """For an unrecognised sheet: the kind it resembles most and the columns it lacks."""
    keys = {header_key(h) for h in sheet.headers}

    def score(kind: FileKind) -> int:
        return sum(1 for c in kind.columns if c.names() & keys)

    kind = max(KINDS, key=score)
    lacking = [c.header for c in kind.columns if c.required and not (c.names() & keys)]
    for group in kind.one_of:
        if not any(kind.column(k).names() & keys for k in group):
            lacking.append("または".join(kind.column(k).header for k in group))
    return kind, lacking


def template_csv(kind: FileKind) -> bytes:
    """A blank template: the header row only, UTF-8 with BOM so that Excel opens it right."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([c.header for c in kind.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
