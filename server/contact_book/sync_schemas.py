"""Wire types of the sync API's requests (the envelope; mutation args are checked by the
engine, so that one bad offline write is `rejected` instead of failing the whole push)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from sync.cursor import MAX_TOKEN_LENGTH
from sync.pull import DEFAULT_LIMIT, MAX_LIMIT

MAX_MUTATIONS = 100
ClientId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class Strict(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class PullIn(Strict):
    cursor: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TOKEN_LENGTH)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


class MutationIn(Strict):
    id: Annotated[int, msgspec.Meta(ge=1, le=2**53)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    args: dict[str, Any]


class PushIn(Strict):
    client_id: ClientId
    mutations: Annotated[list[MutationIn], msgspec.Meta(max_length=MAX_MUTATIONS)]
