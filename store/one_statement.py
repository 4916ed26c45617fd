"""A read of one statement needs no transaction of its own.

One SQL statement sees one consistent moment of the database by itself: on SQLite it runs in
an implicit read transaction (one WAL snapshot), on PostgreSQL under a snapshot taken when
it starts. A unit of work that reads exactly one statement and then ends (the pull that
finds nothing new, the most frequent request there is) can skip BEGIN and ROLLBACK: two
statements on SQLite, two round trips on PostgreSQL.

`begin_one_statement` opens the session's connection so: PostgreSQL in autocommit (reset
when the connection goes back, or at the end of a request's transaction), SQLite with
`ONE_STATEMENT`, which tells the engine's BEGIN hook (`server/db.py`) not to send BEGIN.
SQLAlchemy still keeps its own transaction around the statement; end it with `rollback()`,
which on the database then ends nothing. Never write in such a unit of work, and never
run a second statement that must agree with the first: open a real snapshot for that.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

# The execution option that makes the SQLite BEGIN hook send nothing.
ONE_STATEMENT = "carebook_one_statement"


def begin_one_statement(session: Session) -> None:
    """Open the session's connection for one read statement outside a database transaction."""
    if session.in_transaction():
        raise RuntimeError("a one-statement read needs a session outside any transaction")
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    else:
        session.connection(execution_options={ONE_STATEMENT: True})
