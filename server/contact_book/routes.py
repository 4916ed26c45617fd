"""Every route handler of this domain, for the app factory."""

from __future__ import annotations

from typing import Any

from litestar import Router

from ..route_policy import policy

ROUTE_HANDLERS: list[Any] = []

# Photos, search and read receipts (the HTTP pieces beside the sync engine).
from .attachments import ROUTE_HANDLERS as _ATTACHMENTS  # noqa: E402
from .receipts import ROUTE_HANDLERS as _RECEIPTS  # noqa: E402
from .search import ROUTE_HANDLERS as _SEARCH  # noqa: E402

ROUTE_HANDLERS += [*_ATTACHMENTS, *_SEARCH, *_RECEIPTS]

# Delta sync: pull, push and the live event stream.
from .sync_controllers import ROUTE_HANDLERS as _SYNC  # noqa: E402

ROUTE_HANDLERS += _SYNC

# Signed in with both factors unless a handler declares otherwise.
ROUTE_HANDLERS = [Router(path="/", opt=policy(auth="full"), route_handlers=ROUTE_HANDLERS)]
