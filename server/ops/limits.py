"""Abuse limits: request body size, per-user rate limits and a cap on open event streams.

All counts are in memory, per process (like the per-IP sign-in throttle they
extend): with N `carebook serve` processes a client that spreads its requests
over all of them gets at most N times the limit, which still stops a runaway
client or a script. A bigger installation can add the proxy's own limits
(docs/deploy.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..auth.throttle import SlidingWindow
from ..errors import DomainError, TooManyRequests


class RateLimit(SlidingWindow):
    """A sliding window that also says how long to wait (for `Retry-After`)."""

    def retry_after(self, key: str, now: datetime) -> int:
        hits = self._hits.get(key)
        if not hits:
            return 1
        return max(1, math.ceil((hits[0] + self.window - now).total_seconds()))

    def check(self, key: str, now: datetime) -> int | None:
        """Count one hit; None when allowed, else the seconds to wait."""
        if self.allow(key, now):
            return None
        return self.retry_after(key, now)


class ConnectionCap:
    """At most `limit` simultaneous long-lived connections (event streams) per key.

    Use around the stream's whole life:

        with cap.hold(str(user_id)):
            ...  # serve the stream

    `hold` raises `TooManyConnections` (429, Retry-After) when the key already has
    `limit` open.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}

    def open_for(self, key: str) -> int:
        return self._open.get(key, 0)

    @property
    def total(self) -> int:
        return sum(self._open.values())

    def acquire(self, key: str) -> bool:
        count = self._open.get(key, 0)
        if count >= self.limit:
            return False
        self._open[key] = count + 1
        return True

    def release(self, key: str) -> None:
        count = self._open.get(key, 0) - 1
        if count <= 0:
            self._open.pop(key, None)
        else:
            self._open[key] = count

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        if not self.acquire(key):
            raise TooManyConnections(self.limit)
        try:
            yield
        finally:
            self.release(key)


class BodyTooLarge(DomainError):
    status_code = 413
    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        kib = max(1, limit // 1024)
        super().__init__(
            f"送信されたデータが大きすぎます（上限 {kib} KB）。内容を減らしてお試しください。",
            f"The request is too large (at most {kib} KB). Please send less.",
            limitBytes=limit,
        )


class RateLimited(TooManyRequests):
    def __init__(self, what_ja: str, what_en: str, retry_after: int) -> None:
        super().__init__(
            f"{what_ja}の回数が多すぎます。{retry_after} 秒ほど待ってからお試しください。",
            f"Too many {what_en}. Please wait about {retry_after} s and try again.",
            code="rate_limited",
            headers={"Retry-After": str(retry_after)},
            retryAfter=retry_after,
        )


class TooManyConnections(TooManyRequests):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"同時に開いている画面が多すぎます（上限 {limit}）。ほかのタブを閉じてください。",
            f"Too many open live connections (at most {limit}). Please close other tabs.",
            code="too_many_connections",
            headers={"Retry-After": "30"},
            retryAfter=30,
        )


@dataclass(frozen=True)
class Rule:
    """A per-user rate limit on some routes: (method, path template) pairs share one window."""

    name: str
    what_ja: str
    what_en: str
    routes: frozenset[tuple[str, str]]
    limit: int
    window: timedelta = timedelta(minutes=1)


def login_id_of(data: object) -> str | None:
    """The `loginId` of a decoded sign-in body, for the per-account window (None if absent)."""
    value = data.get("loginId") if isinstance(data, dict) else None
    return value.strip().lower()[:128] if isinstance(value, str) and value.strip() else None
