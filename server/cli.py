"""The `carebook` command: serve, migrate, load the demo, issue admins, set up a city.

Commands stay thin: they read settings, call one function that does the work
and turn its outcome into output and an exit status (0 done, 1 refused or
failed, 2 bad usage or a bad setting).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
from collections.abc import Callable
from datetime import UTC
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .clock import Clock

# The shared helpers, under the names this module's commands use.
from .commands import CONTEXT_SETTINGS
from .commands import fail as _fail
from .commands import settings_or_exit as _settings
from .commands import upgrade_apart_or_exit as _upgrade_apart
from .commands import upgrade_or_exit as _upgrade
from .commands import with_session as _with_session
from .ops.commands import OPS_COMMANDS
from .settings import Settings


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="carebook", prog_name="carebook")
def carebook() -> None:
    """carebook — 在宅医療・介護連携情報共有システム.

    Settings come from the environment (CAREBOOK_DATA_DIR, CAREBOOK_DATABASE_URL,
    CAREBOOK_BASE_URL, …); see the README.
    """


# --- serve -----------------------------------------------------------------------------------


async def _is_empty(session: AsyncSession) -> bool:
    from store.models import User

    count = (await session.execute(select(func.count()).select_from(User))).scalar_one()
    return int(count) == 0


async def _load_demo(session: AsyncSession, settings: Settings) -> str:
    """Load the demo and describe what was added ("6 offices, 9 users, …")."""
    from .demo.loader import load_demo

    summary = await load_demo(session, settings, Clock())
    await session.commit()
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        counts = dataclasses.asdict(summary)
        return ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
    return str(summary)


@carebook.command(context_settings=CONTEXT_SETTINGS)
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True,
              show_envvar=True, help="Address to listen on.")
@click.option("--port", envvar="PORT", default=8000, show_default=True, show_envvar=True,
              type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--demo-on-first-start", is_flag=True,
              help="Load the demo data when the database has no users yet (used by `make run`).")
@click.option("--no-worker", is_flag=True,
              help="Do not deliver push notifications in this process (run `carebook worker`).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes on one port (PostgreSQL only: on SQLite, writers queue "
                   "and live updates travel inside one process).")
def serve(host: str, port: int, demo_on_first_start: bool, no_worker: bool,
          workers: int) -> None:
    """Upgrade the database to head, then serve the API and the PWA."""
    import uvicorn

    from .app import create_app

    env = dict(os.environ)
    env["PORT"] = str(port)
    if no_worker:
        env["CAREBOOK_PUSH_WORKER"] = "0"
    settings = _settings(env)
    if workers > 1 and settings.database.dialect != "postgresql":
        _fail("--workers needs PostgreSQL (CAREBOOK_DATABASE_URL): on SQLite the "
              "writer queue and the live updates work within one process", status=2)
    _upgrade_apart(settings)
    if demo_on_first_start:

        async def first_start(session: AsyncSession) -> str | None:
            if not await _is_empty(session):
                return None
            return await _load_demo(session, settings)

        summary = _with_session(settings, first_start)
        if summary is not None:
            click.echo(f"carebook: empty database, demo data loaded: {summary}")
    click.echo(
        f"carebook: serving {settings.base_url} on {host}:{port} "
        f"(database {settings.database.dialect}, data in {settings.data_dir})"
    )
    if workers > 1:
        # Each process builds its own app from the same environment (`serve_app`); live
        # updates and sign-in changes travel between them through LISTEN/NOTIFY.
        os.environ.update({"PORT": str(port),
                           "CAREBOOK_PUSH_WORKER": env.get("CAREBOOK_PUSH_WORKER", "1")})
        uvicorn.run("server.app:serve_app", factory=True, workers=workers, host=host,
                    port=port, proxy_headers=False, log_level="info", log_config=None,
                    access_log=False)
        return
    from .ops.logging import configure_logging

    app = create_app(settings)
    configure_logging(settings.ops.log_format)  # after the app: it replaces Litestar's set-up
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        # carebook reads X-Forwarded-For/-Proto (and the client-certificate header) itself,
        # from CAREBOOK_TRUSTED_PROXIES only: server/ops/middleware.py.
        proxy_headers=False,
        log_level="info",
        log_config=None,  # configure_logging: JSON lines with request ids
        access_log=False,  # carebook's own access line names the route, not the query
    )
    uvicorn.Server(config).run()


# --- worker ----------------------------------------------------------------------------------


async def _run_workers(settings: Settings, *, once: bool, scheduler: bool) -> tuple[int, Any]:
    """The push worker and (unless switched off) the scheduler, side by side.

    The push worker owns SIGTERM/SIGINT; when it ends, the scheduler is cancelled (and
    gives its lease up).
    """
    from .push.worker import run_worker
    from .scheduler import run_scheduler

    jobs = asyncio.create_task(run_scheduler(settings, once=once)) if scheduler else None
    try:
        tried = await run_worker(settings, once=once)
        return tried, (await jobs if jobs is not None and once else None)
    finally:
        if jobs is not None and not jobs.done():
            jobs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await jobs


@carebook.command(context_settings=CONTEXT_SETTINGS)
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--no-scheduler", is_flag=True,
              help="Do not run the scheduler (ID stops due on their day) in this process.")
def worker(once: bool, no_scheduler: bool) -> None:
    """Deliver push notifications from the outbox (use with `carebook serve --no-worker`),
    and run the scheduler: ID stops carried out at 00:00 JST of their 停止希望日.

    Several workers may run against one PostgreSQL database (the scheduler's lease lets one
    of them work at a time); stops on SIGTERM/SIGINT after the sends in flight are recorded.
    """
    from .ops.logging import configure_logging

    settings = _settings()
    configure_logging(settings.ops.log_format)
    _upgrade_apart(settings)
    jobs = "" if no_scheduler else " and scheduler"
    click.echo(f"carebook: push worker{jobs} on database {settings.database.dialect}")
    tried, scheduled = asyncio.run(
        _run_workers(settings, once=once, scheduler=not no_scheduler)
    )
    if once:
        click.echo(f"carebook: {tried} push(es) tried")
        if scheduled is not None:
            if scheduled.held:
                click.echo(
                    f"carebook: {scheduled.work.stopped} ID stop(s) carried out, "
                    f"{scheduled.work.notices} notice(s) sent"
                )
            else:
                click.echo("carebook: another process holds the scheduler's lease")


# --- db --------------------------------------------------------------------------------------


@carebook.group(name="db", context_settings=CONTEXT_SETTINGS)
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command(context_settings=CONTEXT_SETTINGS)
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    settings = _settings()
    _upgrade(settings, revision)
    click.echo(f"carebook: database upgraded to {revision}")


@db_group.command(context_settings=CONTEXT_SETTINGS)
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION ('base' removes every table, '-1' one step)."""
    from . import migrate  # Alembic, for this command only

    settings = _settings()
    try:
        migrate.downgrade(settings, revision)
    except Exception as exc:
        _fail(f"cannot downgrade the database: {exc}")
    click.echo(f"carebook: database downgraded to {revision}")


@db_group.command(context_settings=CONTEXT_SETTINGS)
def current() -> None:
    """Show the database's current revision."""
    from . import migrate  # Alembic, for this command only

    settings = _settings()
    try:
        migrate.current(settings)
    except Exception as exc:
        _fail(f"cannot read the database's revision: {exc}")


@db_group.command(context_settings=CONTEXT_SETTINGS)
@click.option("-m", "--message", required=True, help="What the revision does.")
@click.option("--empty", is_flag=True,
              help="Write an empty revision instead of comparing the models with the database.")
def revision(message: str, empty: bool) -> None:
    """Write a new migration revision (autogenerated from the models unless --empty)."""
    from . import migrate  # Alembic, for this command only

    settings = _settings()
    try:
        migrate.revision(settings, message, autogenerate=not empty)
    except Exception as exc:
        _fail(f"cannot write a revision: {exc}")


# --- demo ------------------------------------------------------------------------------------


@carebook.command(context_settings=CONTEXT_SETTINGS)
def openapi() -> None:
    """Print the API's OpenAPI document (JSON), as `/schema/openapi.json` serves it.

    Needs no database: `make api-types` feeds it to the PWA's type generator.
    """
    from .api_document import openapi_json

    click.echo(openapi_json(), nl=False)


@carebook.command(context_settings=CONTEXT_SETTINGS)
def demo() -> None:
    """Load the demo data (demo accounts, offices, patients, rooms and posts).

    Refuses on a database that has real (non-demo) users. Never use on a live installation.
    """
    from .demo.loader import demo_loaded, has_non_demo_users

    settings = _settings()
    _upgrade(settings)

    async def work(session: AsyncSession) -> tuple[str, str]:
        if await has_non_demo_users(session):
            return "refused", ""
        if await demo_loaded(session):
            return "already", ""
        return "loaded", await _load_demo(session, settings)

    outcome, summary = _with_session(settings, work)
    if outcome == "refused":
        _fail(
            "refusing to load the demo data: this database has non-demo users. "
            "The demo is only for an empty database of its own (set CAREBOOK_DATA_DIR or "
            "CAREBOOK_DATABASE_URL to another one)."
        )
    if outcome == "already":
        click.echo("carebook: demo data already loaded; nothing to do")
        return
    click.echo(f"carebook: demo data loaded: {summary}")
    click.echo("carebook: demo accounts and their password are listed in the README")


# --- create-admin ----------------------------------------------------------------------------


def _check(problem_of: Callable[[str], str | None]) -> Callable[[click.Context, Any, str], str]:
    def callback(_ctx: click.Context, _param: Any, value: str) -> str:
        value = value.strip()
        problem = problem_of(value)
        if problem:
            raise click.BadParameter(problem)
        return value

    return callback


def _name_problem(value: str) -> str | None:
    return None if value else "the name must not be empty"


def _login_id_problem(value: str) -> str | None:
    from .operators import login_id_problem

    return login_id_problem(value)


def _email_problem(value: str) -> str | None:
    from .operators import email_problem

    return email_problem(value)


ROLE_CHOICES = {"operator": "operator", "municipal": "municipal_admin"}
ROLE_NAMES = {"operator": "operator", "municipal": "municipal admin (city clerk)"}


def _print_issued(issued: Any, what: str, name: str, email: str) -> None:
    expires = issued.user.password_expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(
        f"carebook: {what} {issued.user.login_id!r} created ({name}, {email}; "
        f"office {issued.office_name!r})"
    )
    click.echo(
        "Initial password (shown only now; it must be changed at the first sign-in, "
        f"and expires {expires} if unused):"
    )
    click.echo(f"initial-password: {issued.initial_password}")


@carebook.command(name="create-admin", context_settings=CONTEXT_SETTINGS)
@click.option("--login-id", prompt="Login ID", callback=_check(_login_id_problem),
              help="The new admin's login ID (prompted for when missing).")
@click.option("--name", prompt="Name (氏名)", callback=_check(_name_problem),
              help="The new admin's full name (prompted for when missing).")
@click.option("--email", prompt="E-mail", callback=_check(_email_problem),
              help="The new admin's e-mail address (prompted for when missing).")
@click.option("--role", type=click.Choice(sorted(ROLE_CHOICES)), default="operator",
              show_default=True,
              help="operator: runs the installation; municipal: a city clerk "
                   "(ユーザー管理者（市）) who reviews applications and keeps the ledger.")
@click.option("--office", "office_name", default=None,
              help="For --role municipal on a database without a city office: the name of "
                   "the office to create for the clerks (default 「市役所（ユーザー管理者）」).")
def create_admin(login_id: str, name: str, email: str, role: str, office_name: str | None) -> None:
    """Create an operator or a city clerk with a one-time initial password.

    The password is shown once; it must be changed at the first sign-in and
    expires if unused. Operators belong to the office 「システム管理」; clerks to
    the city's office (the one `carebook init-city` registered, else the first
    office of kind 市役所, else a new one). The default role stays `operator`, as
    before; later clerks are better created on the clerk-accounts screen.
    """
    from store.models.enums import Role

    from .operators import OperatorError, create_operator

    settings = _settings()
    _upgrade(settings)
    clock = Clock()

    async def work(session: AsyncSession) -> Any:
        office = None
        if role == "municipal":
            from .admin.city_setup import city_office

            office = await city_office(session, create_as=office_name)
        issued = await create_operator(
            session, settings, clock, login_id=login_id, name=name, email=email,
            role=Role(ROLE_CHOICES[role]), office=office,
        )
        await session.commit()
        return issued

    try:
        issued = _with_session(settings, work)
    except OperatorError as exc:
        _fail(str(exc))
    _print_issued(issued, ROLE_NAMES[role], name, email)


# --- init-city -------------------------------------------------------------------------------


def _phone_problem(value: str) -> str | None:
    if not re.fullmatch(r"\+?[0-9][0-9\-() ]{4,28}[0-9]", value):
        return "the phone number must look like 012-555-0100"
    return None


def _optional_email_problem(value: str) -> str | None:
    return _email_problem(value) if value else None


@carebook.command(name="init-city", context_settings=CONTEXT_SETTINGS)
@click.option("--city-name", prompt="City name (市の名前)", callback=_check(_name_problem),
              help="The city's name as shown on the help page and the forms (e.g. みどり市).")
@click.option("--desk-name", prompt="Registration desk (利用登録・運用の窓口)",
              callback=_check(_name_problem),
              help="The registration desk, e.g. 「みどり市役所 高齢福祉課 地域支援センター」; "
                   "it becomes the clerks' office.")
@click.option("--desk-phone", prompt="Registration desk phone", callback=_check(_phone_problem))
@click.option("--desk-email", prompt="Registration desk e-mail",
              callback=_check(_email_problem))
@click.option("--desk-postal-code", default="", help="〒 of the registration desk.")
@click.option("--desk-address", default="", help="Address of the registration desk.")
@click.option("--desk-hours", default="", help="Opening hours, e.g. 平日 8:30〜17:15.")
@click.option("--support-name", prompt="Coordination centre (在宅医療・介護連携支援センター)",
              callback=_check(_name_problem),
              help="Where professionals get help coordinating care for a patient.")
@click.option("--support-phone", prompt="Coordination centre phone",
              callback=_check(_phone_problem))
@click.option("--support-email", default="", callback=_check(_optional_email_problem),
              help="E-mail of the coordination centre.")
@click.option("--support-postal-code", default="")
@click.option("--support-address", default="")
@click.option("--support-hours", default="")
@click.option("--clerk-login-id", prompt="First clerk's login ID",
              callback=_check(_login_id_problem))
@click.option("--clerk-name", prompt="First clerk's name (氏名)", callback=_check(_name_problem))
@click.option("--clerk-email", prompt="First clerk's e-mail", callback=_check(_email_problem))
def init_city(**values: str) -> None:
    """Set up a new city: its name, its two help contacts and the first clerk.

    Run once on an empty database, before anyone signs in. The two contacts are those of
    the city's manual: the registration desk (ID applications and operation; it also
    becomes the clerks' office) and the home-care coordination centre. The first clerk
    (ユーザー管理者（市）) gets a one-time initial password, shown once. Refuses — and
    changes nothing — on a database that already has a city, city clerks or the demo
    data; change the contacts on the help page and add clerks on the clerk-accounts screen.
    """
    from store.models.enums import Role

    from .admin.city_setup import CityInit, CitySetupError, Contact, set_up_city
    from .operators import OperatorError, create_operator

    settings = _settings()
    _upgrade(settings)
    clock = Clock()

    def contact(prefix: str) -> Contact:
        return Contact(
            name=values[f"{prefix}_name"],
            phone=values[f"{prefix}_phone"],
            email=values[f"{prefix}_email"],
            postal_code=values[f"{prefix}_postal_code"].strip(),
            address=values[f"{prefix}_address"].strip(),
            hours=values[f"{prefix}_hours"].strip(),
        )

    city = CityInit(
        city_name=values["city_name"], desk=contact("desk"), support=contact("support")
    )

    async def work(session: AsyncSession) -> Any:
        office = await set_up_city(session, clock, city)
        issued = await create_operator(
            session, settings, clock,
            login_id=values["clerk_login_id"], name=values["clerk_name"],
            email=values["clerk_email"], role=Role.municipal_admin, office=office,
        )
        await session.commit()
        return issued

    try:
        issued = _with_session(settings, work)
    except (CitySetupError, OperatorError) as exc:
        _fail(str(exc))
    click.echo(f"carebook: city {city.city_name!r} set up; help contacts: "
               f"{city.desk.name} / {city.support.name}")
    _print_issued(issued, "city clerk", values["clerk_name"], values["clerk_email"])
    click.echo("Next: sign in as the clerk, register the offices with their システム管理担当者, "
               "and review the help page (docs/operations.md, 「市の初日」).")


# --- audit, backup, restore (server/ops/commands.py) -----------------------------------------

for _command in OPS_COMMANDS:
    carebook.add_command(_command)

# --- export, import (server/imports/commands.py) ---------------------------------------------

from .imports.commands import IMPORT_COMMANDS  # noqa: E402

for _command in IMPORT_COMMANDS:
    carebook.add_command(_command)


def main() -> None:
    carebook(prog_name="carebook")


if __name__ == "__main__":
    main()
