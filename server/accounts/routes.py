"""Every route handler of the accounts domain, for the app factory."""

from __future__ import annotations

from typing import Any

from .controllers import ActivationController, AdminUserController, help_desk_search

ROUTE_HANDLERS: list[Any] = [AdminUserController, help_desk_search, ActivationController]
