"""Security headers on every answer, and `no-store` on the API (SECURITY.md 22, 25)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# 'wasm-unsafe-eval' lets the PWA compile WebAssembly (Argon2id for the passcode,
# pwa/src/crypto/kdf.ts); it allows no eval() of JavaScript and no inline script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

# The OpenAPI viewer at /schema loads its own scripts; it is for developers and
# operators, so it gets a policy of its own instead of weakening the app's.
SCHEMA_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://unpkg.com; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://unpkg.com https://fonts.googleapis.com; img-src 'self' data: https:; "
    "font-src 'self' https://fonts.gstatic.com; frame-ancestors 'none'"
)


def security_headers_middleware_factory(hsts: bool) -> type:
    """Build the ASGI middleware; HSTS only when carebook is served over TLS."""

    class SecurityHeadersMiddleware:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return
            path: str = scope["path"]

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    schema = path == "/schema" or path.startswith("/schema/")
                    headers["Content-Security-Policy"] = (
                        SCHEMA_CSP if schema else CONTENT_SECURITY_POLICY
                    )
                    headers["X-Content-Type-Options"] = "nosniff"
                    headers["Referrer-Policy"] = "no-referrer"
                    headers["X-Frame-Options"] = "DENY"
                    headers["Cross-Origin-Opener-Policy"] = "same-origin"
                    headers["Permissions-Policy"] = (
                        "geolocation=(), microphone=(), camera=(self), payment=()"
                    )
                    if hsts:
                        headers["Strict-Transport-Security"] = (
                            "max-age=63072000; includeSubDomains"
                        )
                    if path.startswith("/api/"):
                        headers["Cache-Control"] = "no-store"
                        headers["Pragma"] = "no-cache"
                await send(message)

            await self.app(scope, receive, send_with_headers)

    return SecurityHeadersMiddleware
