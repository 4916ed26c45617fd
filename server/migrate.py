"""Alembic driven from the CLI and tests: the configuration is built here, not in an ini file."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
    )
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings.database.url), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings.database.url), revision)


def current(settings: Settings) -> None:
    command.current(alembic_config(settings.database.url), verbose=True)


def revision(settings: Settings, message: str, autogenerate: bool = True) -> None:
    command.revision(
        alembic_config(settings.database.url), message=message, autogenerate=autogenerate
    )


def check(settings: Settings) -> None:
    """Raise if the models and the migrations disagree."""
    command.check(alembic_config(settings.database.url))
