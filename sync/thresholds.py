"""Out-of-range vitals: each sign's normal range per patient, and the flags of a reading.

The defaults are the common clinical alert values for adults cared for at home, written
out with their sources in `docs/vital-thresholds.md`; the room's doctor or visiting nurse
adjusts them per patient (`thresholds.set`). A range is inclusive: a reading below `low`
or above `high` is flagged. The PWA gets the same table (`make api-types` writes
`pwa/src/generated/thresholds.ts`), so a draft is flagged offline exactly as the server
will flag the post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

FlagDirection = Literal["low", "high"]


@dataclass(frozen=True)
class Range:
    low: float | None
    high: float | None


#: Normal range by vitals key (camelCase, as on the wire). Weight has none.
DEFAULTS: dict[str, Range] = {
    "systolic": Range(90, 179),  # < 90 or ≥ 180 mmHg
    "diastolic": Range(None, 109),  # ≥ 110 mmHg
    "pulse": Range(50, 120),  # < 50 or > 120 /min
    "temperature": Range(35.0, 37.9),  # < 35.0 or ≥ 38.0 °C
    "spo2": Range(90, None),  # < 90 %
    "respirationRate": Range(10, 24),  # < 10 or ≥ 25 /min
    "bloodGlucose": Range(70, 300),  # < 70 or > 300 mg/dL
}

#: The signs a threshold may be set for, with the bounds a threshold itself must lie in.
SIGN_BOUNDS: dict[str, tuple[float, float]] = {
    "systolic": (40, 300),
    "diastolic": (20, 200),
    "pulse": (20, 250),
    "temperature": (30.0, 45.0),
    "spo2": (50, 100),
    "respirationRate": (4, 80),
    "weight": (1.0, 300.0),
    "bloodGlucose": (10, 1000),
}


def ranges_in_force(overrides: Mapping[str, Range]) -> dict[str, Range]:
    """The defaults with the patient's own ranges laid over them."""
    return {**DEFAULTS, **overrides}


def flags_for(vitals: Mapping[str, float] | None,
              ranges: Mapping[str, Range]) -> dict[str, FlagDirection] | None:
    """Which readings lie outside their range, by key; None when none does."""
    if not vitals:
        return None
    flags: dict[str, FlagDirection] = {}
    for key, value in vitals.items():
        found = ranges.get(key)
        if found is None:
            continue
        if found.low is not None and value < found.low:
            flags[key] = "low"
        elif found.high is not None and value > found.high:
            flags[key] = "high"
    return flags or None


def typescript() -> str:
    """The PWA's copy of the defaults, as `pwa/src/generated/thresholds.ts`."""

    def bound(value: float | None) -> str:
        return "null" if value is None else repr(float(value)).removesuffix(".0")

    rows = "\n".join(
        f"  {key}: {{ low: {bound(r.low)}, high: {bound(r.high)} }},"
        for key, r in DEFAULTS.items()
    )
    limits = "\n".join(
        f"  {key}: [{bound(lo)}, {bound(hi)}],"
        for key, (lo, hi) in SIGN_BOUNDS.items()
    )
    return (
        "/** Generated from sync/thresholds.py by `make api-types`; do not edit. */\n\n"
        "/** The default normal range per vital sign (inclusive; outside is flagged). */\n"
        "export const DEFAULT_RANGES: Record<string, { low: number | null; high: number | null }>"
        f" = {{\n{rows}\n}};\n\n"
        "/** The bounds a threshold itself must lie in. */\n"
        f"export const THRESHOLD_BOUNDS: Record<string, [number, number]> = {{\n{limits}\n}};\n"
    )


if __name__ == "__main__":
    import sys

    sys.stdout.write(typescript())
