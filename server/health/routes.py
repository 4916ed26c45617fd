"""The health check's route, for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy
from .controllers import health

ROUTE_HANDLERS: list[Any] = [
    Router(path="/", opt=policy(auth="full"), route_handlers=[health]),
]
