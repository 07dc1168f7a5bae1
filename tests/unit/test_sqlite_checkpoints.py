"""SQLite checkpoints run in a background thread, so that commits do not wait for them."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from sqlalchemy import create_engine, text

import app.extensions  # noqa: F401  (registers the connect hook)
from app import sqlite_checkpoints
from app.sqlite_checkpoints import CHECKPOINT_BACKSTOP_PAGES, checkpoint, ensure_checkpointer


def _fill(path, rows: int = 2_000) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
    with connection:
        connection.executemany(
            "INSERT INTO t (body) VALUES (?)", [("x" * 500,) for _ in range(rows)]
        )
    return connection


def _wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_checkpoint_copies_the_log_into_the_database(tmp_path):
    path = tmp_path / "db.sqlite"
    kept_open = _fill(path)  # an open connection keeps the log from being removed
    busy, log_pages, copied = checkpoint(str(path))
    assert busy == 0
    assert log_pages > 100
    assert copied == log_pages
    # Nothing new since: the next one has nothing to copy once the log restarts.
    with kept_open:
        kept_open.execute("INSERT INTO t (body) VALUES ('y')")
    busy, log_pages, copied = checkpoint(str(path))
    assert (busy, copied) == (0, log_pages)
    assert log_pages < 10  # the writer started the log over
    kept_open.close()


def test_a_checkpoint_never_creates_a_missing_file(tmp_path):
    path = tmp_path / "missing.sqlite"
    assert checkpoint(str(path)) is None
    assert not path.exists()


def test_the_background_thread_checkpoints_and_stops_when_the_file_is_gone(tmp_path):
    path = tmp_path / "db.sqlite"
    connection = _fill(path, rows=10)
    assert ensure_checkpointer(str(path), interval=0.05)
    assert not ensure_checkpointer(str(path), interval=0.05)  # one per file and process
    with connection:
        connection.executemany("INSERT INTO t (body) VALUES (?)", [("z" * 500,)] * 2_000)

    def all_copied() -> bool:
        # A second passive checkpoint finds every page of the log copied already.
        info = sqlite3.connect(path).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return info[0] == 0 and info[1] == info[2]

    assert _wait_for(all_copied)
    thread = sqlite_checkpoints._checkpointers[str(path)][1]
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert str(path) not in sqlite_checkpoints._checkpointers
    assert not path.exists()


def test_app_connections_leave_checkpoints_to_the_thread(tmp_path):
    path = tmp_path / "app.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == (
            CHECKPOINT_BACKSTOP_PAGES
        )
    pid, thread = sqlite_checkpoints._checkpointers[str(path)]
    assert pid == os.getpid()
    assert thread.is_alive() and thread is not threading.current_thread()
    engine.dispose()


def test_in_memory_databases_get_no_thread():
    engine = create_engine("sqlite://")
    before = dict(sqlite_checkpoints._checkpointers)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert sqlite_checkpoints._checkpointers == before
    engine.dispose()


def test_an_idle_checkpointer_ends_and_the_next_connection_handed_out_starts_it(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(sqlite_checkpoints, "CHECKPOINT_INTERVAL_SECONDS", 0.01)
    path = tmp_path / "idle.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        connection.commit()
    first = sqlite_checkpoints._checkpointers[str(path)][1]
    first.join(timeout=5)  # nothing written: it ends after IDLE_ROUNDS rounds
    assert not first.is_alive()
    assert str(path) not in sqlite_checkpoints._checkpointers
    with engine.connect() as connection:  # the pooled connection, handed out again
        connection.execute(text("INSERT INTO t DEFAULT VALUES"))
        connection.commit()
    second = sqlite_checkpoints._checkpointers[str(path)][1]
    assert second is not first and second.is_alive()
    engine.dispose()
