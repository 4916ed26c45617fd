"""Structured logs: one JSON object per line, each carrying the request id it belongs to.

Log lines never hold request bodies, tokens, cookies or query strings: the access
line names the route's path template, not the path (which may carry an
invitation token), and SQL parameters are cut from exception texts (they may
hold post text).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

request_id_var: ContextVar[str | None] = ContextVar("carebook_request_id", default=None)

QUIET_LOGGERS = ("httpx", "httpcore", "urllib3", "requests", "aiosqlite", "asyncpg",
                 "sqlalchemy.engine", "sqlalchemy.pool")
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\]\s*(?=\(Background|$)", re.DOTALL)
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "color_message"}


def redact(text: str) -> str:
    return _SQL_PARAMETERS.sub("[parameters: (redacted)] ", text)


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", "requestId", …fields}`; `extra=` keys become fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["requestId"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = redact("".join(traceback.format_exception(*record.exc_info)))
        return msgspec.json.encode(entry, enc_hook=str).decode()


class TextFormatter(logging.Formatter):
    """For a developer's terminal: the same facts on one readable line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(
            f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in _RESERVED and not key.startswith("_") and value is not None
        )
        request_id = request_id_var.get()
        head = f"{record.levelname:<7} {record.name}: {redact(record.getMessage())}"
        line = " ".join(part for part in (head, fields, f"rid={request_id}" if request_id else "")
                        if part)
        if record.exc_info and record.exc_info[0] is not None:
            line += "\n" + redact("".join(traceback.format_exception(*record.exc_info)))
        return line


def configure_logging(log_format: str = "json", level: int = logging.INFO) -> None:
    """Send every logger (carebook's, uvicorn's, SQLAlchemy's) to stderr in one format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # carebook writes its own access line (path template, not path with its query string).
    logging.getLogger("uvicorn.access").disabled = True
    # Libraries that log URLs (push endpoints are capability URLs) or SQL parameters below
    # WARNING: never in carebook's logs, whatever the level.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
