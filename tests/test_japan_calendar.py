"""Japan's time zone and era calendar are defined once (server/japan.py), and the PWA's copy
(`pwa/src/generated/japan.ts`) is generated from that definition, so the server's forms and
the nurse's screens write the same date the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from server.japan import Era, EraDateError, from_western, to_western, today_jst, typescript

GENERATED = Path(__file__).resolve().parent.parent / "pwa" / "src" / "generated" / "japan.ts"


def test_the_pwa_table_is_generated_from_the_server_one() -> None:
    assert GENERATED.read_text(encoding="utf-8") == typescript(), (
        "pwa/src/generated/japan.ts is stale: run `make api-types` and commit it"
    )


@pytest.mark.parametrize(
    ("western", "text"),
    [
        # Meiji counts from 慶応4年1月1日 = 1868-01-25, as the 1868 edict that named it said.
        (date(1868, 1, 25), "明治元年1月25日"),
        (date(1868, 10, 22), "明治元年10月22日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(2019, 5, 1), "令和元年5月1日"),
    ],
)
def test_era_boundaries_both_ways(western: date, text: str) -> None:
    era_date = from_western(western)
    assert era_date.text == text
    assert to_western(era_date.era, era_date.year, era_date.month, era_date.day) == western


def test_nothing_before_meiji() -> None:
    with pytest.raises(EraDateError):
        from_western(date(1868, 1, 24))
    with pytest.raises(EraDateError):
        to_western(Era.meiji, 1, 1, 24)


def test_today_is_japan_s_today() -> None:
    assert today_jst(datetime(2026, 11, 26, 15, 0, tzinfo=UTC)) == date(2026, 11, 27)
    assert today_jst(datetime(2026, 11, 26, 14, 59, tzinfo=UTC)) == date(2026, 11, 26)
