"""Every route handler of the auth domain, for the app factory."""

from __future__ import annotations

from typing import Any

from ..accounts.controllers import ActivationController, AdminUserController, help_desk_search
from ..me.controllers import MeController
from .controllers import SignInController

AUTH_ROUTE_HANDLERS: list[Any] = [
    SignInController,
    MeController,
    AdminUserController,
    help_desk_search,
    ActivationController,
]
