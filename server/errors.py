"""Domain errors, and the one place that maps every error to an HTTP answer.

Each answer is `{"error": code, "message": text}` in the user's language
(Japanese unless the request prefers English), plus any extra fields. Nothing
internal leaks: an unexpected exception is logged and answered with a generic 500.

Every refusal goes through here: those raised in handlers, services and guards by the
exception handlers below, and those of the middleware that refuse before routing
(sign-in, CSRF, body and rate limits, bad JSON) by `send_error`. Both build the body with
`error_body` and choose the language with `prefers_english`; no other module does either.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Scope, Send

log = logging.getLogger("carebook.errors")


class DomainError(Exception):
    """An error a nurse or a city clerk can act on, with its HTTP status and both languages."""

    status_code = 400
    code = "bad_request"
    message_ja = "リクエストを処理できませんでした。"
    message_en = "The request could not be processed."

    def __init__(
        self,
        message_ja: str | None = None,
        message_en: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.message_ja = message_ja or self.message_ja
        self.message_en = message_en or self.message_en
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.message_en)


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid_input"
    message_ja = "入力内容に誤りがあります。"
    message_en = "The input is not valid."


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"
    message_ja = "ログインしてください。"
    message_en = "Please sign in."


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    message_ja = "この操作を行う権限がありません。"
    message_en = "You are not allowed to do this."


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    message_ja = "見つかりません。"
    message_en = "Not found."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    message_ja = "現在の状態ではこの操作はできません。"
    message_en = "This cannot be done in the current state."


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"
    message_ja = "試行回数が多すぎます。しばらくしてからお試しください。"
    message_en = "Too many attempts. Please wait a moment and try again."


class InvalidJson(DomainError):
    """A body that is not JSON at all (bad UTF-8, broken syntax, absurd nesting): refused
    before any handler runs, with no traceback in the log."""

    status_code = 400
    code = "invalid_json"
    message_ja = "送信されたデータを読み取れませんでした（JSON の形式が正しくありません）。"
    message_en = "The request body could not be read: it is not valid JSON."


def english_wanted(accept_language: str) -> bool:
    """Does this `Accept-Language` rank English above Japanese? Japanese otherwise.

    The only two languages carebook answers in; the client's first choice among them wins
    (quality values respected, `*` and unknown languages ignored), and a request naming neither
    gets Japanese, the language of the city's staff.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.lower().split("-")[0]
        if primary in {"ja", "en"} and quality > 0:
            ranked.append((-quality, position, primary))
    return bool(ranked) and min(ranked)[2] == "en"


def prefers_english(scope: Scope) -> bool:
    """The language of this request's answers (see `english_wanted`); from the ASGI scope, so
    that middleware refusing before routing and the handlers below choose alike."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"accept-language":
            return english_wanted(value.decode("latin-1"))
    return False


def error_body(scope: Scope, error: DomainError) -> dict[str, Any]:
    """The one error shape: `{"error": code, "message": text, …extra}` (server/openapi.py's
    `Error`), the message in the request's language."""
    message = error.message_en if prefers_english(scope) else error.message_ja
    return {"error": error.code, "message": message, **error.extra}


async def send_error(scope: Scope, send: Send, error: DomainError) -> None:
    """Answer from middleware (before or around routing) exactly as the handlers below do."""
    payload = msgspec.json.encode(error_body(scope, error))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()],
    ]
    start: Any = {"type": "http.response.start", "status": error.status_code, "headers": headers}
    await send(start)
    body: Any = {"type": "http.response.body", "body": payload}
    await send(body)


def _internal(status_code: int = HTTP_500_INTERNAL_SERVER_ERROR) -> DomainError:
    return DomainError(
        "サーバーで問題が発生しました。しばらくしてからお試しください。",
        "Something went wrong on the server. Please try again later.",
        code="internal",
        status_code=status_code,
    )


_HTTP_CODES: dict[int, type[DomainError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: TooManyRequests,
}


def as_domain_error(exc: HTTPException) -> DomainError:
    """Litestar's own refusals (validation, the router's 404 and 405, guards) as ours."""
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException):
        details = exc.extra if isinstance(exc.extra, list) else []
        return InvalidInput(
            "入力内容に誤りがあります: " + (exc.detail or ""),
            "The input is not valid: " + (exc.detail or ""),
            details=details,
        )
    cls = _HTTP_CODES.get(exc.status_code)
    if cls is not None:
        return cls(headers=headers)
    if isinstance(exc, MethodNotAllowedException):
        return DomainError(
            "この操作には対応していません。",
            "Method not allowed.",
            code="method_not_allowed",
            status_code=405,
            headers=headers,
        )
    if exc.status_code >= 500:
        return _internal(exc.status_code)
    return DomainError(
        "リクエストを処理できませんでした: " + (exc.detail or ""),
        "The request could not be processed: " + (exc.detail or ""),
        code="bad_request",
        status_code=exc.status_code,
        headers=headers,
    )


def _domain_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return Response(error_body(request.scope, exc), status_code=exc.status_code,
                    headers=exc.headers)


def _http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:
        log.error("http error %s on %s", exc.status_code, request.url.path)
    return _domain_handler(request, as_domain_error(exc))


def _unexpected_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _domain_handler(request, _internal())


def answer_as(error: type[DomainError]) -> Any:
    """A route's own exception handler that answers `error` instead, e.g. an upload route's
    `RequestEntityTooLarge` as its `image_too_large`, in the one shape."""

    def handler(request: Request[Any, Any, Any], _exc: Exception) -> Response[Any]:
        return _domain_handler(request, error())

    return handler


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: _domain_handler,
    HTTPException: _http_handler,
    NotAuthorizedException: _http_handler,
    PermissionDeniedException: _http_handler,
    NotFoundException: _http_handler,
    Exception: _unexpected_handler,
}
