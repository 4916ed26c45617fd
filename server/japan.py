"""Japan's time zone and era calendar (和暦), defined once for the server and the PWA.

Patients' dates of birth are written in the era calendar on the city's forms, and
"today" on a form or a screen is today in Japan. The PWA gets the same table, generated
from this module (`python -m server.japan` → `pwa/src/generated/japan.ts`, written by
`make api-types`; tests/test_japan_calendar.py fails when it is stale).

Boundaries are the days each era began; a date in the first year of an era is year 1
(元年). Meiji begins on 1868-01-25: the edict that named the era (改元の詔, 1868-10-23,
慶応4年9月8日) made it count from the first day of that year, 慶応4年1月1日, which is
1868-01-25 in the Gregorian calendar; Japan itself kept the lunisolar calendar until
1873-01-01. Dates before Meiji are refused: no patient was born then.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

# Japan has kept UTC+9 all year since 1952 (no daylight saving time).
TIME_ZONE = "Asia/Tokyo"
JST = timezone(timedelta(hours=9), "JST")


def today_jst(now: datetime) -> date:
    return now.astimezone(JST).date()


class Era(StrEnum):
    meiji = "meiji"
    taisho = "taisho"
    showa = "showa"
    heisei = "heisei"
    reiwa = "reiwa"


ERA_LABELS: dict[Era, str] = {
    Era.meiji: "明治",
    Era.taisho: "大正",
    Era.showa: "昭和",
    Era.heisei: "平成",
    Era.reiwa: "令和",
}
ERA_ENGLISH: dict[Era, str] = {
    Era.meiji: "Meiji",
    Era.taisho: "Taishō",
    Era.showa: "Shōwa",
    Era.heisei: "Heisei",
    Era.reiwa: "Reiwa",
}

# (era, first day), oldest first.
ERA_STARTS: tuple[tuple[Era, date], ...] = (
    (Era.meiji, date(1868, 1, 25)),
    (Era.taisho, date(1912, 7, 30)),
    (Era.showa, date(1926, 12, 25)),
    (Era.heisei, date(1989, 1, 8)),
    (Era.reiwa, date(2019, 5, 1)),
)


class EraDateError(ValueError):
    """A Japanese-era date that does not exist; the messages say why in both languages."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


@dataclass(frozen=True)
class EraDate:
    era: Era
    year: int
    month: int
    day: int

    @property
    def label(self) -> str:
        return ERA_LABELS[self.era]

    @property
    def text(self) -> str:
        """As written on a form: 昭和15年3月12日, 令和元年5月1日."""
        year = "元" if self.year == 1 else str(self.year)
        return f"{self.label}{year}年{self.month}月{self.day}日"


def _bounds(era: Era) -> tuple[date, date | None]:
    for index, (name, start) in enumerate(ERA_STARTS):
        if name == era:
            end = ERA_STARTS[index + 1][1] if index + 1 < len(ERA_STARTS) else None
            return start, end
    raise EraDateError("元号が正しくありません。", f"Unknown era {era!r}.")  # pragma: no cover


def to_western(era: Era, year: int, month: int, day: int) -> date:
    """昭和15年3月12日 → 1940-03-12; refuses dates outside the era (昭和64年2月1日)."""
    label = ERA_LABELS[era]
    if year < 1:
        raise EraDateError(f"{label}の年は1以上です。", f"The {era} year must be 1 or more.")
    start, end = _bounds(era)
    try:
        value = date(start.year + year - 1, month, day)
    except ValueError:
        raise EraDateError(
            f"{label}{year}年{month}月{day}日は存在しない日付です。",
            f"{era} {year}-{month}-{day} is not a calendar date.",
        ) from None
    if value < start or (end is not None and value >= end):
        raise EraDateError(
            f"{label}{year}年{month}月{day}日は{label}の期間外です。",
            f"{era} {year}-{month}-{day} lies outside the {era} era.",
        )
    return value


def from_western(value: date) -> EraDate:
    """1940-03-12 → 昭和15年3月12日; refuses dates before Meiji."""
    for era, start in reversed(ERA_STARTS):
        if value >= start:
            return EraDate(era, value.year - start.year + 1, value.month, value.day)
    raise EraDateError(
        "明治より前の日付は扱えません。", "Dates before the Meiji era are not supported."
    )


def typescript() -> str:
    """The PWA's copy of this module's facts, as `pwa/src/generated/japan.ts`."""
    eras = "\n".join(
        f'  {{ code: "{era.value}", name: "{ERA_LABELS[era]}", en: "{ERA_ENGLISH[era]}", '
        f'start: "{start.isoformat()}" }},'
        for era, start in reversed(ERA_STARTS)
    )
    return (
        "/** Generated from server/japan.py by `make api-types`; do not edit. */\n\n"
        "/** Japan's time zone: dates on screens and forms are Japan's. */\n"
        f'export const TIME_ZONE = "{TIME_ZONE}";\n\n'
        "/** The eras and their first days (ISO yyyy-mm-dd), newest first. */\n"
        f"export const ERAS = [\n{eras}\n] as const;\n"
    )


if __name__ == "__main__":
    sys.stdout.write(typescript())
