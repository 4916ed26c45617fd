"""Domain errors, and the one place that maps every error to an HTTP answer.

Each answer is `{"error": code, "message": text}` in the user's language
(Japanese unless the request prefers English), plus any extra fields. Nothing
internal leaks: an unexpected exception is logged and answered with a generic 500.
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


def prefers_english(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return first.startswith("en")


def scope_prefers_english(scope: Scope) -> bool:
    """`prefers_english` for middleware, which has the ASGI scope but no request yet."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"accept-language":
            first = value.decode("latin-1").split(",")[0].strip().lower()
            return first.startswith("en")
    return False


async def send_error(scope: Scope, send: Send, error: DomainError) -> None:
    """Answer from middleware (before or around routing) exactly as the handlers below do."""
    message = error.message_en if scope_prefers_english(scope) else error.message_ja
    payload = msgspec.json.encode({"error": error.code, "message": message, **error.extra})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *[(k.lower().encode(), v.encode()) for k, v in error.headers.items()],
    ]
    start: Any = {"type": "http.response.start", "status": error.status_code, "headers": headers}
    await send(start)
    body: Any = {"type": "http.response.body", "body": payload}
    await send(body)


def error_body(request: Request[Any, Any, Any], exc: DomainError) -> dict[str, Any]:
    message = exc.message_en if prefers_english(request) else exc.message_ja
    return {"error": exc.code, "message": message, **exc.extra}


def _domain_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return Response(error_body(request, exc), status_code=exc.status_code, headers=exc.headers)


def _validation_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Any]:
    details = exc.extra if isinstance(exc.extra, list) else []
    error = InvalidInput(
        "入力内容に誤りがあります: " + (exc.detail or ""),
        "The input is not valid: " + (exc.detail or ""),
        details=details,
    )
    return _domain_handler(request, error)


_HTTP_CODES = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: TooManyRequests,
}


def _http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        return _validation_handler(request, exc)
    cls = _HTTP_CODES.get(exc.status_code)
    if cls is not None:
        return _domain_handler(request, cls(headers=dict(exc.headers or {})))
    if isinstance(exc, MethodNotAllowedException):
        return _domain_handler(
            request,
            DomainError(
                "この操作には対応していません。",
                "Method not allowed.",
                code="method_not_allowed",
                status_code=405,
                headers=dict(exc.headers or {}),
            ),
        )
    if exc.status_code >= 500:
        log.error("http error %s on %s", exc.status_code, request.url.path)
        return _domain_handler(
            request,
            DomainError(
                "サーバーで問題が発生しました。しばらくしてからお試しください。",
                "Something went wrong on the server. Please try again later.",
                code="internal",
                status_code=exc.status_code,
            ),
        )
    return _domain_handler(
        request,
        DomainError(
            "リクエストを処理できませんでした: " + (exc.detail or ""),
            "The request could not be processed: " + (exc.detail or ""),
            code="bad_request",
            status_code=exc.status_code,
            headers=dict(exc.headers or {}),
        ),
    )


def _unexpected_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _domain_handler(
        request,
        DomainError(
            "サーバーで問題が発生しました。しばらくしてからお試しください。",
            "Something went wrong on the server. Please try again later.",
            code="internal",
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        ),
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: _domain_handler,
    HTTPException: _http_handler,
    NotAuthorizedException: _http_handler,
    PermissionDeniedException: _http_handler,
    NotFoundException: _http_handler,
    Exception: _unexpected_handler,
}
