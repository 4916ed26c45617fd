"""Every route handler of the operations domain (metrics), for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy
from .metrics import metrics

ROUTE_HANDLERS: list[Any] = [
    # Signed in with both factors unless a handler declares otherwise (the metrics are
    # public to the middleware and checked in the handler: an operator or the scraper).
    Router(path="/", opt=policy(auth="full"), route_handlers=[metrics]),
]
