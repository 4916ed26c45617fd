"""Who may act for the city or for an office: the role checks, and the route guards made of them.

A route's role requirement is declared on the route with Litestar guards (`guards=[…]` on
the handler, controller or router; server/route_policy.py says why), so the route table
says who may call what. The city's services check the same rule when they are built, with
the same functions, because they are also run outside a request (imports, the scheduler);
a room's membership is not a role and stays with the room (contact_book/room_access.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from store.models import User
from store.models.enums import Role

from ..errors import Forbidden, Unauthenticated
from .context import AuthContext

ADMINS = (Role.municipal_admin, Role.operator)


def require_admin(ctx: AuthContext) -> User:
    """The municipal admin or the operator; everyone else gets 403 (members never reach here)."""
    if ctx.user is None or not ctx.has_role(*ADMINS):
        raise Forbidden(
            "この操作は市のユーザー管理者のみが行えます。",
            "Only the city's user administrators can do this.",
            code="admin_only",
        )
    return ctx.user


def require_operator(ctx: AuthContext) -> User:
    if ctx.user is None or not ctx.has_role(Role.operator):
        raise Forbidden(
            "この操作はシステム管理者のみが行えます。",
            "Only the system operator can do this.",
            code="operator_only",
        )
    return ctx.user


def require_office_admin(ctx: AuthContext) -> tuple[User, uuid.UUID]:
    """An office's system manager, acting for the office they belong to."""
    user = ctx.user
    if user is None or not ctx.has_role(Role.office_admin) or user.office_id is None:
        raise Forbidden(
            "この操作は事業所のシステム管理担当者のみが行えます。",
            "Only an office's system manager can do this.",
            code="office_admin_only",
        )
    return user, user.office_id


def _ctx(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthContext:
    ctx = connection.scope.get("state", {}).get("auth")
    if not isinstance(ctx, AuthContext):  # a guard on a public route: nobody to ask
        raise Unauthenticated()
    return ctx


async def admins_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: the city's user administrators (市のユーザー管理者) and the operator."""
    require_admin(_ctx(connection))


async def operator_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: the system operator (システム管理者)."""
    require_operator(_ctx(connection))


async def office_admins_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: an office's system manager (システム管理担当者), for their own office."""
    require_office_admin(_ctx(connection))


ROLE_GUARDS = (admins_only, operator_only, office_admins_only)
"""Every role guard; tests/test_route_policy.py checks that the city's routes carry one."""
