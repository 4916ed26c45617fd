"""Every route handler of this domain, for the app factory."""

from __future__ import annotations

from typing import Any

from .controllers import ROUTE_HANDLERS as _RECORD

ROUTE_HANDLERS: list[Any] = [*_RECORD]
