"""The delta-sync engine: records every change to synced data in the writing
transaction, serves pulls from an opaque cursor and applies pushed mutations
idempotently. Free of Litestar: it works on a bare SQLAlchemy session."""

# The commit hook (SQLAlchemy's `before_commit`) that stamps queued changes with the stream
# position and sends `sync.notify`'s NOTIFYs lives in `sync.stream`: importing the package
# registers it, so every process that queues a change or an event has it.
from . import stream as _stream  # noqa: F401
