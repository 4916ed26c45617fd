"""HTTP for the admin screen's import: blank templates, files in (a dry run or an apply, as a
job the screen polls), and the activation of the people it issued (mails or letters)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter

from store.writer import begin_write

from ..auth.context import AuthContext
from ..errors import InvalidInput, NotFound
from ..mail.service import Mailer
from ..route_policy import policy
from ..settings import Settings
from . import jobs
from .activation import activation_letters, send_activation_mails
from .columns import KINDS, template_csv
from .engine import Upload
from .files import MAX_FILE_BYTES, SUFFIXES
from .rows import ImportContext
from .schemas import ActivationIn, ActivationLetterOut, ActivationQueuedOut, ImportJobOut

MAX_FILES = 12
TAGS = ["import"]
# Activation mails from the screen: 20 at a time, half a minute apart (a city's mail server
# and its neighbours' spam filters see a trickle, not a flood).
MAIL_BATCH = 20
MAIL_PAUSE_S = 30.0


def _context(auth: AuthContext) -> ImportContext:
    # Who may import is the routes' guard (server/imports/routes.py: admins_only).
    return ImportContext(settings=auth.settings, now=auth.now, ip=auth.ip,
                         user_agent=auth.user_agent, device_key=auth.device_key,
                         device=auth.device, session=auth.session, user=auth.user)


@get("/api/admin/imports/templates/{kind:str}", media_type="text/csv", tags=TAGS,
     summary="A blank template (UTF-8 with BOM): 事業所, 利用者, 患者, 部屋, 部屋参加者, 連絡帳")
async def import_template(kind: str) -> Response[bytes]:
    found = next((k for k in KINDS if k.key == kind), None)
    if found is None:
        raise NotFound("その種類のテンプレートはありません。", "No such template.",
                       code="template_not_found")
    return Response(template_csv(found), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{found.key}.csv"'})


@post("/api/admin/imports", status_code=202, tags=TAGS,
      summary="Import the city's files: multipart/form-data, one or more `files` parts (CSV or "
              "xlsx); answers a job to poll; dryRun (default) writes nothing",
      request_max_body_size=MAX_FILES * MAX_FILE_BYTES, opt=policy(rate="upload"))
async def start_import(
    request: Request[Any, Any, Any],
    auth: AuthContext,
    dry_run: Annotated[bool, QueryParameter(name="dryRun")] = True,
) -> ImportJobOut:
    ctx = _context(auth)  # the guard checked the clerk's right before the body was read
    try:
        form = await request.form()
        files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
    except Exception:  # not multipart, or broken: the same clear refusal
        files = []
    if not files or len(files) > MAX_FILES:
        raise InvalidInput(f"ファイルを1〜{MAX_FILES}個選んでください。",
                           f"Choose 1 to {MAX_FILES} files.", code="files_required")
    uploads = []
    for file in files:
        if not file.filename.lower().endswith(SUFFIXES):
            raise InvalidInput(f"{file.filename}：CSV（.csv）か Excel（.xlsx）を選んでください。",
                               f"{file.filename}: choose CSV or .xlsx files.",
                               code="unsupported_file")
        uploads.append(Upload(file.filename, await file.read()))
    job = jobs.start(request.app.state.sessionmaker, ctx, uploads, dry_run=dry_run)
    return job.out()


@get("/api/admin/imports/{job_id:uuid}", tags=TAGS,
     summary="An import's progress and, once done, its report")
async def import_status(job_id: uuid.UUID, auth: AuthContext) -> ImportJobOut:
    ctx = _context(auth)
    return jobs.get(job_id, ctx.user_id).out()


@post("/api/admin/imports/activation-mails", status_code=202, tags=TAGS,
      summary="Mail the imported people an activation link, in batches (no password is sent)")
async def activation_mails(request: Request[Any, Any, Any], data: ActivationIn,
                           auth: AuthContext, settings: Settings) -> ActivationQueuedOut:
    ctx = _context(auth)
    task = asyncio.create_task(send_activation_mails(
        request.app.state.sessionmaker, ctx, Mailer(settings), data.user_ids,
        batch=MAIL_BATCH, pause_s=MAIL_PAUSE_S))
    request.app.state.setdefault("import_mail_tasks", set()).add(task)
    return ActivationQueuedOut(queued=len(data.user_ids))


@post("/api/admin/imports/activation-letters", status_code=200, tags=TAGS,
      summary="Printable activation letters for imported people (codes shown this once)")
async def letters(request: Request[Any, Any, Any], data: ActivationIn,
                  auth: AuthContext) -> list[ActivationLetterOut]:

    ctx = _context(auth)
    async with request.app.state.sessionmaker() as session:
        await begin_write(session)
        made = await activation_letters(session, ctx, data.user_ids)
        await session.commit()
    return [ActivationLetterOut(**letter.__dict__) for letter in made]


ROUTE_HANDLERS = [import_template, start_import, import_status, activation_mails, letters]
