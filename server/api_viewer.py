"""The OpenAPI viewer at /schema/swagger: off unless CAREBOOK_API_VIEWER is on.

The document itself (/schema/openapi.json) is always served. The viewer is swagger-ui from
the project's own files (npm swagger-ui-dist, copied into pwa/dist/api-viewer/ by the PWA
build) under a CSP of script-src 'self': nothing from a CDN, no inline script, so no third
party's code runs on carebook's origin with a visitor's cookies.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, get
from litestar.response import File

from .errors import NotFound
from .route_policy import policy
from .settings import Settings

VIEWER_PATH = "/schema/swagger"
VIEWER_DIR = "api-viewer"
_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "viewer.js": "text/javascript",
}
_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>carebook API</title>
<link rel="stylesheet" href="{VIEWER_PATH}/swagger-ui.css">
<script src="{VIEWER_PATH}/swagger-ui-bundle.js" defer></script>
<script src="{VIEWER_PATH}/viewer.js" defer></script>
</head>
<body><div id="swagger-ui"></div></body>
</html>
""".encode()

PUBLIC = policy(auth="public")


@get(VIEWER_PATH, include_in_schema=False, sync_to_thread=False, opt=PUBLIC)
def viewer_page() -> Response[bytes]:
    return Response(_PAGE, media_type="text/html", headers={"Cache-Control": "no-cache"})


@get(f"{VIEWER_PATH}/{{name:str}}", include_in_schema=False, sync_to_thread=False, opt=PUBLIC)
def viewer_file(name: str, settings: Settings) -> File:
    media_type = _FILES.get(name)
    path = settings.pwa_dir / VIEWER_DIR / name
    if media_type is None or not path.is_file():
        raise NotFound()
    return File(path=path, filename=name, media_type=media_type,
                content_disposition_type="inline", headers={"Cache-Control": "no-cache"})


def viewer_route_handlers(settings: Settings) -> list[Any]:
    """The viewer's routes, or none: with the setting off, /schema/swagger is a 404."""
    if not settings.ops.api_viewer:
        return []
    # The viewer's files are public; its router's other answers (OPTIONS) are not.
    return [Router(path="/", opt=policy(auth="full"), route_handlers=[viewer_page, viewer_file])]
