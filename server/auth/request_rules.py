"""What a request to /api/ must show beside its cookie (issue 13, item 1; docs/api/requests.md).

Route handlers declare what they need with `opt=policy(…)` (server/route_policy.py):
- `bare=True`: answers requests that do not come from the app — the health check (load
  balancers, monitoring), the metrics (a Prometheus scraper with its token) and the daily
  mail's unsubscribe link;
- `auth="public" | "signin" | "locked" | "full"`: see server/auth/middleware.py.

Every other /api/ request
1. is not a navigation (`Sec-Fetch-Mode: navigate`, or a document/frame destination): typing
   an API address into the address bar of a signed-in browser reads nothing;
2. names its device (`X-Carebook-Device`), and a session answers only the registered device
   it was made on (checked when the session is resolved: `AuthContext.device_mismatch`);
3. on routes for a full session (the default `auth` mode), proves the app is unlocked
   (`X-Carebook-Unlock`, server/auth/unlock.py). Routes that a locked app must reach
   declare `auth: "locked"`.
"""

from __future__ import annotations

from litestar.types import Scope

from ..errors import DomainError, Unauthenticated
from ..route_policy import route_policy
from . import unlock
from .context import AuthContext
from .errors import ApiNavigation, DeviceMismatch, DeviceRequired, UnlockRequired

NAVIGATION_DESTINATIONS = {"document", "iframe", "frame", "embed", "object"}
# Modes that need no signed-in session, and the one that needs no unlock proof.
NO_SESSION_MODES = {"public", "signin"}
LOCKED_MODE = "locked"


def is_navigation(headers: dict[str, str]) -> bool:
    return (
        headers.get("sec-fetch-mode") == "navigate"
        or headers.get("sec-fetch-dest", "") in NAVIGATION_DESTINATIONS
    )


def app_refusal(scope: Scope, headers: dict[str, str], ctx: AuthContext) -> DomainError | None:
    """Is this the app at all (rules 1 and 2)? Checked before CSRF and the session."""
    path = str(scope.get("path", ""))
    api = path == "/api" or path.startswith("/api/")
    declared = route_policy(scope)
    if api and not (declared is not None and declared.bare):
        if is_navigation(headers):
            return ApiNavigation()
        if ctx.device_key is None:
            return DeviceRequired()
    return None


def session_refusal(ctx: AuthContext, mode: str) -> DomainError | None:
    """Does the session allow this route (its device, and rule 3)? After CSRF."""
    if mode in NO_SESSION_MODES:
        return None
    if not ctx.signed_in:
        return DeviceMismatch() if ctx.device_mismatch else Unauthenticated()
    if mode != LOCKED_MODE and not ctx.unlocked:
        return UnlockRequired()
    return None


def note_unlock_proof(ctx: AuthContext, headers: dict[str, str]) -> None:
    """Record whether this request proves the app is unlocked (`ctx.unlocked`), for the
    rule above and for routes that check a session themselves (the metrics)."""
    if ctx.signed_in:
        assert ctx.session is not None
        ctx.unlocked = unlock.proves_unlocked(
            ctx.session.unlock_hash, headers.get(unlock.UNLOCK_HEADER)
        )
