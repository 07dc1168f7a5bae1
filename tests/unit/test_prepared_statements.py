"""PostgreSQL: a transaction that only read ends with COMMIT, so that psycopg keeps the
statements it prepared (it forgets them all on ROLLBACK); one that wrote is rolled back."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models import User

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="psycopg's prepared statements: PostgreSQL only",
)

PREPARED = "SELECT statement FROM pg_prepared_statements"


def _read_in_transactions(conn, user_id: int, times: int) -> None:
    for _ in range(times):
        conn.execute(select(User.email).where(User.id == user_id)).all()
        conn.rollback()


def test_a_statement_stays_prepared_across_transactions_that_only_read(app, student):
    with db.engine.connect() as conn:
        _read_in_transactions(conn, student.id, 7)  # psycopg prepares at the fifth run
        prepared = conn.exec_driver_sql(PREPARED).scalars().all()
    assert any("users.email" in statement for statement in prepared), prepared


def test_a_session_that_only_read_keeps_its_statements_prepared(app, student):
    """As at the end of every request: the session is rolled back and handed back."""
    for _ in range(7):
        db.session.scalars(select(User).where(User.email == student.email)).one()
        db.session.remove()
    prepared = db.session.connection().exec_driver_sql(PREPARED).scalars().all()
    assert any("users.email = " in statement for statement in prepared), prepared


def test_a_transaction_that_wrote_is_rolled_back(app, student):
    with db.engine.connect() as conn:
        conn.execute(update(User).where(User.id == student.id).values(display_name="Changed"))
        conn.rollback()
        assert conn.scalar(select(User.display_name).where(User.id == student.id)) != "Changed"
    with db.engine.connect() as conn:
        conn.execute(delete(User).where(User.id == student.id))
        conn.rollback()
        assert conn.scalar(select(func.count()).select_from(User)) == 1


def test_a_write_after_reads_is_rolled_back_and_the_next_reads_still_commit(app, student):
    with db.engine.connect() as conn:
        _read_in_transactions(conn, student.id, 6)
        conn.scalar(select(User.email).where(User.id == student.id))
        conn.execute(update(User).where(User.id == student.id).values(display_name="Changed"))
        conn.rollback()
        assert conn.scalar(select(User.display_name).where(User.id == student.id)) != "Changed"
        conn.rollback()
        prepared = conn.exec_driver_sql(PREPARED).scalars().all()
    # The rollback of the write made psycopg forget its statements; reads prepare again.
    assert not any("users.email" in statement for statement in prepared)
    with db.engine.connect() as conn:
        _read_in_transactions(conn, student.id, 7)
        assert any("users.email" in s for s in conn.exec_driver_sql(PREPARED).scalars())


def test_a_failed_read_is_rolled_back_and_the_connection_goes_on(app):
    with db.engine.connect() as conn:
        with pytest.raises(DBAPIError):
            conn.exec_driver_sql("SELECT 1 / 0")
        conn.rollback()
        assert conn.exec_driver_sql("SELECT 2").scalar() == 2
