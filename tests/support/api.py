"""A test client that talks to the API the way the PWA does (docs/api/requests.md): device id,
CSRF token, Origin, and the unlock secret handed out at sign-in."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pyotp

ORIGIN = "http://localhost:8000"


class ApiClient:
    """Wraps an httpx-compatible client (Litestar's AsyncTestClient or httpx.AsyncClient)."""

    def __init__(self, http: Any, *, device: str | None = None, origin: str = ORIGIN) -> None:
        self.http = http
        self.device = device or secrets.token_urlsafe(16)
        self.origin = origin
        self.csrf: str | None = None
        # Kept from the answer that completed sign-in; sent with every request, as the PWA
        # does while unlocked. `lock()` replaces it; None is a locked app.
        self.unlock: str | None = None

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Carebook-Device": self.device, "Origin": self.origin}
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        if self.unlock:
            headers["X-Carebook-Unlock"] = self.unlock
        headers.update(extra or {})
        return headers

    async def refresh_csrf(self) -> str:
        response = await self.http.get("/api/auth/csrf", headers=self.headers())
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrfToken"]
        return self.csrf

    def _keep_csrf(self, response: httpx.Response) -> None:
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and body.get("csrfToken"):
                self.csrf = body["csrfToken"]
            if isinstance(body, dict) and body.get("unlockSecret"):
                self.unlock = body["unlockSecret"]

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(
            path, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    async def request(
        self, method: str, path: str, json: Any = None, **kwargs: Any
    ) -> httpx.Response:
        if self.csrf is None:
            await self.refresh_csrf()
        extra = kwargs.pop("headers", None)
        response = await self.http.request(
            method, path, json=json, headers=self.headers(extra), **kwargs
        )
        if response.status_code == 403 and response.json().get("error") == "csrf":
            # The session behind the token ended: fetch a new token once, as the PWA does.
            await self.refresh_csrf()
            response = await self.http.request(
                method, path, json=json, headers=self.headers(extra), **kwargs
            )
        self._keep_csrf(response)
        return response

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, json=json, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)

    async def lock(self) -> str | None:
        """Lock as the PWA does: send the next unlock secret (kept by the caller, as the PWA
        seals it), forget the current one. Answers the next secret, or None if refused."""
        next_secret = secrets.token_urlsafe(32)
        answer = await self.post("/api/auth/lock", {"nextUnlockSecret": next_secret})
        self.unlock = None
        return next_secret if answer.status_code == 200 else None

    async def login(self, login_id: str, password: str) -> httpx.Response:
        return await self.post("/api/auth/login", {"loginId": login_id, "password": password})

    async def sign_in_totp(
        self, login_id: str, password: str, secret: str, at: Any = None
    ) -> httpx.Response:
        """Password, then a TOTP code for `at` (the app's injected clock time)."""
        first = await self.login(login_id, password)
        assert first.status_code == 200, first.text
        assert first.json()["next"] in {"totp", "choose"}, first.json()
        code = pyotp.TOTP(secret).at(at) if at is not None else pyotp.TOTP(secret).now()
        return await self.post("/api/auth/totp", {"code": code})
