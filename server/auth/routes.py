"""Every route handler of the auth domain (sign-in steps, device key material), for the app."""

from __future__ import annotations

from typing import Any

from .controllers import SignInController
from .device_key_controller import DeviceKeyController

ROUTE_HANDLERS: list[Any] = [SignInController, DeviceKeyController]
