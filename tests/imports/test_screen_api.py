"""The admin screen's import API: blank templates, files checked as a job the screen polls,
applied, and the people it issued sent their activation (mail in batches, or letters)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from server.imports.columns import KINDS
from tests.admin.conftest import City, SignIn, audit_events
from tests.support.smtp import SmtpSink

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


async def _files(api: Any, folder: str, *, dry_run: bool) -> dict[str, Any]:
    files = [("files", (p.name, p.read_bytes(), "text/csv"))
             for p in sorted((FIXTURES / folder).iterdir()) if p.suffix == ".csv"]
    started = await api.http.post(f"/api/admin/imports?dryRun={str(dry_run).lower()}",
                                  files=files, headers=api.headers())
    assert started.status_code == 202, started.text
    job = started.json()
    for _ in range(600):
        if job["state"] != "running":
            return job  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
        job = (await api.get(f"/api/admin/imports/{job['id']}")).json()
    raise AssertionError("the import did not finish")


async def test_templates_are_blank_csv_with_the_documented_headers(
    city: City, sign_in: SignIn
) -> None:
    admin = await sign_in(city.users["admin"])
    for kind in KINDS:
        got = await admin.get(f"/api/admin/imports/templates/{kind.key}")
        assert got.status_code == 200
        assert got.content.startswith(b"\xef\xbb\xbf")
        header = got.content.decode("utf-8-sig").strip().split(",")
        assert header == [c.header for c in kind.columns]
    assert (await admin.get("/api/admin/imports/templates/nothing")).status_code == 404


async def test_the_screen_checks_applies_and_activates(
    city: City, sign_in: SignIn, smtp: SmtpSink, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    mistakes = await _files(admin, "mistakes", dry_run=True)
    assert mistakes["state"] == "done" and not mistakes["applied"]
    assert len(mistakes["report"]["problems"]) == 10
    first = mistakes["report"]["problems"][0]
    assert (first["file"], first["row"], first["column"]) == ("利用者.csv", 5, "事業所番号")
    checked = await _files(admin, "cp932", dry_run=True)
    assert checked["report"]["ok"] and not checked["applied"]
    assert checked["progress"]["done"] == checked["progress"]["total"] == 345
    applied = await _files(admin, "cp932", dry_run=False)
    assert applied["applied"] and len(applied["issued"]) == 30
    assert len(await audit_events(sessionmaker, "import.files_checked")) == 2
    assert len(await audit_events(sessionmaker, "import.files_applied")) == 1

    with_mail = [p["userId"] for p in applied["issued"] if p["hasEmail"]][:3]
    queued = await admin.post("/api/admin/imports/activation-mails", {"userIds": with_mail})
    assert queued.status_code == 202 and queued.json() == {"queued": 3}
    mails = smtp.wait_for(3, timeout=20)
    assert {m.to.split("@")[0] for m in mails} == {
        p["loginId"] for p in applied["issued"] if p["userId"] in with_mail}
    without = [p["userId"] for p in applied["issued"] if not p["hasEmail"]]
    letters = await admin.post("/api/admin/imports/activation-letters", {"userIds": without})
    assert letters.status_code == 200
    assert len(letters.json()) == 3 and all(len(x["code"]) == 24 for x in letters.json())

    nurse = await sign_in(city.users["station_nurse"])
    refused = await nurse.get(f"/api/admin/imports/{applied['id']}")
    assert refused.status_code == 403
