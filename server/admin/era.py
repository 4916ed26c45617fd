"""The Japanese era calendar (和暦): patients' dates of birth are written in it on the city's forms.

Boundaries are the days each era began; a date in the first year of an era is
year 1 (元年). Dates before Meiji are refused: no patient was born then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


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

# (era, first day), oldest first.
ERA_STARTS: tuple[tuple[Era, date], ...] = (
    (Era.meiji, date(1868, 10, 23)),
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
