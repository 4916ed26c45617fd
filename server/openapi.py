"""The OpenAPI document's error answers: what `server/errors.py` really sends, on every operation.

Litestar documents a 400 of its own (`{status_code, detail, extra}`) for every handler with
parameters, but carebook never answers that: every error goes through one mapper
(`server/errors.py`: its exception handlers, and `send_error` for the middleware that refuse
before routing) and has the shape of `Error` below. `document_errors(app)` walks the app's
routes once, after the app is built, and gives each handler `responses=` (Litestar's own
`ResponseSpec`) for the error statuses it can answer, all pointing at the one `Error`
component. Nothing is generated until the document is first asked for, so an app made per
test pays nothing.

Which statuses an operation can answer follows from where refusals happen:
- every operation: 400 (a NUL character in the URL; bad parameters or body) and 401 (a device
  flagged for wipe is told so on any route; non-public routes need a signed-in session);
- 403 on non-public routes (role checks, mutual-TLS client certificate) and on every
  state-changing method (CSRF);
- 413 on every state-changing method (the body limit middleware);
- 404 where the path names something (ids, tokens);
- 429 on the routes with a declared rate class or an event stream (their `RoutePolicy`,
  server/route_policy.py);
- 413 and 415 on uploads (routes with their own body limit; their rate class gives the 429);
- 409 and 410 where a service refuses for the state of things, 404 where a body names
  something, 403 where a public handler checks who asks: declared on the route
  (`opt=policy(refuses=…)`; the fuzzer fails when an operation answers a status the document
  does not list).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import msgspec
from litestar import Litestar
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example, Reference, Schema
from litestar.params import KwargDefinition
from litestar.plugins import OpenAPISchemaPlugin
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition
from msgspec import UNSET, UnsetType

from .route_policy import RoutePolicy

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class DocumentedAs(OpenAPISchemaPlugin):
    """Document a type by the type named in its `documented_as` class attribute.

    For a body decoded in two steps: `PushEnvelope` keeps each mutation's arguments
    undecoded so that one bad mutation is rejected on its own, while the document says
    exactly what a push may carry (`PushIn`, every mutation a tagged union member).
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return isinstance(getattr(field_definition.annotation, "documented_as", None), type)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: Any
    ) -> Schema:
        shown = field_definition.annotation.documented_as
        schema: Schema | Reference = schema_creator.for_field_definition(
            FieldDefinition.from_annotation(shown)
        )
        return schema  # type: ignore[return-value]  # a Reference to the shown component


class ValidationDetail(msgspec.Struct, omit_defaults=True):
    """One problem Litestar found while reading the request (`details` of a 400)."""

    message: Annotated[str, msgspec.Meta(description="What is wrong (msgspec's English).")]
    key: Annotated[
        str, msgspec.Meta(description="The field, e.g. `name` or `limit`.")
    ] | UnsetType = UNSET
    source: Annotated[
        str, msgspec.Meta(description="body, query, path, header or cookie.")
    ] | UnsetType = UNSET


class Requirement(msgspec.Struct):
    """A rule that is not met, in both languages (`reasons` of a weak password, `missing`
    requirements of a room)."""

    code: str
    ja: str
    en: str


class Refusal(msgspec.Struct, rename="camel"):
    """A user who cannot be a room member, and why (`refused` of members_not_eligible)."""

    user_id: str
    code: str
    ja: str
    en: str


class PossibleDuplicate(msgspec.Struct, rename="camel"):
    """A patient on record who may be the one a new room is for (possible_duplicate_patient)."""

    patient_id: str
    name: str
    birth_date: str
    matched_on: list[str]
    room_id: str | None
    room_status: str | None
    room_label: str | None


class Error(msgspec.Struct, rename="camel", omit_defaults=True, forbid_unknown_fields=True):
    """Every error answer of the API (4xx and 5xx). `error` is for programs, `message` is for
    people, in the request's language: English when Accept-Language starts with `en`,
    Japanese otherwise. The other keys appear only with the errors named in their
    descriptions."""

    error: Annotated[
        str,
        msgspec.Meta(
            description="Machine-readable code, e.g. invalid_input, invalid_json, "
            "unauthenticated, unlock_required, device_mismatch, device_required, csrf, "
            "api_navigation, forbidden, not_found, conflict, wrong_step, body_too_large, "
            "rate_limited.",
            examples=["invalid_input"],
        ),
    ]
    message: Annotated[
        str,
        msgspec.Meta(
            description="Human-readable text in the request's language (Japanese or English).",
            examples=["入力内容に誤りがあります。"],
        ),
    ]
    details: Annotated[
        list[ValidationDetail],
        msgspec.Meta(description="invalid_input from request validation: each problem found."),
    ] | UnsetType = UNSET
    wipe: Annotated[
        bool, msgspec.Meta(description="device_wiped: always true; the PWA wipes its data.")
    ] | UnsetType = UNSET
    limit_bytes: Annotated[
        int, msgspec.Meta(description="body_too_large: the route's body limit in bytes.")
    ] | UnsetType = UNSET
    retry_after: Annotated[
        int,
        msgspec.Meta(description="rate_limited, too_many_connections: seconds to wait "
                     "(also in Retry-After)."),
    ] | UnsetType = UNSET
    state: Annotated[
        str, msgspec.Meta(description="application_not_submitted: the application's state.")
    ] | UnsetType = UNSET
    title_ids: Annotated[
        list[str], msgspec.Meta(description="unknown_titles: the ids not in this room.")
    ] | UnsetType = UNSET
    current_version: Annotated[
        str, msgspec.Meta(description="pledge_outdated: the pledge version shown today.")
    ] | UnsetType = UNSET
    missing: Annotated[
        list[Requirement],
        msgspec.Meta(description="room_requirements_missing: what the room still needs."),
    ] | UnsetType = UNSET
    reasons: Annotated[
        list[Requirement],
        msgspec.Meta(description="weak_password: each rule the password breaks."),
    ] | UnsetType = UNSET
    refused: Annotated[
        list[Refusal],
        msgspec.Meta(description="members_not_eligible: each user refused, and why."),
    ] | UnsetType = UNSET
    field: Annotated[
        str, msgspec.Meta(description="invalid_subscription, invalid_quiet_hours: the field.")
    ] | UnsetType = UNSET
    duplicates: Annotated[
        list[PossibleDuplicate],
        msgspec.Meta(description="possible_duplicate_patient: the patients already on record "
                     "and their rooms (a closed one can be reopened)."),
    ] | UnsetType = UNSET
    unknown_rooms: Annotated[
        list[str], msgspec.Meta(description="room_choices_invalid: rooms the person is not in.")
    ] | UnsetType = UNSET
    missing_rooms: Annotated[
        list[str],
        msgspec.Meta(description="room_choices_invalid: rooms the person is in, not chosen for."),
    ] | UnsetType = UNSET


# The component is closed (additionalProperties: false): a key the mapper starts sending
# without being listed above makes the fuzzer's schema check fail, not pass silently.
ErrorBody = Annotated[Error, KwargDefinition(schema_extra={"additional_properties": False})]


_DESCRIPTIONS = {
    400: "Bad input (invalid_input with `details` from validation, invalid_json, or a domain "
    "code), or no device id (device_required); nothing was changed.",
    401: "Not signed in (unauthenticated), a session of another device (device_mismatch), "
    "no or a stale unlock proof (unlock_required), a sign-in step failed "
    "(invalid_credentials, invalid_code, reauth_required), or this device was wiped "
    "(device_wiped, `wipe`). See docs/api/requests.md.",
    403: "Not allowed: an address-bar navigation (api_navigation), CSRF check failed (csrf), "
    "role or room permission (forbidden, read_only, …), or client certificate "
    "(client_cert_required, client_cert_mismatch).",
    404: "Not found, or not visible to this user (the same answer).",
    409: "Not possible in the current state (conflict, wrong_step, already_member, …).",
    410: "The link was withdrawn (link_revoked).",
    413: "The request body is too large (body_too_large with `limitBytes`, image_too_large).",
    415: "Not a supported image (unsupported_image), or a consent scan that is not a plain "
    "PDF or image (unsupported_scan, pdf_active_content).",
    429: "Too many requests (rate_limited, too_many_connections, too_many_requests); "
    "see Retry-After and `retryAfter`.",
}

_EXAMPLES: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {
    400: (
        {"error": "invalid_input", "message": "入力内容に誤りがあります: Validation failed "
         "for POST /api/sync/pull", "details": [{"message": "Expected `str`, got `int`",
                                                 "key": "cursor", "source": "body"}]},
        {"error": "invalid_input", "message": "The input is not valid: Validation failed "
         "for POST /api/sync/pull", "details": [{"message": "Expected `str`, got `int`",
                                                 "key": "cursor", "source": "body"}]},
    ),
    401: (
        {"error": "unauthenticated", "message": "ログインしてください。"},
        {"error": "unauthenticated", "message": "Please sign in."},
    ),
    403: (
        {"error": "csrf",
         "message": "画面を再読み込みしてからもう一度お試しください（CSRF）。"},
        {"error": "csrf", "message": "Please reload the page and try again (CSRF check failed)."},
    ),
    404: (
        {"error": "not_found", "message": "見つかりません。"},
        {"error": "not_found", "message": "Not found."},
    ),
    409: (
        {"error": "conflict", "message": "現在の状態ではこの操作はできません。"},
        {"error": "conflict", "message": "This cannot be done in the current state."},
    ),
    410: (
        {"error": "link_revoked", "message": "この招待は市の担当者によって取り消されました。"
         "心当たりがある場合は市の担当窓口にお問い合わせください。"},
        {"error": "link_revoked", "message": "This invitation was revoked by the city. "
         "If you expected it, please contact the city's office."},
    ),
    413: (
        {"error": "body_too_large", "message": "送信されたデータが大きすぎます（上限 64 KB）。"
         "内容を減らしてお試しください。", "limitBytes": 65536},
        {"error": "body_too_large", "message": "The request is too large (at most 64 KB). "
         "Please send less.", "limitBytes": 65536},
    ),
    415: (
        {"error": "unsupported_image", "message": "JPEG・PNG・WebP の写真のみ送信できます。"},
        {"error": "unsupported_image", "message": "Only JPEG, PNG and WebP photos can be sent."},
    ),
    429: (
        {"error": "rate_limited", "message": "通知設定の変更の回数が多すぎます。30 秒ほど"
         "待ってからお試しください。", "retryAfter": 30},
        {"error": "rate_limited", "message": "Too many notification changes. Please wait "
         "about 30 s and try again.", "retryAfter": 30},
    ),
}


def error_response(status: int) -> ResponseSpec:
    """The `Error` answer for one status, with a Japanese and an English example."""
    ja, en = _EXAMPLES[status]
    return ResponseSpec(
        data_container=ErrorBody,
        description=_DESCRIPTIONS[status],
        generate_examples=False,
        examples=[
            Example(summary="日本語 (Accept-Language: ja)", value=ja),
            Example(summary="English (Accept-Language: en)", value=en),
        ],
    )


def error_statuses(
    method: str, path: str, declared: RoutePolicy, *, has_path_params: bool
) -> set[int]:
    """The error statuses an operation can answer (see the module docstring for why)."""
    method = method.upper()
    statuses = {400, 401}
    changes = method not in SAFE_METHODS
    # Every route the app calls refuses navigations (api_navigation, docs/api/requests.md).
    if changes or declared.auth != "public" or not declared.bare:
        statuses.add(403)
    if changes:
        statuses.add(413)
    if has_path_params:
        statuses.add(404)
    if declared.rate is not None or declared.stream:
        statuses.add(429)
    if declared.own_body_limit and method == "POST":
        statuses |= {413, 415}
    statuses |= declared.refuses
    return statuses


def _routes(app: Litestar) -> Iterable[HTTPRoute]:
    return (route for route in app.routes if isinstance(route, HTTPRoute))


def document_errors(app: Litestar) -> None:
    """Give every documented handler its error answers (replacing Litestar's default 400)."""
    for route in _routes(app):
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            declared = RoutePolicy.of(handler)
            if declared is None:
                continue  # refused by PolicyMiddleware; tests/test_route_policy.py names it
            statuses: set[int] = set()
            for method in handler.http_methods:
                statuses |= error_statuses(
                    method, route.path_format, declared,
                    has_path_params=bool(route.path_parameters),
                )
            responses = dict(handler.responses or {})
            for status in sorted(statuses):
                responses[status] = error_response(status)
            handler.responses = responses
