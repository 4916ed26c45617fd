"""Every route handler of this domain, for the app factory."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: list[Any] = []
