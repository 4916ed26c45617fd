"""The mail domain's routes."""

from __future__ import annotations

from typing import Any

from .controllers import MailController

ROUTE_HANDLERS: list[Any] = [MailController]
