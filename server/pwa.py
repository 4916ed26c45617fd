"""Serve the built PWA: real files by path, `index.html` for every other app route."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.response import File

from .api_viewer import VIEWER_DIR
from .errors import NotFound
from .route_policy import policy
from .settings import Settings

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")

_NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>carebook</title>"
    "<p>PWA not built yet: run <code>make run</code> (or <code>npm run build</code> in pwa/).</p>"
)


def _cache_control(relative: str) -> str:
    if relative.startswith("assets/"):
        return "public, max-age=31536000, immutable"  # hashed file names
    return "no-cache"


@get(
    ["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False,
    opt=policy(auth="public"),
)
def serve_pwa(settings: Settings, request: Request[Any, Any, Any]) -> Response[bytes] | File:
    relative = str(request.path_params.get("path", "")).lstrip("/")
    if relative.startswith(("api/", f"{VIEWER_DIR}/")) or relative == "api":
        raise NotFound()  # the API viewer's files only through /schema/swagger, when enabled
    root = settings.pwa_dir.resolve()
    if relative:
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return File(
                path=candidate,
                filename=candidate.name,
                content_disposition_type="inline",
                headers={"Cache-Control": _cache_control(relative)},
            )
        if Path(relative).suffix and not relative.endswith(".html"):
            raise NotFoundException()
    index = root / "index.html"
    if not index.is_file():
        return Response(_NOT_BUILT.encode(), media_type="text/html")
    return Response(
        index.read_bytes(),
        media_type="text/html",
        headers={"Cache-Control": "no-cache"},
    )


# The app's files are public; anything else on this router (its OPTIONS answers) is not.
ROUTE_HANDLERS: list[Any] = [
    Router(path="/", opt=policy(auth="full"), route_handlers=[serve_pwa]),
]
