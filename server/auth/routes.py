"""Every route handler of the auth domain (the sign-in steps), for the app factory."""

from __future__ import annotations

from typing import Any

from .controllers import SignInController

ROUTE_HANDLERS: list[Any] = [SignInController]
