"""PostgreSQL: a transaction that only read ends with COMMIT, so psycopg keeps its
prepared statements.

psycopg prepares a statement on the server once a connection has run it five times,
after which PostgreSQL neither parses nor plans it again. But psycopg forgets every
prepared statement on ROLLBACK (the transaction might have changed the schema), and
SQLAlchemy ends every transaction that was not committed with a rollback: each page's
reads, and the pool's reset when a connection is handed back. Every request then had
its statements parsed and planned afresh, about 3 ms of the server's CPU per study
answer, more than half of its share (`benchmarks/study_loop.py`).

For a transaction that ran nothing but SELECT, COMMIT and ROLLBACK end it alike: both
release its snapshot and its locks. So when SQLAlchemy is about to roll back such a
transaction, it is committed first and the rollback finds nothing left to do. Any
other statement (INSERT, UPDATE, DELETE, DDL, SAVEPOINT, WITH ...) marks the
transaction as written, and its rollback stays a rollback; so does a transaction in
which a statement failed.

A schema migration changes tables under the statements a running worker has prepared;
as after any deployment that migrates, the workers are restarted with the new code.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

WROTE = "transaction_wrote"
INTRANS = psycopg.pq.TransactionStatus.INTRANS


def _is_psycopg(conn: Connection) -> bool:
    return conn.dialect.driver == "psycopg"


def _only_reads(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT"


@event.listens_for(Engine, "begin")
def _transaction_begins(conn: Connection) -> None:
    if _is_psycopg(conn):
        conn.info[WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _statement_runs(
    conn: Connection,
    cursor: Any,  # noqa: ARG001
    statement: str,
    parameters: Any,  # noqa: ARG001
    context: Any,  # noqa: ARG001
    executemany: bool,
) -> None:
    if (executemany or not _only_reads(statement)) and _is_psycopg(conn):
        conn.info[WROTE] = True


@event.listens_for(Engine, "rollback")
def _reads_end_with_commit(conn: Connection) -> None:
    if not _is_psycopg(conn) or conn.closed or conn.invalidated or conn.info.get(WROTE, True):
        return
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.info.transaction_status != INTRANS:
        return  # no transaction, or one in which a statement failed: a real rollback
    # The rollback that follows has nothing left to do; if the connection was lost
    # meanwhile, it deals with that.
    with suppress(psycopg.Error):
        dbapi_connection.commit()
