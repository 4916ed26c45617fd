"""SECURITY.md 16 and 18 over the photo, search and receipt routes: every route × every
kind of user → the expected status. Only current members see a room's data; write needs
write permission; former members, outsiders and admins learn nothing, not even that the
room exists (404)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from server.clock import FrozenClock
from tests.contact_book import photos
from tests.contact_book.conftest import SignIn, World, add_post
from tests.support.api import ApiClient

Call = Callable[[ApiClient], Awaitable[httpx.Response]]

# route → (member, read-only member, non-member, former member, municipal admin)
EXPECTED = {
    "upload": (201, 403, 404, 404, 404),
    "photo": (200, 200, 404, 404, 404),
    "thumbnail": (200, 200, 404, 404, 404),
    "search": (200, 200, 404, 404, 404),
    "readers": (200, 200, 404, 404, 404),
}
ROLES = ("member", "read-only", "non-member", "former", "admin")


async def test_authorization_matrix(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock, client: Any
) -> None:
    post_id, _ = await add_post(
        sessionmaker, world.room_id, world.writer.id, "褥瘡の処置", at=clock.now()
    )
    owner = await sign_in(world.writer)
    made = await owner.post(
        f"/api/rooms/{world.room_id}/attachments",
        files={"file": ("a.jpg", photos.jpeg_with_gps((300, 200)), "image/jpeg")},
    )
    assert made.status_code == 201
    attachment = made.json()["id"]
    photo = photos.jpeg_with_gps((240, 160), orientation=1)

    calls: dict[str, Call] = {
        "upload": lambda api: api.post(
            f"/api/rooms/{world.room_id}/attachments",
            files={"file": ("b.jpg", photo, "image/jpeg")},
        ),
        "photo": lambda api: api.get(f"/api/attachments/{attachment}"),
        "thumbnail": lambda api: api.get(f"/api/attachments/{attachment}/thumbnail"),
        "search": lambda api: api.get(f"/api/rooms/{world.room_id}/search", params={"q": "褥瘡"}),
        "readers": lambda api: api.get(f"/api/rooms/{world.room_id}/posts/{post_id}/readers"),
    }
    users = dict(
        zip(
            ROLES,
            [owner, *[await sign_in(u) for u in
                      (world.reader, world.outsider, world.former, world.admin)]],
            strict=True,
        )
    )  # fmt: skip

    got: dict[str, tuple[int, ...]] = {}
    for route, call in calls.items():
        got[route] = tuple([(await call(users[role])).status_code for role in ROLES])
    assert got == EXPECTED

    # Nobody signed in: 401 everywhere, before any room is looked at.
    anonymous = ApiClient(client)
    anonymous.http.cookies = httpx.Cookies()
    for route, call in calls.items():
        assert (await call(anonymous)).status_code == 401, route
    assert (await anonymous.get("/api/rooms/unread")).status_code == 401
    assert (await anonymous.get(f"/api/attachments/{attachment}")).status_code == 401

    # Unread counts answer everyone, with their own current rooms only.
    unread = {role: (await users[role].get("/api/rooms/unread")).json() for role in ROLES}
    assert str(world.room_id) in unread["member"] and str(world.room_id) in unread["read-only"]
    for role in ("non-member", "former", "admin"):
        assert str(world.room_id) not in unread[role], role
