"""Per-IP throttling of sign-in attempts (credential stuffing), beside the per-account lock.

In memory, per process: each `carebook serve` process counts its own attempts.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Any

SIGNIN_WINDOW_KEY = "signin_throttle"


class SlidingWindow:
    def __init__(self, limit: int, window: timedelta = timedelta(minutes=1)) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[datetime]] = {}

    def allow(self, key: str, now: datetime) -> bool:
        """Count one attempt for `key`; False when it is over the limit in the window."""
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 50_000:  # forget idle keys so memory stays bounded
            for stale in [k for k, v in self._hits.items() if not v][:10_000]:
                del self._hits[stale]
        return True


def signin_window(state: Any, limit: int) -> SlidingWindow:
    """The app's per-IP window of sign-in attempts, made on first use: every attempt counts,
    a body that is not even JSON included (server/ops/middleware.py)."""
    window: SlidingWindow | None = state.get(SIGNIN_WINDOW_KEY)
    if window is None:
        window = SlidingWindow(limit)
        state[SIGNIN_WINDOW_KEY] = window
    return window
