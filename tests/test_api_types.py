"""The PWA's wire types are generated from the server's OpenAPI document, and the committed
file is the one today's server gives (`make api-types`; docs/api/README.md).

The check runs the real generator (openapi-typescript, `pwa/scripts/api-types.mjs`) on the
document the app serves, so a Struct changed without regenerating fails here and in CI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from server.api_document import openapi_document, openapi_json

ROOT = Path(__file__).resolve().parent.parent
PWA = ROOT / "pwa"
GENERATED = PWA / "src" / "generated" / "api.ts"


def generator(document: str, *args: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is needed to generate the PWA's types"
    return subprocess.run(
        [node, "scripts/api-types.mjs", *args],
        cwd=PWA, input=document, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_committed_types_are_what_the_server_document_gives() -> None:
    checked = generator(openapi_json(), "--check")
    assert checked.returncode == 0, checked.stderr


def test_a_changed_shape_makes_the_committed_types_stale() -> None:
    document: dict[str, Any] = openapi_document()
    post = document["components"]["schemas"]["PostData"]
    post["properties"]["readAloud"] = {"type": "boolean"}
    post["required"].append("readAloud")
    checked = generator(json.dumps(document), "--check")
    assert checked.returncode == 1
    assert "make api-types" in checked.stderr
    assert "readAloud" not in GENERATED.read_text(encoding="utf-8")  # --check writes nothing


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        # Every mutation, tagged by its name, with its own arguments.
        ("PostCreateMutation", 'name: "post.create"'),
        ("ReceiptMarkMutation", 'args: components["schemas"]["ReceiptMark"]'),
        # A change is tagged by its entity type, so `data` narrows with it.
        ("PostChange", 'type: "post"'),
        ("PullOut", "lastMutationIds"),
    ],
)
def test_the_generated_types_carry_the_sync_contract(schema: str, fragment: str) -> None:
    text = GENERATED.read_text(encoding="utf-8")
    start = text.index(f"        {schema}: {{")
    block = text[start : text.index("\n        };", start)]
    assert fragment in block
