"""Every route handler of the accounts domain, for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy
from .controllers import ActivationController

ROUTE_HANDLERS: list[Any] = [
    # Signed in with both factors unless a controller or handler declares otherwise.
    Router(
        path="/",
        opt=policy(auth="full"),
        route_handlers=[ActivationController],
    ),
]
