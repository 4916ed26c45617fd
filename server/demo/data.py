"""The demo content as plain data: みどり市 (a fictional city), its offices, staff and patients.

Every person, office, address and phone number here is invented. Phone numbers
use the fictional 012-555-01XX range, postal codes the 000-01XX range. Times
are given relative to "now" (days ago + a JST wall-clock time) so that the
contact book always looks recent; the loader turns them into tz-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

from store.models.enums import (
    CareLevel,
    JobType,
    OfficeKind,
    Permission,
    PostKind,
    Role,
    Sex,
)

DEMO_PASSWORD: Final = "carebook-demo-2026"
DEMO_TOTP_SECRET: Final = "CAREBOOKDEMOSECRETTOTPJBSWY3DPEH"
PLEDGE_VERSION: Final = "2024-04"
EMAIL_DOMAIN: Final = "example.jp"

# The keys (and units) a vitals post may carry.
VITALS_KEYS: Final = (
    "systolic",  # mmHg
    "diastolic",  # mmHg
    "pulse",  # /min
    "temperature",  # °C, one decimal
    "spo2",  # %
    "respirationRate",  # /min
    "weight",  # kg
    "bloodGlucose",  # mg/dL
)


@dataclass(frozen=True)
class At:
    """A moment relative to now: `days_ago` calendar days before today (JST), at hour:minute JST."""

    days_ago: int
    hour: int
    minute: int = 0


@dataclass(frozen=True)
class OfficeSpec:
    key: str
    kind: OfficeKind
    name: str
    name_kana: str
    postal_code: str
    address: str
    phone: str
    fax: str
    representative: str  # 代表者: signs the office's pledge (様式4-1)


@dataclass(frozen=True)
class UserSpec:
    login_id: str
    name: str
    name_kana: str
    job_type: JobType
    role: Role
    office_key: str

    @property
    def email(self) -> str:
        return f"{self.login_id}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class ConsentSpec:
    """情報共有同意書 様式5."""

    at: At
    signed_by: Literal["patient", "proxy"]
    explained_by_login: str  # the care manager who explained the system
    proxy_name: str | None = None
    proxy_relationship: str | None = None


@dataclass(frozen=True)
class PatientSpec:
    key: str
    name: str
    name_kana: str
    sex: Sex
    birth_date: date
    care_level: CareLevel
    postal_code: str
    address: str
    phone: str
    insured_number: str  # 介護保険被保険者番号 (invented)
    consent: ConsentSpec


@dataclass(frozen=True)
class RoomSpec:
    patient_key: str
    opened: At
    members: tuple[tuple[str, Permission], ...]


@dataclass(frozen=True)
class ReportTitleSpec:
    name: str
    description: str
    vitals: bool = False


@dataclass(frozen=True)
class CommentSpec:
    author: str
    minutes_after: int
    body: str


@dataclass(frozen=True)
class PostSpec:
    room: str  # the patient key
    at: At
    author: str
    title: str
    body: str
    vitals: dict[str, int | float] | None = None
    urgent: bool = False
    kind: PostKind = PostKind.normal
    closing_reason: str | None = None
    comments: tuple[CommentSpec, ...] = field(default=())


@dataclass(frozen=True)
class MedicationSpec:
    """A line of the patient's 服薬・アレルギー, entered by `author` (the room's pharmacist,
    doctor or nurse) at `at`; as in the app, a post under 服薬 tells the team."""

    room: str  # the patient key
    at: At
    author: str
    kind: str  # "drug" | "allergy"
    name: str
    dose: str = ""
    timing: str = ""
    reaction: str = ""
    started: At | None = None  # 開始日: that day in Japan
    note: str = ""


@dataclass(frozen=True)
class ReceiptSpec:
    """`reader` has read `room` up to whatever was there at `at`."""

    room: str
    reader: str
    at: At


def vitals(
    *,
    systolic: int | None = None,
    diastolic: int | None = None,
    pulse: int | None = None,
    temperature: float | None = None,
    spo2: int | None = None,
    respiration_rate: int | None = None,
    weight: float | None = None,
    blood_glucose: int | None = None,
) -> dict[str, int | float]:
    """A vitals dict with the wire keys; absent measurements are left out."""
    values: dict[str, int | float | None] = {
        "systolic": systolic,
        "diastolic": diastolic,
        "pulse": pulse,
        "temperature": None if temperature is None else round(temperature, 1),
        "spo2": spo2,
        "respirationRate": respiration_rate,
        "weight": weight,
        "bloodGlucose": blood_glucose,
    }
    return {k: v for k, v in values.items() if v is not None}


# ---------------------------------------------------------------------------
# Offices (事業所 / 医療機関)

OFFICES: Final[tuple[OfficeSpec, ...]] = (
    OfficeSpec(
        key="city",
        kind=OfficeKind.city_office,
        name="みどり市役所 高齢福祉課",
        name_kana="ミドリシヤクショ コウレイフクシカ",
        postal_code="000-0100",
        address="みどり市中央1丁目1番1号",
        phone="012-555-0100",
        fax="012-555-0190",
        representative="みどり市長 緑川 一郎",
    ),
    OfficeSpec(
        key="home_clinic",
        kind=OfficeKind.home_visit_clinic,
        name="みどり在宅クリニック",
        name_kana="ミドリザイタククリニック",
        postal_code="000-0101",
        address="みどり市本町2丁目4番8号",
        phone="012-555-0101",
        fax="012-555-0181",
        representative="院長 高橋 誠",
    ),
    OfficeSpec(
        key="clinic",
        kind=OfficeKind.clinic,
        name="さくら台皮膚科クリニック",
        name_kana="サクラダイヒフカクリニック",
        postal_code="000-0102",
        address="みどり市さくら台3丁目14番5号 さくら台メディカルビル2階",
        phone="012-555-0102",
        fax="012-555-0182",
        representative="院長 中村 健一",
    ),
    OfficeSpec(
        key="hospital",
        kind=OfficeKind.hospital,
        name="みどり市民病院 地域医療連携室",
        name_kana="ミドリシミンビョウイン チイキイリョウレンケイシツ",
        postal_code="000-0103",
        address="みどり市青葉町5丁目1番1号",
        phone="012-555-0103",
        fax="012-555-0183",
        representative="病院長 岡田 浩",
    ),
    OfficeSpec(
        key="dental",
        kind=OfficeKind.dental_clinic,
        name="ひばり歯科医院",
        name_kana="ヒバリシカイイン",
        postal_code="000-0104",
        address="みどり市ひばりが丘1丁目9番3号",
        phone="012-555-0104",
        fax="012-555-0184",
        representative="院長 小林 直樹",
    ),
    OfficeSpec(
        key="nurse_station",
        kind=OfficeKind.visiting_nurse_station,
        name="みどり訪問看護ステーション",
        name_kana="ミドリホウモンカンゴステーション",
        postal_code="000-0105",
        address="みどり市若葉町1丁目6番2号",
        phone="012-555-0105",
        fax="012-555-0185",
        representative="管理者 田中 恵子",
    ),
    OfficeSpec(
        key="care_plan",
        kind=OfficeKind.care_management_office,
        name="みどりケアプランセンター",
        name_kana="ミドリケアプランセンター",
        postal_code="000-0106",
        address="みどり市本町4丁目2番15号",
        phone="012-555-0106",
        fax="012-555-0186",
        representative="管理者 木村 祐介",
    ),
    OfficeSpec(
        key="pharmacy",
        kind=OfficeKind.pharmacy,
        name="ひまわり薬局 みどり中央店",
        name_kana="ヒマワリヤッキョク ミドリチュウオウテン",
        postal_code="000-0107",
        address="みどり市中央3丁目7番10号",
        phone="012-555-0107",
        fax="012-555-0187",
        representative="代表取締役 大野 正樹",
    ),
    OfficeSpec(
        key="home_help",
        kind=OfficeKind.home_help_office,
        name="ヘルパーステーションあおぞら",
        name_kana="ヘルパーステーションアオゾラ",
        postal_code="000-0108",
        address="みどり市東みどり2丁目11番4号",
        phone="012-555-0108",
        fax="012-555-0188",
        representative="管理者 井上 節子",
    ),
    OfficeSpec(
        key="support_center",
        kind=OfficeKind.community_support_center,
        name="みどり市北部地域包括支援センター",
        name_kana="ミドリシホクブチイキホウカツシエンセンター",
        postal_code="000-0109",
        address="みどり市北町1丁目3番20号 北部市民センター内",
        phone="012-555-0109",
        fax="012-555-0189",
        representative="センター長 斎藤 直子",
    ),
    OfficeSpec(
        key="equipment",
        kind=OfficeKind.other,
        name="みどり福祉用具サービス",
        name_kana="ミドリフクシヨウグサービス",
        postal_code="000-0110",
        address="みどり市工業団地2番地12",
        phone="012-555-0110",
        fax="012-555-0170",
        representative="代表 長谷川 亮",
    ),
)


# ---------------------------------------------------------------------------
# Users (システム利用者): at least one per job type

USERS: Final[tuple[UserSpec, ...]] = (
    UserSpec("demo-doctor", "高橋 誠", "タカハシ マコト",
             JobType.doctor, Role.member, "home_clinic"),
    UserSpec("demo-clinic-doctor", "中村 健一", "ナカムラ ケンイチ",
             JobType.doctor, Role.member, "clinic"),
    UserSpec("demo-dentist", "小林 直樹", "コバヤシ ナオキ",
             JobType.dentist, Role.member, "dental"),
    UserSpec("demo-pharmacist", "山口 由美", "ヤマグチ ユミ",
             JobType.pharmacist, Role.member, "pharmacy"),
    UserSpec("demo-nurse", "鈴木 真理子", "スズキ マリコ",
             JobType.nurse, Role.member, "nurse_station"),
    UserSpec("demo-officeadmin", "田中 恵子", "タナカ ケイコ",
             JobType.nurse, Role.office_admin, "nurse_station"),
    UserSpec("demo-phn", "斎藤 直子", "サイトウ ナオコ",
             JobType.public_health_nurse, Role.member, "support_center"),
    UserSpec("demo-pt", "伊藤 翔太", "イトウ ショウタ",
             JobType.physical_therapist, Role.member, "nurse_station"),
    UserSpec("demo-ot", "渡辺 彩", "ワタナベ アヤ",
             JobType.occupational_therapist, Role.member, "nurse_station"),
    UserSpec("demo-st", "加藤 優子", "カトウ ユウコ",
             JobType.speech_therapist, Role.member, "hospital"),
    UserSpec("demo-caremanager", "佐藤 美香", "サトウ ミカ",
             JobType.care_manager, Role.member, "care_plan"),
    UserSpec("demo-careworker", "井上 節子", "イノウエ セツコ",
             JobType.certified_care_worker, Role.member, "home_help"),
    UserSpec("demo-helper", "松田 久美子", "マツダ クミコ",
             JobType.home_helper, Role.member, "home_help"),
    UserSpec("demo-msw", "清水 拓也", "シミズ タクヤ",
             JobType.medical_social_worker, Role.member, "hospital"),
    UserSpec("demo-dietitian", "森 由香里", "モリ ユカリ",
             JobType.dietitian, Role.member, "home_clinic"),
    UserSpec("demo-hygienist", "林 さやか", "ハヤシ サヤカ",
             JobType.dental_hygienist, Role.member, "dental"),
    UserSpec("demo-equipment", "長谷川 亮", "ハセガワ リョウ",
             JobType.other, Role.member, "equipment"),
    UserSpec("demo-admin", "森田 和夫", "モリタ カズオ",
             JobType.city_staff, Role.municipal_admin, "city"),
)

ADMIN_LOGIN: Final = "demo-admin"


# ---------------------------------------------------------------------------
# Patients (患者・利用者) with their consent (様式5)

AOKI: Final = "aoki"
ISHIKAWA: Final = "ishikawa"
YAMAMOTO: Final = "yamamoto"

PATIENTS: Final[tuple[PatientSpec, ...]] = (
    PatientSpec(
        key=AOKI,
        name="青木 ハナ",
        name_kana="アオキ ハナ",
        sex=Sex.female,
        birth_date=date(1930, 4, 12),  # 昭和5年
        care_level=CareLevel.care_4,
        postal_code="000-0121",
        address="みどり市ひばりが丘4丁目7番12号",
        phone="012-555-0121",
        insured_number="0000123401",
        consent=ConsentSpec(
            at=At(45, 14, 0),
            signed_by="proxy",
            proxy_name="青木 由紀子",
            proxy_relationship="長女",
            explained_by_login="demo-caremanager",
        ),
    ),
    PatientSpec(
        key=ISHIKAWA,
        name="石川 茂",
        name_kana="イシカワ シゲル",
        sex=Sex.male,
        birth_date=date(1926, 8, 3),  # 大正15年
        care_level=CareLevel.care_3,
        postal_code="000-0122",
        address="みどり市若葉町2丁目3番8号",
        phone="012-555-0122",
        insured_number="0000123402",
        consent=ConsentSpec(
            at=At(90, 10, 30),
            signed_by="patient",
            explained_by_login="demo-caremanager",
        ),
    ),
    PatientSpec(
        key=YAMAMOTO,
        name="山本 キヨ",
        name_kana="ヤマモト キヨ",
        sex=Sex.female,
        birth_date=date(1933, 11, 5),  # 昭和8年
        care_level=CareLevel.care_2,
        postal_code="000-0123",
        address="みどり市東みどり1丁目15番2号 みどりハイツ203",
        phone="012-555-0123",
        insured_number="0000123403",
        consent=ConsentSpec(
            at=At(15, 15, 0),
            signed_by="proxy",
            proxy_name="山本 浩二",
            proxy_relationship="長男",
            explained_by_login="demo-caremanager",
        ),
    ),
)


# ---------------------------------------------------------------------------
# Rooms (部屋) and their members (閲覧権限)

W = Permission.write
R = Permission.read

ROOMS: Final[tuple[RoomSpec, ...]] = (
    RoomSpec(
        patient_key=AOKI,
        opened=At(42, 11, 0),
        members=(
            ("demo-nurse", W),
            ("demo-doctor", W),
            ("demo-caremanager", W),
            ("demo-pharmacist", W),
            ("demo-clinic-doctor", W),
            ("demo-careworker", W),
            ("demo-helper", W),
            ("demo-dietitian", R),
        ),
    ),
    RoomSpec(
        patient_key=ISHIKAWA,
        opened=At(85, 11, 0),
        members=(
            ("demo-nurse", W),
            ("demo-doctor", W),
            ("demo-caremanager", W),
            ("demo-pt", W),
            ("demo-ot", W),
            ("demo-helper", W),
            ("demo-equipment", W),
            ("demo-phn", R),
        ),
    ),
    RoomSpec(
        patient_key=YAMAMOTO,
        opened=At(13, 9, 30),
        members=(
            ("demo-nurse", W),
            ("demo-doctor", W),
            ("demo-caremanager", W),
            ("demo-msw", W),
            ("demo-st", W),
            ("demo-dietitian", W),
            ("demo-dentist", W),
            ("demo-hygienist", W),
        ),
    ),
)


# ---------------------------------------------------------------------------
# ケアレポート標題: the same set in every demo room

VISIT = "訪問看護記録"
VITALS = "バイタル"
MEDS = "服薬"
WOUND = "褥瘡・創傷"
REHAB = "リハビリ"
NOTICE = "連絡事項"
DISCHARGE = "退院調整"

REPORT_TITLES: Final[tuple[ReportTitleSpec, ...]] = (
    ReportTitleSpec(VISIT, "訪問看護の実施内容・観察・ケア"),
    ReportTitleSpec(VITALS, "血圧・脈拍・体温・SpO2・呼吸数・体重・血糖", vitals=True),
    ReportTitleSpec(MEDS, "処方変更・服薬状況・残薬・副作用"),
    ReportTitleSpec(WOUND, "褥瘡・創傷の評価（DESIGN-R®2020）と処置"),
    ReportTitleSpec(REHAB, "訪問リハビリの内容・ADL・福祉用具"),
    ReportTitleSpec(NOTICE, "サービス調整・家族の状況・その他の連絡"),
    ReportTitleSpec(DISCHARGE, "入退院時の情報共有・退院前カンファレンス"),
)


# ---------------------------------------------------------------------------
# The contact book (連絡帳): two weeks of posts, oldest first within each room

POSTS: Final[tuple[PostSpec, ...]] = (
    # ---- 青木 ハナ 様: 仙骨部褥瘡, 高血圧 (アムロジピン増量), 長女と同居 ----
    PostSpec(
        AOKI, At(13, 9, 40), "demo-nurse", VITALS,
        "訪問時バイタル。血圧やや高め。食事摂取は8割程度、水分は1日約1000mL。"
        "本人より「お尻が少しヒリヒリする」との訴えあり。",
        vitals=vitals(systolic=158, diastolic=88, pulse=76, temperature=36.4, spo2=96,
                      respiration_rate=16),
    ),
    PostSpec(
        AOKI, At(13, 10, 5), "demo-nurse", WOUND,
        "仙骨部褥瘡の処置を実施しました。\n"
        "DESIGN-R®2020：D3-e3s6i0G4N3p0　16点\n"
        "大きさ 4.5×4.0cm、創底に黄色の柔らかい壊死組織が一部残存。周囲の発赤なし、"
        "ポケットなし、滲出液は中等量。\n"
        "微温湯で洗浄後、ゲーベンクリーム塗布、ガーゼ保護。"
        "体位変換は2時間ごと、30度側臥位を継続するよう長女様に再度説明しました。",
        comments=(
            CommentSpec("demo-doctor", 95,
                        "ご報告ありがとうございます。明日の往診時に壊死組織のデブリードマンを行います。"),
            CommentSpec("demo-clinic-doctor", 240,
                        "皮膚科の中村です。壊死組織除去後の外用剤について、必要があればご相談ください。"),
        ),
    ),
    PostSpec(
        AOKI, At(12, 14, 0), "demo-doctor", WOUND,
        "往診。仙骨部の黄色壊死組織を剪刀でデブリードマンしました。出血は少量で圧迫止血。"
        "本日から外用剤をユーパスタコーワ軟膏に変更します。1日1回の交換をお願いします。"
        "発熱・創周囲の発赤や熱感が出たら連絡してください。",
    ),
    PostSpec(
        AOKI, At(12, 16, 30), "demo-helper", NOTICE,
        "夕方の訪問介護（おむつ交換・陰部洗浄）に入りました。"
        "仙骨部のガーゼのずれなし、外側への滲み出しはわずかでした。"
        "夕食はおかゆを7割ほど召し上がりました。",
    ),
    PostSpec(
        AOKI, At(11, 10, 0), "demo-nurse", VITALS,
        "血圧高値が続いています。頭痛・めまい・胸部症状の訴えはありません。"
        "長女様の家庭血圧記録でも朝 150〜165/85〜92 mmHg。高橋先生、ご確認をお願いします。",
        vitals=vitals(systolic=162, diastolic=90, pulse=78, temperature=36.6, spo2=97),
    ),
    PostSpec(
        AOKI, At(11, 17, 20), "demo-doctor", MEDS,
        "血圧高値が持続しているため、アムロジピンを増量します。\n"
        "変更前：アムロジピン錠2.5mg 1錠 朝食後\n"
        "変更後：アムロジピン錠5mg 1錠 朝食後\n"
        "本日、処方箋をひまわり薬局 みどり中央店へFAX済みです。"
        "ふらつき、下腿浮腫、めまいの有無を観察してください。",
        comments=(
            CommentSpec("demo-pharmacist", 40,
                        "承知しました。明日午前に配達し、服薬指導に伺います。"),
            CommentSpec("demo-nurse", 75,
                        "次回訪問で血圧と浮腫を確認し、こちらに記録します。"),
        ),
    ),
    PostSpec(
        AOKI, At(10, 11, 0), "demo-pharmacist", MEDS,
        "居宅療養管理指導で訪問しました。アムロジピン5mgへの変更分をお届けし、"
        "朝食後の一包化を差し替え、お薬カレンダーにセットしました。"
        "旧2.5mg錠の残薬7錠は回収済みです。\n"
        "長女様に増量の目的と、ふらつき・むくみが出たら連絡いただくことを説明しました。"
        "飲み込みは問題なく、服薬は長女様が見守っています。",
        comments=(
            CommentSpec("demo-caremanager", 60,
                        "ありがとうございます。ヘルパーステーションあおぞらにも変更を伝えました。"),
        ),
    ),
    PostSpec(
        AOKI, At(9, 10, 10), "demo-nurse", WOUND,
        "DESIGN-R®2020：D3-e3s6i0g3n0p0　12点\n"
        "大きさ 4.2×4.0cm。壊死組織は除去され、創底は赤色の良性肉芽が6割程度。"
        "滲出液は中等量、臭気なし。ユーパスタコーワ軟膏を継続しています。",
    ),
    PostSpec(
        AOKI, At(9, 15, 0), "demo-clinic-doctor", WOUND,
        "記録を拝見しました。肉芽の状態は良好です。"
        "滲出液が少なくなってきたら、ポリウレタンフォームドレッシングへの切り替えもご検討ください。",
    ),
    PostSpec(
        AOKI, At(8, 13, 30), "demo-caremanager", NOTICE,
        "福祉用具の変更のお知らせです。エアマットレスを静止型から"
        "圧切替型（高機能タイプ）に変更し、本日納品されました。"
        "体位変換の方法は変わりませんが、設定は「やわらかめ」にしています。",
    ),
    PostSpec(
        AOKI, At(7, 10, 0), "demo-nurse", VITALS,
        "アムロジピン増量後3日目。血圧はやや低下傾向です。ふらつき・下腿浮腫ともになし。"
        "体重は前月比 -0.4kg。",
        vitals=vitals(systolic=146, diastolic=82, pulse=72, temperature=36.5, spo2=97,
                      weight=38.6),
    ),
    PostSpec(
        AOKI, At(7, 16, 0), "demo-careworker", NOTICE,
        "サービス提供責任者の井上です。来週からヘルパーの訪問を1日2回（朝・夕）に増やします。"
        "おむつ交換時の体位（30度側臥位・仙骨部に圧をかけない）を看護師さんの指示どおり"
        "手順書に反映し、ヘルパー全員に周知しました。",
    ),
    PostSpec(
        AOKI, At(6, 10, 20), "demo-nurse", WOUND,
        "DESIGN-R®2020：D3-e1s3i0g3n0p0　7点\n"
        "大きさ 3.8×3.0cm に縮小。滲出液は少量、肉芽は赤色で良好。周囲皮膚の浸軟なし。"
        "中村先生のご助言のとおり、本日からポリウレタンフォームドレッシングに変更し、"
        "交換は3日ごとにしました。",
    ),
    PostSpec(
        AOKI, At(5, 11, 0), "demo-pharmacist", MEDS,
        "アムロジピン増量から約1週間のフォローとして長女様へ電話で確認しました。"
        "家庭血圧 朝 138〜145/78〜84 mmHg。ふらつき・むくみなし。"
        "残薬なく、服薬状況は良好です。",
    ),
    PostSpec(
        AOKI, At(4, 10, 0), "demo-nurse", VITALS,
        "血圧は安定してきました。食事摂取8割、水分1100mL。",
        vitals=vitals(systolic=138, diastolic=78, pulse=70, temperature=36.3, spo2=97,
                      respiration_rate=16),
    ),
    PostSpec(
        AOKI, At(3, 14, 0), "demo-doctor", NOTICE,
        "往診しました。血圧は安定しています。採血結果で血清アルブミン 3.0 g/dL と低めのため、"
        "褥瘡治癒の促進を目的に栄養補助食品（エンシュア・H 1日1本）を追加処方しました。"
        "森管理栄養士から後日、飲み方の工夫をお伝えします。",
        comments=(
            CommentSpec("demo-helper", 150,
                        "夕方の訪問時に冷やしてお出しするようにします。"),
        ),
    ),
    PostSpec(
        AOKI, At(2, 10, 15), "demo-nurse", WOUND,
        "DESIGN-R®2020：D3-e1s3i0g1n0p0　5点\n"
        "大きさ 2.5×2.0cm。良性肉芽が創面の9割以上を占め、創縁から上皮化が始まっています。"
        "フォームドレッシングを継続。順調に改善しています。",
        comments=(
            CommentSpec("demo-caremanager", 120,
                        "改善していて何よりです。長女様にもお伝えしたところ、安心されていました。"),
        ),
    ),
    PostSpec(
        AOKI, At(1, 16, 0), "demo-helper", NOTICE,
        "夕方の訪問です。エンシュア・Hは半分ほど飲めました（残りは明朝に）。"
        "おむつ交換時、仙骨部のドレッシングのはがれはありませんでした。",
    ),
    # ---- 石川 茂 様: パーキンソン病, 妻と二人暮らし (老老介護), 施設入所へ ----
    PostSpec(
        ISHIKAWA, At(13, 11, 0), "demo-pt", REHAB,
        "訪問リハビリ。屋内を歩行器で10m×2往復。すくみ足あり、方向転換時にふらつきがみられます。"
        "立ち上がり練習 10回×2セット、下肢筋力訓練を実施。"
        "「トイレに行くときが一番怖い」との訴えがありました。",
    ),
    PostSpec(
        ISHIKAWA, At(12, 10, 0), "demo-nurse", VITALS,
        "服薬後のオンの時間帯に訪問。振戦は軽度、表情はやや乏しいものの会話は良好です。"
        "排便は2日に1回、酸化マグネシウムで調整できています。",
        vitals=vitals(systolic=124, diastolic=70, pulse=68, temperature=36.2, spo2=96),
    ),
    PostSpec(
        ISHIKAWA, At(11, 15, 0), "demo-ot", REHAB,
        "トイレ動作を確認しました。便座からの立ち上がりに軽介助が必要で、"
        "夜間は奥様の介助が負担になっています。据置型トイレ手すりの導入を提案しました。",
        comments=(
            CommentSpec("demo-caremanager", 90,
                        "福祉用具の長谷川さんに連絡し、明後日に設置していただく予定です。"),
        ),
    ),
    PostSpec(
        ISHIKAWA, At(10, 14, 30), "demo-caremanager", NOTICE,
        "奥様（トミ様）が腰痛のため整形外科へ通院を始められました。"
        "介護負担が大きくなってきており、ショートステイの利用を検討しています。",
    ),
    PostSpec(
        ISHIKAWA, At(9, 11, 0), "demo-pt", REHAB,
        "歩行器歩行の際、声かけ（「いち、に」）でリズムをとると、すくみ足が軽減します。"
        "ヘルパーさん・奥様にも同じ声かけをお願いしたいです。",
    ),
    PostSpec(
        ISHIKAWA, At(9, 16, 30), "demo-equipment", NOTICE,
        "トイレ用据置型手すりを設置しました（レンタル開始）。"
        "ご本人に立ち上がりを試していただき、高さを調整済みです。",
    ),
    PostSpec(
        ISHIKAWA, At(8, 9, 30), "demo-nurse", VISIT,
        "【転倒】昨夜2時頃、トイレに行こうとしてベッドから床へずり落ちたとのこと。"
        "奥様一人では起こせず、隣家の方の助けでベッドに戻られています。"
        "頭部打撲なし、外傷なし、痛みの訴えなし。意識清明。",
        urgent=True,
        comments=(
            CommentSpec("demo-doctor", 30,
                        "頭部打撲がなければ経過観察とします。"
                        "嘔気や意識の変化、痛みの増強があればすぐ連絡をください。"),
            CommentSpec("demo-caremanager", 45,
                        "本日午後にご自宅へ伺い、夜間の状況とご家族の意向を確認します。"),
        ),
    ),
    PostSpec(
        ISHIKAWA, At(8, 16, 0), "demo-caremanager", NOTICE,
        "ご本人・奥様・長男様と面談しました。奥様の体調もあり、"
        "ご家族で話し合った結果、特別養護老人ホームへの入所を申し込む方向となりました。"
        "入所までの間、夜間はポータブルトイレを使用します。",
    ),
    PostSpec(
        ISHIKAWA, At(7, 10, 0), "demo-helper", NOTICE,
        "朝の訪問でポータブルトイレの使用状況を確認しました。"
        "昨夜は2回使用、奥様が見守りで対応できたとのことです。",
    ),
    PostSpec(
        ISHIKAWA, At(6, 10, 0), "demo-nurse", VITALS,
        "ウェアリングオフの時間帯（服薬前）に動きにくさが強くなっています。"
        "体重は前月比 -1.2kg、食事に時間がかかるようになっています。",
        vitals=vitals(systolic=118, diastolic=66, pulse=72, temperature=36.4, spo2=95,
                      weight=52.4),
    ),
    PostSpec(
        ISHIKAWA, At(6, 14, 0), "demo-doctor", MEDS,
        "ウェアリングオフ対策として、レボドパ・カルビドパ配合錠100mgを"
        "1日3回（毎食後）から1日4回（7時・11時・15時・19時）に変更します。"
        "ジスキネジアや幻覚が出ていないか観察をお願いします。",
        comments=(
            CommentSpec("demo-nurse", 120,
                        "お薬カレンダーを4回分に組み直し、奥様に服薬時間を説明しました。"),
        ),
    ),
    PostSpec(
        ISHIKAWA, At(5, 11, 0), "demo-ot", REHAB,
        "服薬時間変更後、日中の動きはよくなっています。"
        "食事動作では太柄スプーンと滑り止めマットを導入し、自力摂取の時間が短縮しました。",
    ),
    PostSpec(
        ISHIKAWA, At(4, 15, 30), "demo-caremanager", NOTICE,
        "特別養護老人ホーム みどりの郷から入所可能との連絡がありました。"
        "入所日は3日後の予定です。各事業所の皆さまには、最終訪問日の調整をお願いします。",
    ),
    PostSpec(
        ISHIKAWA, At(3, 11, 0), "demo-pt", REHAB,
        "最終の訪問リハビリでした。歩行器歩行は見守りで15m可能。"
        "声かけによる歩行のコツ、立ち上がり時の介助方法を施設向けの申し送り書にまとめ、"
        "ケアマネジャーへお渡ししました。",
    ),
    PostSpec(
        ISHIKAWA, At(2, 10, 0), "demo-nurse", VISIT,
        "最終訪問。全身状態は安定しています。服薬の一覧・排便コントロールの方法を"
        "看護サマリーにまとめました。入所先へは佐藤ケアマネから送付していただきます。",
    ),
    PostSpec(
        ISHIKAWA, At(1, 14, 0), "demo-caremanager", NOTICE,
        "【部屋終了のお願い】石川 茂様は本日、特別養護老人ホーム みどりの郷へ入所されました。"
        "在宅サービスはすべて終了となりますので、この部屋の終了をお願いいたします。"
        "皆さま、ご協力ありがとうございました。",
        kind=PostKind.closing_request,
        closing_reason="facilityAdmission",
    ),
    # ---- 山本 キヨ 様: 慢性心不全・2型糖尿病, 市民病院から退院, 独居 (長男が近隣) ----
    PostSpec(
        YAMAMOTO, At(13, 15, 0), "demo-msw", DISCHARGE,
        "みどり市民病院 地域医療連携室の清水です。退院前カンファレンスの内容を共有します。\n"
        "・診断：慢性心不全の急性増悪（入院16日間）、2型糖尿病\n"
        "・退院日：明日午前（長男様の送迎）\n"
        "・退院時処方：フロセミド20mg、カルベジロール2.5mg、シタグリプチン50mg\n"
        "・体重目安：退院時 42.0kg。3日で2kg以上増えたら受診\n"
        "・塩分 1日6g未満、水分 1日1000mLまで\n"
        "・退院後の外来：2週間後に循環器内科。以降はみどり在宅クリニックで訪問診療",
        comments=(
            CommentSpec("demo-caremanager", 60,
                        "ありがとうございます。明日の退院に合わせて、"
                        "訪問看護・訪問診療・配食サービスの調整を済ませました。"),
        ),
    ),
    PostSpec(
        YAMAMOTO, At(12, 14, 30), "demo-nurse", VISIT,
        "退院当日に訪問しました。自宅内は伝い歩きで移動可能。"
        "下腿に軽度の浮腫（圧痕 +）。内服薬は長男様と一緒に確認し、お薬カレンダーにセットしました。"
        "体重計を寝室の近くに置き、毎朝の測定と記録をお願いしました。",
    ),
    PostSpec(
        YAMAMOTO, At(12, 14, 45), "demo-nurse", VITALS,
        "退院当日のバイタルです。",
        vitals=vitals(systolic=132, diastolic=74, pulse=82, temperature=36.5, spo2=95,
                      respiration_rate=18, weight=42.1, blood_glucose=156),
    ),
    PostSpec(
        YAMAMOTO, At(11, 16, 0), "demo-doctor", NOTICE,
        "初回の訪問診療を行いました。心音・呼吸音に大きな異常なし。"
        "退院時処方を継続します。月2回の訪問診療とし、体重増加・息切れ・むくみの悪化時は"
        "夜間でもクリニックへ連絡してください。",
    ),
    PostSpec(
        YAMAMOTO, At(10, 10, 0), "demo-nurse", VITALS,
        "体重は退院時からほぼ横ばい。息切れなし、夜間は枕1つで眠れています。",
        vitals=vitals(systolic=128, diastolic=72, pulse=78, temperature=36.4, spo2=96,
                      weight=42.3, blood_glucose=142),
    ),
    PostSpec(
        YAMAMOTO, At(10, 14, 0), "demo-dietitian", NOTICE,
        "居宅療養管理指導（栄養）で訪問しました。減塩（1日6g未満）と糖質の量について、"
        "長男様と配食サービスの献立を見ながら説明しました。"
        "漬物と佃煮を控え、味噌汁は1日1杯にしていただくことになりました。",
    ),
    PostSpec(
        YAMAMOTO, At(9, 14, 0), "demo-st", REHAB,
        "嚥下機能を評価しました（反復唾液嚥下テスト 2回/30秒）。"
        "水分でむせがみられるため、とろみ（中間のとろみ）を推奨します。"
        "食事は軟菜で、一口量を少なく、ゆっくり召し上がるようお伝えしました。",
    ),
    PostSpec(
        YAMAMOTO, At(8, 10, 30), "demo-dentist", NOTICE,
        "訪問歯科診療。上顎の義歯が合わず、痛みのため外していることが多かったので調整しました。"
        "今週後半から歯科衛生士による口腔ケアを週1回入れます。",
    ),
    PostSpec(
        YAMAMOTO, At(7, 9, 40), "demo-nurse", VITALS,
        "【至急】本日訪問時、体温38.2℃、SpO2 92%、湿性咳嗽あり。呼吸数も増えています。"
        "誤嚥性肺炎の疑いがあります。高橋先生に電話で報告済み、本日往診の予定です。",
        vitals=vitals(systolic=142, diastolic=80, pulse=98, temperature=38.2, spo2=92,
                      respiration_rate=24, blood_glucose=188),
        urgent=True,
        comments=(
            CommentSpec("demo-doctor", 20, "11時に往診します。"),
            CommentSpec("demo-caremanager", 35,
                        "本日の配食は柔らかい献立に変更してもらいました。長男様にも連絡済みです。"),
        ),
    ),
    PostSpec(
        YAMAMOTO, At(7, 12, 30), "demo-doctor", NOTICE,
        "往診しました。右下肺野で湿性ラ音を聴取、誤嚥性肺炎と判断します。"
        "全身状態は保たれているため、在宅で加療します。"
        "アモキシシリン・クラブラン酸を7日分処方。水分はとろみをつけて十分に。"
        "SpO2 90%未満や食事・水分がとれない場合は、みどり市民病院への入院を調整します。",
        urgent=True,
        comments=(
            CommentSpec("demo-msw", 90,
                        "病院側にも情報を伝えておきます。入院が必要な場合はご連絡ください。"),
        ),
    ),
    PostSpec(
        YAMAMOTO, At(6, 10, 0), "demo-nurse", VITALS,
        "抗菌薬内服2日目。解熱傾向、咳は減っています。食事は5割程度。",
        vitals=vitals(temperature=37.6, spo2=94, pulse=88, respiration_rate=20),
    ),
    PostSpec(
        YAMAMOTO, At(5, 10, 0), "demo-nurse", VITALS,
        "解熱しました。体重が前回より0.3kg増加、下腿浮腫は変わりありません。",
        vitals=vitals(systolic=130, diastolic=74, pulse=80, temperature=36.9, spo2=95,
                      weight=42.6, blood_glucose=168),
    ),
    PostSpec(
        YAMAMOTO, At(5, 14, 0), "demo-st", REHAB,
        "肺炎後の嚥下評価。食形態は軟菜・一口大、水分は中間のとろみを継続とします。"
        "食前の嚥下体操（首・肩・口の運動）をご本人と一緒に行いました。",
    ),
    PostSpec(
        YAMAMOTO, At(4, 11, 0), "demo-hygienist", NOTICE,
        "口腔ケアに伺いました。舌苔が多めのため、舌ブラシでの清掃方法を"
        "ご本人と長男様にお伝えしました。義歯の痛みはなくなったとのことです。",
    ),
    PostSpec(
        YAMAMOTO, At(4, 15, 0), "demo-dietitian", NOTICE,
        "食形態の変更に合わせた献立例（軟菜・減塩）を長男様にお渡ししました。"
        "とろみ剤の使い方も確認済みです。",
    ),
    PostSpec(
        YAMAMOTO, At(3, 10, 0), "demo-nurse", VITALS,
        "全身状態は改善しています。体重も退院時の水準に戻りました。",
        vitals=vitals(systolic=128, diastolic=72, pulse=76, temperature=36.5, spo2=96,
                      respiration_rate=16, weight=42.2, blood_glucose=138),
    ),
    PostSpec(
        YAMAMOTO, At(3, 16, 0), "demo-msw", DISCHARGE,
        "退院後10日間の経過を病院の主治医へ報告しました。"
        "来週の循環器内科外来の予約は変更なしです。受診時は長男様が付き添われます。",
    ),
    PostSpec(
        YAMAMOTO, At(2, 15, 0), "demo-caremanager", NOTICE,
        "退院後のサービス担当者会議を行いました。肺炎の再発予防として、"
        "口腔ケア（週1回）・食事時のとろみ・食後30分の座位保持を各事業所で統一します。"
        "ケアプランを修正し、後日お届けします。",
    ),
    PostSpec(
        YAMAMOTO, At(1, 10, 0), "demo-nurse", VISIT,
        "抗菌薬の内服が終了しました。解熱を維持、咳・痰なし、呼吸音清明。"
        "食事は8割摂取できるようになっています。体重 42.2kg で安定。",
    ),
)


# ---------------------------------------------------------------------------
# 服薬・アレルギー: 青木 様's list, entered by the pharmacist after delivering the increased
# amlodipine (see the posts of 10 days ago)

MEDICATIONS: Final[tuple[MedicationSpec, ...]] = (
    MedicationSpec(
        AOKI, At(10, 11, 30), "demo-pharmacist", "drug", "アムロジピン錠5mg",
        dose="1回1錠", timing="1日1回 朝食後", started=At(10, 11, 0),
        note="2.5mgから増量（高橋医師）。一包化・お薬カレンダーで長女様が見守り。"),
    MedicationSpec(
        AOKI, At(10, 11, 32), "demo-pharmacist", "drug", "酸化マグネシウム錠330mg",
        dose="1回1錠", timing="1日2回 朝・夕食後", started=At(40, 11, 0),
        note="便が緩いときは夕の分を休薬。"),
    MedicationSpec(
        AOKI, At(10, 11, 34), "demo-pharmacist", "allergy", "セフェム系抗菌薬",
        reaction="全身の発疹（2019年 入院中）", note="長女様より聴取。"),
)


RECEIPTS: Final[tuple[ReceiptSpec, ...]] = (
    ReceiptSpec(AOKI, "demo-pharmacist", At(5, 12, 0)),
    ReceiptSpec(AOKI, "demo-dietitian", At(3, 18, 0)),
    ReceiptSpec(AOKI, "demo-doctor", At(1, 19, 30)),
    ReceiptSpec(ISHIKAWA, "demo-nurse", At(1, 18, 0)),
    ReceiptSpec(ISHIKAWA, "demo-phn", At(1, 17, 15)),
    ReceiptSpec(YAMAMOTO, "demo-doctor", At(3, 20, 0)),
    ReceiptSpec(YAMAMOTO, "demo-caremanager", At(2, 17, 30)),
)


# The demo accounts the README and the sign-in screen mention.
DEMO_ACCOUNTS: Final[dict[str, Role]] = {
    "demo-nurse": Role.member,
    "demo-doctor": Role.member,
    "demo-caremanager": Role.member,
    "demo-pharmacist": Role.member,
    "demo-officeadmin": Role.office_admin,
    "demo-admin": Role.municipal_admin,
}

# Pledges (様式4-1, 4-2) and IDs were accepted/issued this many days before now.
OFFICE_PLEDGE_DAYS_AGO: Final = 120
USER_PLEDGE_DAYS_AGO: Final = 100
