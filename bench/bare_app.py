"""A bare Litestar app (one GET handler returning {"ok": true}) for the sync benchmark's
baseline: the same load generator against it in the same run tells how fast this machine is
right now, so each carebook figure can be read as a share of a bare handler.

    .venv/bin/uvicorn bench.bare_app:app --host 127.0.0.1 --port 8765 --no-access-log
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get


@get("/ok")
async def ok() -> dict[str, Any]:
    return {"ok": True}


app = Litestar([ok])
