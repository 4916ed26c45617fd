"""Security headers on every answer, and `no-store` on the API (SECURITY.md 22, 25)."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# One policy for the app and the API viewer (server/api_viewer.py) alike. 'wasm-unsafe-eval'
# lets the PWA compile WebAssembly (Argon2id for the passcode, pwa/src/crypto/kdf.ts); it
# allows no eval() of JavaScript and no inline script.
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


_CSP = b"content-security-policy"


def _headers(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]


def security_headers_middleware_factory(hsts: bool) -> type:
    """Build the ASGI middleware; HSTS only when carebook is served over TLS.

    The headers are encoded once here; each answer drops any header of the same name the
    handler set (but a Content-Security-Policy) and gets these appended (one pass over its
    headers, not one per header)."""
    common = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "geolocation=(), microphone=(), camera=(self), payment=()"),
    ]
    if hsts:
        common.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    api_only = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    app_csp = ("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    for_api = _headers(app_csp, *common, *api_only)
    for_pages = _headers(app_csp, *common)

    class SecurityHeadersMiddleware:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return
            path: str = scope["path"]
            # The API viewer (server/api_viewer.py) gets the app's policy too: its scripts are
            # our own files.
            if path.startswith("/api/"):
                extra = for_api
            else:
                extra = for_pages
            # A handler's own Content-Security-Policy is kept beside ours: a browser enforces
            # both, so it can only tighten (a document download's sandbox).
            names = {name for name, _ in extra} - {_CSP}

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    kept = [h for h in message.get("headers", ()) if bytes(h[0]).lower()
                            not in names]
                    message["headers"] = kept + extra
                await send(message)

            await self.app(scope, receive, send_with_headers)

    return SecurityHeadersMiddleware
