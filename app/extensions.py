"""Flask extensions, created unbound and initialised by create_app()."""

from __future__ import annotations

import math
import sqlite3

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine

from . import prepared_statements  # noqa: F401  (its engine events)
from .models.base import CONSTRAINT_NAMES, Base  # noqa: F401  (re-exported)
from .sqlite_checkpoints import CHECKPOINT_BACKSTOP_PAGES, database_file, ensure_checkpointer

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
# Storage comes from RATELIMIT_STORAGE_URI: memory for one process, Redis when
# several workers must share counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# Table hints (`Select.with_hint(..., "sqlite")`) as SQLite's "INDEXED BY <index>":
# SQLAlchemy renders hints only for dialects that define how.
SQLiteCompiler.get_from_hint_text = lambda self, table, text: text  # noqa: ARG005


@event.listens_for(Engine, "checkout")
def _sqlite_checkpointer(dbapi_connection, connection_record, connection_proxy) -> None:  # noqa: ARG001
    """A connection handed out for an SQLite file: its checkpointer runs (again)."""
    path = connection_record.info.get("sqlite_file")
    if path is not None:
        ensure_checkpointer(path)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys (ondelete rules), and let readers and a writer overlap.

    WAL lets gunicorn workers read while one writes; synchronous=NORMAL is safe in WAL
    mode and saves an fsync per commit. Checkpoints run in a background thread of each
    process (see sqlite_checkpoints), so that no commit waits for one.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    path = database_file(dbapi_connection)
    if path is not None:
        cursor.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP_PAGES}")
        connection_record.info["sqlite_file"] = path
        ensure_checkpointer(path)
    try:  # the study queue ranks cards by FSRS retrievability, a power
        cursor.execute("SELECT pow(2, 3)")
    except sqlite3.OperationalError:  # an SQLite built without its math functions
        dbapi_connection.create_function("pow", 2, math.pow, deterministic=True)
    cursor.close()
