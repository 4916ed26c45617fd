"""Issue 13, item 5: the OpenAPI viewer runs from the project's own files under a CSP without
inline scripts or other origins, and only when CAREBOOK_API_VIEWER enables it; the JSON
document is served either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Request, expect

from .server import live_server_process


def test_the_viewer_is_off_by_default_and_the_document_is_served(
    data_dir: Path, database_url: str, desktop: BrowserContext
) -> None:
    with live_server_process(data_dir, database_url) as server:
        page = desktop.new_page()
        assert page.goto(server.url + "/schema/swagger").status == 404  # type: ignore[union-attr]
        assert page.goto(  # type: ignore[union-attr]
            server.url + "/schema/swagger/swagger-ui-bundle.js").status == 404
        # Nor are the viewer's files reachable as plain PWA files.
        assert page.goto(server.url + "/api-viewer/viewer.js").status == 404  # type: ignore[union-attr]
        document = page.request.get(server.url + "/schema/openapi.json")
        assert document.status == 200
        assert document.json()["info"]["title"] == "carebook API"


def test_the_enabled_viewer_renders_from_our_own_files_under_a_strict_csp(
    data_dir: Path, database_url: str, desktop: BrowserContext, screenshot: Any
) -> None:
    with live_server_process(data_dir, database_url, CAREBOOK_API_VIEWER="1") as server:
        page = desktop.new_page()
        requests: list[str] = []
        violations: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if isinstance(r, Request) else None)
        page.on("console", lambda m: violations.append(m.text)
                if "Content Security Policy" in m.text else None)
        answer = page.goto(server.url + "/schema/swagger")
        assert answer is not None and answer.status == 200
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "https:" not in csp and "cdn" not in csp
        # swagger-ui rendered the document: its title and an operation of ours.
        expect(page.locator(".swagger-ui .title")).to_contain_text("carebook API", timeout=30_000)
        expect(page.locator(".opblock-summary-path", has_text="/api/sync/pull").first
               ).to_be_visible()
        screenshot(page, "desktop")
        assert violations == []
        assert all(url.startswith(server.url) for url in requests), requests
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
