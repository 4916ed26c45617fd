"""`GET /api/metrics`: Prometheus text for the operator (request latency, sign-in failures,
outbox depth, sync lag, database up).

Counters live in each process (scrape every `carebook serve` process on its own
port); outbox depth and sync lag are read from the database at scrape time, so any
process answers them for the whole installation. A scraper cannot pass a second
factor: it may present `Authorization: Bearer <CAREBOOK_METRICS_TOKEN>` instead of
an operator's session.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ChangeLog, Outbox
from store.models.enums import OutboxStatus, Role

from ..auth.context import AuthContext
from ..errors import Forbidden, Unauthenticated
from ..route_policy import policy

log = logging.getLogger("carebook.metrics")

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.counts[index] += 1
        self.total += 1
        self.sum += seconds


class Metrics:
    """This process's counters; one per app, kept in `app.state["metrics"]`."""

    def __init__(self) -> None:
        self.latency: dict[tuple[str, str], _Histogram] = defaultdict(_Histogram)
        self.responses: dict[tuple[str, str, str], int] = defaultdict(int)
        self.signin_failures: dict[tuple[str, str], int] = defaultdict(int)
        self.limited: dict[str, int] = defaultdict(int)
        self.open_streams = 0

    def observe(self, method: str, route: str, status: int, seconds: float, *,
                streaming: bool = False, signin_step: str | None = None) -> None:
        """Count one answer; `streaming` and `signin_step` are the route's declared policy
        (server/route_policy.py)."""
        self.responses[(method, route, str(status))] += 1
        if not streaming:
            self.latency[(method, route)].observe(seconds)
        if signin_step is not None and 400 <= status < 500 and status != 403:
            self.signin_failures[(signin_step, str(status))] += 1

    def render(self, db: dict[str, float]) -> str:
        lines: list[str] = []

        def family(name: str, kind: str, helptext: str) -> None:
            lines.append(f"# HELP {name} {helptext}")
            lines.append(f"# TYPE {name} {kind}")

        family("carebook_http_request_duration_seconds", "histogram",
               "Time to answer a request, per route (event streams excluded).")
        for (method, route), hist in sorted(self.latency.items()):
            labels = f'method="{method}",route="{_esc(route)}"'
            for bound, count in zip(BUCKETS, hist.counts, strict=True):
                lines.append(
                    f'carebook_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} '
                    f"{count}"
                )
            lines.append(
                f'carebook_http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {hist.total}'
            )
            lines.append(f"carebook_http_request_duration_seconds_sum{{{labels}}} {hist.sum:.6f}")
            lines.append(f"carebook_http_request_duration_seconds_count{{{labels}}} {hist.total}")
        family("carebook_http_responses_total", "counter", "Answers per route and status.")
        for (method, route, status), count in sorted(self.responses.items()):
            lines.append(
                f'carebook_http_responses_total{{method="{method}",route="{_esc(route)}",'
                f'status="{status}"}} {count}'
            )
        family("carebook_signin_failures_total", "counter",
               "Refused sign-in steps (wrong password or code, locked, throttled).")
        for (step, status), count in sorted(self.signin_failures.items()):
            lines.append(
                f'carebook_signin_failures_total{{step="{step}",status="{status}"}} {count}'
            )
        family("carebook_rate_limited_total", "counter", "Requests refused by an abuse limit.")
        for rule, count in sorted(self.limited.items()):
            lines.append(f'carebook_rate_limited_total{{limit="{rule}"}} {count}')
        family("carebook_event_streams_open", "gauge", "Open /api/sync/events connections.")
        lines.append(f"carebook_event_streams_open {self.open_streams}")
        family("carebook_database_up", "gauge", "1 when the database answered this scrape.")
        lines.append(f"carebook_database_up {int(db.get('up', 0))}")
        if "outbox_pending" in db:
            family("carebook_outbox_pending", "gauge", "Push notifications waiting in the outbox.")
            lines.append(f"carebook_outbox_pending {int(db['outbox_pending'])}")
            family("carebook_outbox_oldest_pending_seconds", "gauge",
                   "Age of the oldest pending push notification (0 when none).")
            lines.append(f"carebook_outbox_oldest_pending_seconds {db['outbox_age']:.3f}")
        if "sync_lag" in db:
            family("carebook_sync_lag_seconds", "gauge",
                   "Age of the newest change in the sync change log (NaN when empty).")
            lag = db["sync_lag"]
            lines.append(f"carebook_sync_lag_seconds {'NaN' if math.isnan(lag) else f'{lag:.3f}'}")
        return "\n".join(lines) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


async def database_figures(session: AsyncSession, now: Any) -> dict[str, float]:
    """Database up, outbox depth and age, sync lag; {"up": 0} when the database fails."""
    try:
        await session.execute(text("SELECT 1"))
        pending, oldest = (
            await session.execute(
                select(func.count(), func.min(Outbox.created_at)).where(
                    Outbox.status == OutboxStatus.pending
                )
            )
        ).one()
        newest = await session.scalar(select(func.max(ChangeLog.at)))
    except Exception:  # the scrape must say "down", not fail
        log.warning("metrics: database check failed", exc_info=True)
        return {"up": 0.0}
    return {
        "up": 1.0,
        "outbox_pending": float(pending),
        "outbox_age": max(0.0, (now - _aware(oldest)).total_seconds()) if oldest else 0.0,
        "sync_lag": max(0.0, (now - _aware(newest)).total_seconds()) if newest else math.nan,
    }


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _token_ok(request: Request[Any, Any, Any], token: str | None) -> bool:
    if not token:
        return False
    presented = request.headers.get("authorization", "")
    scheme, _, value = presented.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


@get(
    "/api/metrics",
    summary="Prometheus metrics (operator only, or the metrics bearer token)",
    tags=["operations"],
    # Checked here: an operator's session (on its device, unlocked) or the scraper's token;
    # "bare": a scraper sends neither the device header nor an unlock proof.
    opt=policy(auth="public", bare=True, refuses={403}),
    media_type=CONTENT_TYPE,
)
async def metrics(
    request: Request[Any, Any, Any], auth: AuthContext, db_session: AsyncSession
) -> Response[str]:
    if not _token_ok(request, auth.settings.ops.metrics_token):
        if not (auth.signed_in and auth.unlocked):
            raise Unauthenticated()
        if not auth.has_role(Role.operator):
            raise Forbidden(
                "メトリクスはシステム管理者だけが見られます。",
                "Only the system operator may read the metrics.",
            )
    registry: Metrics = request.app.state.metrics
    figures = await database_figures(db_session, auth.now)
    return Response(registry.render(figures), media_type=CONTENT_TYPE)

