"""The mail domain's routes (the daily mail's unsubscribe link), for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy
from .controllers import MailController

ROUTE_HANDLERS: list[Any] = [
    # Signed in with both factors unless a handler declares otherwise.
    Router(path="/", opt=policy(auth="full"), route_handlers=[MailController]),
]
