"""Where a benchmark builds its data: a database it is given, or one of its own."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

SERVER = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def scratch_database(database: str, given_url: str | None, prefix: str) -> Iterator[str]:
    """The SQLAlchemy URL to build in.

    A given URL is used as it is and never dropped. Otherwise SQLite gets a file in a
    temporary directory and PostgreSQL a database with a unique name (`<prefix>_<hex>`);
    at the end those, and only those, are removed.
    """
    if given_url:
        yield given_url
        return
    if database == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        try:
            yield f"sqlite:///{workdir / 'bench.db'}"
        finally:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()
        return
    created = f"{prefix.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{created}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{created}"
    finally:  # only the database made above
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
