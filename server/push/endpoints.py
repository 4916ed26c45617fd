"""Where the push worker may send: https on port 443 of a known push service, nothing else.

The server POSTs to whatever endpoint a browser registered, so an arbitrary URL would let any
signed-in user make it call internal hosts (SSRF). Endpoints are checked when a subscription
is stored and again before every send (a row stored under older rules or settings), and the
sender follows no redirect (server/push/worker.py), so a push service cannot bounce a request
elsewhere either.

The known services (endpoints as browsers hand them out):
- Firebase Cloud Messaging (Chrome, Edge on Android, …): https://fcm.googleapis.com/…
- Mozilla autopush (Firefox): https://updates.push.services.mozilla.com/…
- Apple Web Push (Safari, iOS 16.4+ home-screen apps): https://web.push.apple.com/…
- Windows Push Notification Services (Edge on Windows): https://*.notify.windows.com/…
CAREBOOK_PUSH_ENDPOINT_HOSTS adds host names (or parent domains) to these; it cannot remove
them or allow every host. CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK (tests only) lets the loopback
push receiver of the test suite through, over http and on any port.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import InvalidInput
from ..settings import KNOWN_PUSH_SERVICES, PushSettings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

__all__ = ["KNOWN_PUSH_SERVICES", "check_endpoint", "endpoint_allowed"]


def _bad(ja: str, en: str) -> InvalidInput:
    return InvalidInput(ja, en, code="invalid_subscription", field="endpoint")


def check_endpoint(endpoint: str, push: PushSettings) -> None:
    """Raise `invalid_subscription` unless the worker may send to `endpoint`."""
    wrong = _bad(
        "通知の送信先 (endpoint) は、ブラウザーのプッシュサービスの https URL"
        "である必要があります。",
        "The endpoint must be the https URL of a browser push service.",
    )
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        raise wrong from None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username or parts.password or parts.fragment:
        raise wrong
    if push.allow_http_loopback and host in LOOPBACK_HOSTS and parts.scheme in {"http", "https"}:
        return
    if parts.scheme != "https" or port not in {None, 443}:
        raise wrong
    if not any(host == h or host.endswith("." + h) for h in push.endpoint_hosts):
        raise _bad(
            "このプッシュサービスには対応していません。管理者にお問い合わせください。",
            "This push service is not allowed here. Ask the administrator.",
        )


def endpoint_allowed(endpoint: str, push: PushSettings) -> bool:
    try:
        check_endpoint(endpoint, push)
    except InvalidInput:
        return False
    return True
