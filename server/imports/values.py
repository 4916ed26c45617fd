"""Cells as a clerk writes them, read into carebook's values: dates in the Western or the era
calendar, times of day in Japan, yes/no marks, and the Japanese names of carebook's codes.

Each reader raises `CellError` with the reason in Japanese and English; the engine
adds the file, row and column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone

from store.models.enums import (
    CARE_LEVEL_LABELS,
    JOB_TYPE_LABELS,
    OFFICE_KIND_LABELS,
    CareLevel,
    JobType,
    OfficeKind,
    Permission,
    Role,
    Sex,
)

from ..japan import ERA_LABELS, Era, EraDateError, to_western

JST = timezone(timedelta(hours=9), "JST")


class CellError(ValueError):
    def __init__(self, message_ja: str, message_en: str, code: str = "invalid_value") -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en
        self.code = code


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_ERA_INITIALS = {"M": Era.meiji, "T": Era.taisho, "S": Era.showa, "H": Era.heisei,
                 "R": Era.reiwa}
_ERA_NAMES = {label: era for era, label in ERA_LABELS.items()}
_ERA_TEXT = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*"
    r"(\d{1,2})\s*日?$"
)
_WESTERN = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")


def parse_date(raw: str) -> date:
    """2026-11-20, 2026/11/20, 2026年11月20日, 昭和15年3月12日, S15.3.12, 令和元年5月1日."""
    text = nfkc(raw).upper()
    western = _WESTERN.match(text)
    try:
        if western:
            year, month, day = (int(g) for g in western.groups())
            return date(year, month, day)
        era = _ERA_TEXT.match(nfkc(raw))
        if era is None:
            era = _ERA_TEXT.match(text)
        if era:
            name, year_text, month_text, day_text = era.groups()
            which = _ERA_NAMES.get(name) or _ERA_INITIALS[name.upper()]
            era_year = 1 if year_text == "元" else int(year_text)
            return to_western(which, era_year, int(month_text), int(day_text))
    except EraDateError as exc:
        raise CellError(exc.message_ja, exc.message_en, "invalid_date") from None
    except ValueError:
        pass
    raise CellError(
        "日付が正しくありません（例：2026/11/20、昭和15年3月12日、S15.3.12）。",
        "The date is not valid (e.g. 2026/11/20, 昭和15年3月12日, S15.3.12).",
        "invalid_date",
    )


_TIME = re.compile(r"^(\d{1,2})\s*[:時]\s*(\d{1,2})\s*分?(?:\s*[:]\s*(\d{1,2}))?$")


def parse_moment(raw: str) -> datetime:
    """A date and a time of day in Japan (2026/11/20 9:30, 令和8年11月20日 09:30) in UTC."""
    text = nfkc(raw).replace("T", " ")
    parts = text.rsplit(" ", 1)
    if len(parts) != 2 or not _TIME.match(parts[1]):
        raise CellError(
            "日時が正しくありません（例：2026/11/20 9:30）。",
            "The date and time are not valid (e.g. 2026/11/20 9:30).",
            "invalid_datetime",
        )
    day = parse_date(parts[0])
    match = _TIME.match(parts[1])
    assert match is not None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    try:
        local = datetime.combine(day, time(hour, minute, second), JST)
    except ValueError:
        raise CellError("時刻が正しくありません。", "The time of day is not valid.",
                        "invalid_datetime") from None
    return local.astimezone(UTC)


_YES = {"○", "〇", "◯", "はい", "有", "あり", "する", "1", "TRUE", "YES", "Y", "✓", "レ"}
_NO = {"", "×", "-", "ー", "いいえ", "無", "なし", "しない", "0", "FALSE", "NO", "N"}


def parse_yes(raw: str) -> bool:
    text = nfkc(raw).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError("「○」または空欄で指定してください。", "Use 〇 (yes) or leave it empty.")


def _coder(labels: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Japanese labels (and carebook's codes) to codes, with the names ledgers also use."""
    table = {nfkc(label): code for code, label in labels.items()}
    table.update({code: code for code in labels})
    table.update(extra or {})
    return table


def code_of(raw: str, table: Mapping[str, str], what_ja: str, what_en: str) -> str:
    text = nfkc(raw).replace(" ", "")
    found = table.get(text) or table.get(text.lower())
    if found is None:
        labels = _LABELS.get(id(table), [])
        choices = "、".join(labels)
        raise CellError(f"{what_ja}が正しくありません（{choices}）。",
                        f"Unknown {what_en} {raw!r}.", "unknown_code")
    return found


JOB_TYPES = _coder({j.value: label for j, label in JOB_TYPE_LABELS.items()},
                   {"ケアマネジャー": JobType.care_manager, "ケアマネ": JobType.care_manager,
                    "訪問看護師": JobType.nurse, "准看護師": JobType.nurse,
                    "ヘルパー": JobType.home_helper, "MSW": JobType.medical_social_worker,
                    "PT": JobType.physical_therapist, "OT": JobType.occupational_therapist,
                    "ST": JobType.speech_therapist, "歯科医": JobType.dentist,
                    "医師(訪問診療)": JobType.doctor, "栄養士": JobType.dietitian})
OFFICE_KINDS = _coder({k.value: label for k, label in OFFICE_KIND_LABELS.items()},
                      {"クリニック": OfficeKind.clinic, "医院": OfficeKind.clinic,
                       "訪問看護": OfficeKind.visiting_nurse_station,
                       "居宅介護支援": OfficeKind.care_management_office,
                       "訪問介護": OfficeKind.home_help_office,
                       "調剤薬局": OfficeKind.pharmacy,
                       "地域包括": OfficeKind.community_support_center})
CARE_LEVELS = _coder({c.value: label for c, label in CARE_LEVEL_LABELS.items()},
                     {"非該当": CareLevel.none, "未申請": CareLevel.none,
                      "事業対象者": CareLevel.none})
_LABELS: dict[int, list[str]] = {
    id(JOB_TYPES): list(JOB_TYPE_LABELS.values()),
    id(OFFICE_KINDS): list(OFFICE_KIND_LABELS.values()),
    id(CARE_LEVELS): list(CARE_LEVEL_LABELS.values()),
}
SEXES = {"男": Sex.male, "男性": Sex.male, "M": Sex.male, "male": Sex.male,
         "女": Sex.female, "女性": Sex.female, "F": Sex.female, "female": Sex.female,
         "その他": Sex.other, "other": Sex.other}
ROLES = {"": Role.member, "システム利用者": Role.member, "利用者": Role.member,
         "一般": Role.member, "member": Role.member,
         "システム管理担当者": Role.office_admin, "事業所のシステム管理担当者": Role.office_admin,
         "事業所管理担当者": Role.office_admin, "管理担当者": Role.office_admin,
         "office_admin": Role.office_admin}
PERMISSIONS = {"": Permission.write, "書込": Permission.write, "書き込み": Permission.write,
               "閲覧・書込": Permission.write, "閲覧・書き込み": Permission.write,
               "write": Permission.write, "閲覧": Permission.read, "閲覧のみ": Permission.read,
               "read": Permission.read}
SIGNERS = {"": "patient", "本人": "patient", "患者本人": "patient", "patient": "patient",
           "代理人": "proxy", "家族": "proxy", "proxy": "proxy"}
