"""Every route handler of this domain, for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy
from .controllers import (
    AdminApplicationController,
    AdminInvitationController,
    AdminLedgerController,
    AdminMiscController,
    AdminOfficeController,
    AdminRoomController,
    AdminScheduledStopController,
    InvitationLinkController,
    OfficeApplicationController,
    OfficeController,
    help_before_sign_in,
    help_for_users,
)
from .correction_controllers import ROUTE_HANDLERS as CORRECTION_ROUTES
from .help_desk_controllers import AdminUserController, help_desk_search
from .role_controllers import (
    AdminClerkController,
    AdminSystemManagerController,
    room_access_log,
    room_access_log_csv,
)

ROUTE_HANDLERS: list[Any] = [
    # Signed in with both factors unless a controller or handler declares otherwise.
    Router(
        path="/",
        opt=policy(auth="full"),
        route_handlers=[
            OfficeApplicationController,
            OfficeController,
            InvitationLinkController,
            AdminApplicationController,
            AdminInvitationController,
            AdminLedgerController,
            AdminOfficeController,
            AdminRoomController,
            AdminScheduledStopController,
            AdminMiscController,
            AdminClerkController,
            AdminSystemManagerController,
            room_access_log,
            room_access_log_csv,
            help_for_users,
            help_before_sign_in,
            AdminUserController,
            help_desk_search,
            *CORRECTION_ROUTES,
        ],
    ),
]
