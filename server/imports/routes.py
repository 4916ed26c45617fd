"""Every route handler of the imports domain (the admin screen's import), for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..auth.roles import admins_only
from ..route_policy import policy
from .controllers import ROUTE_HANDLERS as _IMPORTS

ROUTE_HANDLERS: list[Any] = [
    # The city's import: its user administrators and the operator, signed in.
    Router(path="/", opt=policy(auth="full"), guards=[admins_only], route_handlers=_IMPORTS),
]
