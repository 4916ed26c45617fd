"""The OpenAPI document as a file: what `/schema/openapi.json` serves, built without a
database or a data directory, for `carebook openapi` and the PWA's generated types
(`make api-types` → `pwa/src/generated/api.ts`).

The document does not depend on an installation's settings (only on the code), so it
is built on throwaway settings in a temporary directory; the same code always gives the
same bytes (keys sorted), which is what lets a test notice a stale generated file.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

from .app import create_app
from .settings import load_settings


def openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="carebook-openapi-") as directory:
        settings = load_settings({
            "CAREBOOK_DATA_DIR": directory,
            "CAREBOOK_SECRET_KEY": "openapi-document-only-" + "x" * 32,
            "CAREBOOK_BASE_URL": "http://localhost:8000",
        })
        document: dict[str, Any] = create_app(settings).openapi_schema.to_schema()
    return document


def openapi_json() -> str:
    return json.dumps(openapi_document(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
