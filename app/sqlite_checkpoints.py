"""SQLite: write-ahead log checkpoints in a background thread, off the request path.

In WAL mode a commit appends to the log; a checkpoint copies the log back into the
database file and syncs it. By default SQLite runs one inside whichever commit finds
the log over 1,000 pages, so one answer in a hundred waited for the copy and an fsync.
Here each process checkpoints every database file it has open about once a second
(passive: readers and the writer carry on meanwhile), and the commit-time checkpoint
stays only as a backstop for a log that grows past CHECKPOINT_BACKSTOP_PAGES anyway.
A checkpointer ends after a few idle seconds; each connection handed out by a pool
starts it again if it is not running (a dictionary lookup).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

# Pages (4 KiB each by default) the log may reach before a commit checkpoints it itself.
CHECKPOINT_BACKSTOP_PAGES = 10_000
CHECKPOINT_INTERVAL_SECONDS = 1.0
# A checkpointer with nothing new to copy for this many rounds in a row ends; the next
# connection handed out for the file starts it again.
IDLE_ROUNDS = 10

_checkpointers: dict[str, tuple[int, threading.Thread]] = {}
_lock = threading.Lock()


def database_file(connection: sqlite3.Connection) -> str | None:
    """The file of the connection's main database; None for an in-memory one."""
    for _seq, name, file in connection.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def ensure_checkpointer(path: str, interval: float | None = None) -> bool:
    """Start this process's checkpointer for `path` unless it runs already.

    Threads do not survive a fork, so a checkpointer started before gunicorn forked its
    workers counts for the process that started it only. Returns whether one started.
    """
    with _lock:
        known = _checkpointers.get(path)
        if known is not None and known[0] == os.getpid() and known[1].is_alive():
            return False
        thread = threading.Thread(
            target=_checkpoint_until_gone,
            args=(path, interval or CHECKPOINT_INTERVAL_SECONDS),
            name=f"sqlite-checkpoint {Path(path).name}",
            daemon=True,
        )
        _checkpointers[path] = (os.getpid(), thread)
        thread.start()
        return True


def checkpoint(path: str) -> tuple[int, int, int] | None:
    """One passive checkpoint of `path`: (busy, log pages, pages copied), or None when
    the file is gone. It never creates the file, and gives up at once when it is locked."""
    uri = f"{Path(path).resolve().as_uri()}?mode=rw"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
    except sqlite3.OperationalError:
        return None
    try:
        row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.OperationalError:  # locked or busy: try again next time
        return (1, -1, -1)
    finally:
        connection.close()
    return tuple(row) if row is not None else None


def _checkpoint_until_gone(path: str, interval: float) -> None:
    """Checkpoint every `interval` seconds until the file is gone or nothing has been
    written to it for IDLE_ROUNDS rounds (the log's length unchanged and all copied)."""
    idle, last = 0, None
    while idle < IDLE_ROUNDS:
        time.sleep(interval)
        result = checkpoint(path) if os.path.exists(path) else None
        if result is None:
            break
        busy, log_pages, copied = result
        idle = idle + 1 if busy == 0 and log_pages == copied and log_pages == last else 0
        last = log_pages
    with _lock:
        if _checkpointers.get(path, (None, None))[1] is threading.current_thread():
            del _checkpointers[path]
