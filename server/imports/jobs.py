"""The admin screen's imports: each runs as a background task of the process that received the
files, and the screen polls it for its progress and, at the end, its report.

The same engine as `carebook import`: one write transaction, committed only when the report
is clean and the clerk did not ask for a dry run. A job lives in the memory of its process
(for an hour after it ends); behind a load balancer with several `carebook serve`
processes, send a city's big import from the command line or pin the admin screen to one
process (docs/import.md).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.writer import begin_write

from ..errors import NotFound
from .engine import Outcome, Upload, record_dry_run, run_import
from .progress import Progress
from .rows import ImportContext
from .schemas import ImportJobOut, IssuedPersonOut

KEEP_S = 3600.0


@dataclass
class ImportJob:
    id: uuid.UUID
    owner_id: uuid.UUID | None
    dry_run: bool
    progress: Progress = field(default_factory=Progress)
    state: str = "running"  # running | done | failed
    outcome: Outcome | None = None
    applied: bool = False
    issued: list[IssuedPersonOut] = field(default_factory=list)
    ended: float | None = None
    task: asyncio.Task[None] | None = None

    def out(self) -> ImportJobOut:
        return ImportJobOut(
            id=self.id, state=self.state,  # type: ignore[arg-type]  # running | done | failed
            dry_run=self.dry_run, applied=self.applied, progress=self.progress.out(),
            report=self.outcome.report.out() if self.outcome is not None else None,
            files=self.outcome.files if self.outcome else {},
            notes=self.outcome.notes if self.outcome else [],
            issued=self.issued,
        )


_JOBS: dict[uuid.UUID, ImportJob] = {}


def _forget_old() -> None:
    now = time.monotonic()
    for job_id in [k for k, j in _JOBS.items() if j.ended and now - j.ended > KEEP_S]:
        del _JOBS[job_id]


def start(sessionmaker: async_sessionmaker[AsyncSession], ctx: ImportContext,
          uploads: list[Upload], *, dry_run: bool) -> ImportJob:
    _forget_old()
    job = ImportJob(id=uuid.uuid4(), owner_id=ctx.user_id, dry_run=dry_run)
    _JOBS[job.id] = job
    job.task = asyncio.create_task(_run(job, sessionmaker, ctx, uploads))
    return job


async def _run(job: ImportJob, sessionmaker: async_sessionmaker[AsyncSession],
               ctx: ImportContext, uploads: list[Upload]) -> None:
    try:
        async with sessionmaker() as session:
            await begin_write(session)
            outcome = await run_import(session, ctx, uploads, progress=job.progress)
            job.applied = outcome.report.ok and not job.dry_run
            if job.applied:
                job.issued = [IssuedPersonOut(
                    user_id=u.id, login_id=u.login_id, name=u.name,
                    office_name=u.office.name if u.office else "", has_email=bool(u.email),
                ) for u in outcome.issued]
                await session.commit()
            else:
                await session.rollback()
                await record_dry_run(session, ctx, outcome)
            job.outcome = outcome
            job.state = "done"
    except Exception:
        job.state = "failed"
        raise
    finally:
        job.ended = time.monotonic()


def get(job_id: uuid.UUID, owner_id: uuid.UUID | None) -> ImportJob:
    job = _JOBS.get(job_id)
    if job is None or job.owner_id != owner_id:
        raise NotFound("この取り込みは見つかりません（1時間で消えます）。",
                       "No such import (they are kept for an hour).", code="import_not_found")
    return job
