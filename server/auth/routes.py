"""Every route handler of the auth domain (sign-in steps, device key material), for the app."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy
from .controllers import SignInController
from .device_key_controller import DeviceKeyController

ROUTE_HANDLERS: list[Any] = [
    # Signed in with both factors unless a controller or handler declares otherwise.
    Router(
        path="/", opt=policy(auth="full"), route_handlers=[SignInController, DeviceKeyController]
    ),
]
