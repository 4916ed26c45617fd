"""Every route handler of the me domain (my account, sessions and devices), for the app
factory."""

from __future__ import annotations

from typing import Any

from .controllers import MeController

ROUTE_HANDLERS: list[Any] = [MeController]
