"""Wire types of the sync API's requests.

`PushIn` is what the OpenAPI document says a push carries: each mutation one of the
tagged union `sync.mutations.Mutation`. The handler decodes it as `PushEnvelope`, the
same envelope with each mutation's arguments left undecoded, and the engine decodes
them one by one: a malformed, unknown or stale mutation is `rejected` on its own, with
a reason, and never turns the whole push into a 400 (an offline outbox must drain even
when one of its writes can never apply). `PushEnvelope.documented_as` makes the document
show `PushIn` for it (`server/openapi.py`, `DocumentedAs`).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec

from sync.cursor import MAX_TOKEN_LENGTH
from sync.mutations import MAX_BODY, Mutation, MutationId
from sync.pull import DEFAULT_LIMIT, MAX_LIMIT

MAX_MUTATIONS = 100
ClientId = Annotated[
    str,
    msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$",
                 description="Made once per install (and anew after a wipe)."),
]
Mutations = Annotated[list[Mutation], msgspec.Meta(max_length=MAX_MUTATIONS)]

# The largest legal push: MAX_MUTATIONS posts of MAX_BODY characters (4 bytes per character
# at worst in UTF-8, plus the JSON around each). Its body limit follows from it: refusing
# a legal batch would leave an offline tablet retrying it forever.
PUSH_BODY_LIMIT = MAX_MUTATIONS * (4 * MAX_BODY + 4096) + 4096


class Strict(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class PullIn(Strict):
    cursor: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TOKEN_LENGTH)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


class PushIn(Strict):
    """A push as documented: the client's id and its mutations, oldest first."""

    client_id: ClientId
    mutations: Mutations


class MutationEnvelope(Strict):
    """One mutation as decoded before the engine reads its arguments."""

    id: MutationId
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    args: dict[str, Any]


class PushEnvelope(Strict):
    """`PushIn` as the handler decodes it (see the module docstring)."""

    documented_as: ClassVar[type] = PushIn

    client_id: ClientId
    mutations: Annotated[list[MutationEnvelope], msgspec.Meta(max_length=MAX_MUTATIONS)]
