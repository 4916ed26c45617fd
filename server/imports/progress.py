"""How far a long import has got: rows done of rows to do, their rate and the time left.

The engine only counts; the CLI draws a bar from it and the admin screen polls it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .schemas import ImportProgressOut


@dataclass
class Progress:
    """Counted by the import; read by whoever shows it (the CLI's bar, the screen's job)."""

    phase: str = "reading"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    listener: Callable[[Progress], None] | None = None

    def begin(self, phase: str, total: int) -> None:
        self.phase = phase
        self.done = 0
        self.total = total
        self.started = time.monotonic()
        self._tell()

    def advance(self, rows: int = 1) -> None:
        self.done += rows
        self._tell()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def seconds_left(self) -> float | None:
        rate = self.rate()
        if rate <= 0 or self.total <= self.done:
            return None if self.total > self.done else 0.0
        return (self.total - self.done) / rate

    def _tell(self) -> None:
        if self.listener is not None:
            self.listener(self)

    def out(self) -> ImportProgressOut:
        left = self.seconds_left()
        return ImportProgressOut(
            phase=self.phase,  # type: ignore[arg-type]  # the engine's phases are the Literal's
            done=self.done,
            total=self.total,
            rows_per_second=round(self.rate(), 1),
            seconds_left=round(left, 1) if left is not None else None,
        )
