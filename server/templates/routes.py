"""Every route handler of the templates domain (定型文), for the app factory."""

from __future__ import annotations

from typing import Any

from .controllers import TemplatesController

ROUTE_HANDLERS: list[Any] = [TemplatesController]
