"""Fixtures every test may use: the app, clients, users, logging in, the CLI, the clock.

Builders for banks, questions and cards are in tests/factories.py; one sample question of
each kind is in tests/samples.py. Test files import from those, never from this file.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from app import accounts as _accounts
from app import create_app
from app.accounts import create_user
from app.extensions import db, limiter
from app.models import Role, User
from app.models import users as _users
from tests.factories import CLOCK_START, PASSWORD

# Property tests check what is generated, not how fast: on a busy machine Hypothesis's
# timing checks would fail them for the machine's load alone.
settings.register_profile(
    "recall",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("recall")

# A password hash (scrypt) costs about 150 ms of CPU by design, and the suite makes and checks
# the same few passwords thousands of times: each distinct hash and check is done once.
_check_password_hash = functools.lru_cache(maxsize=None)(_users.check_password_hash)
_users.generate_password_hash = functools.lru_cache(maxsize=None)(_users.generate_password_hash)
_users.check_password_hash = _check_password_hash
_accounts.check_password_hash = _check_password_hash


def database_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'test.db'}"
    return _database_of_this_worker(url)


_created_databases: set[str] = set()


def _database_of_this_worker(url: str) -> str:
    """With the suite spread over processes (pytest-xdist), each worker gets a PostgreSQL
    database of its own, named after the given one (test_gw0, test_gw1, ...), created
    the first time it is needed: tests drop and create every table."""
    from sqlalchemy.engine import make_url

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    if name not in _created_databases:
        import psycopg

        base = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(base, autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (name,))
            if exists.fetchone() is None:
                conn.execute(f'create database "{name}"')
        _created_databases.add(name)
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


# -- an empty database for every test ------------------------------------------------------------

# SQLite: the tables are created once per worker in a template file, copied for each test.
# PostgreSQL: the tables are created once per worker and emptied before each test (deleting
# from every table and restarting the sequences takes about 15 ms; dropping and creating the
# tables, 450 ms). `_emptying[url]` is the statement that empties them.
_emptying: dict[str, str] = {}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file holding the models' tables and no rows."""
    template = tmp_path_factory.mktemp("schema") / "schema.db"
    engine = create_engine(f"sqlite:///{template}")
    db.metadata.create_all(engine)
    engine.dispose()
    return template


def _empty_postgresql(url: str) -> None:
    """Every table of the schema empty, its sequences restarted; the schema (re)built on a
    worker's first test and whenever the tables present differ from the models' (a test
    dropped them, or left Alembic's)."""
    present = set(inspect(db.engine).get_table_names())
    expected = set(db.metadata.tables)
    if url in _emptying and present == expected:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(_emptying[url])
        return
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.create_all()
    with db.engine.connect() as connection:
        sequences = connection.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences"
            " WHERE sequence_schema = current_schema()"
        ).scalars()
        restarts = [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
    _emptying[url] = "; ".join(deletes + restarts)


@pytest.fixture
def app(app_config, request) -> Iterator[Flask]:
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite:
        target = Path(make_url(url).database)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
    app = create_app(app_config)
    with app.app_context():
        if not sqlite:
            # The PostgreSQL test database outlives a test: start from empty tables.
            _empty_postgresql(url)
        limiter.reset()
        yield app
        db.session.remove()
        # Close the pooled connections now, not when the app is garbage-collected: a shared
        # PostgreSQL server has a limited number of them.
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app) -> FlaskCliRunner:
    """Runs `flask` commands against the test app: `runner.invoke(args=[...])`."""
    return app.test_cli_runner()


# -- users and logging in ----------------------------------------------------------------------


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.STUDENT, email: str | None = None, **kwargs) -> User:
        n = next(counter)
        user = create_user(
            db.session,
            email or f"{role.value}{n}@example.com",
            kwargs.pop("password", PASSWORD),
            display_name=kwargs.pop("display_name", f"{role.value.title()} {n}"),
            role=role,
            **kwargs,
        )
        db.session.commit()
        return user

    return make


class AuthActions:
    """Logs a user in and out through the login form, as a browser would."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(
        self,
        user_or_email: User | str,
        password: str = PASSWORD,
        *,
        client: FlaskClient | None = None,
        **fields: str,
    ) -> TestResponse:
        """Post the login form; on another client than the `client` fixture if given."""
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        return (client or self._client).post(
            "/auth/login", data={"email": email, "password": password, **fields}
        )

    def logout(self, *, client: FlaskClient | None = None) -> TestResponse:
        return (client or self._client).post("/auth/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    """`auth.login(user_or_email, password=...)` and `auth.logout()` on the `client`."""
    return AuthActions(client)


@pytest.fixture
def student(make_user) -> User:
    return make_user(Role.STUDENT)


@pytest.fixture
def teacher(make_user) -> User:
    return make_user(Role.TEACHER)


@pytest.fixture
def admin(make_user) -> User:
    return make_user(Role.ADMIN)


@pytest.fixture
def student_client(client, auth, student) -> FlaskClient:
    assert auth.login(student).status_code == 302
    return client


@pytest.fixture
def teacher_client(client, auth, teacher) -> FlaskClient:
    assert auth.login(teacher).status_code == 302
    return client


@pytest.fixture
def admin_client(client, auth, admin) -> FlaskClient:
    assert auth.login(admin).status_code == 302
    return client


# -- time --------------------------------------------------------------------------------------

# Where the `clock` fixture starts: a Wednesday noon in UTC, far from any DST change.


class Clock:
    """The time `app.clock.now()` reads while the `clock` fixture is in use."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def __call__(self) -> datetime:
        return self._moment

    @property
    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment`; a naive time is taken as UTC."""
        self._moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self._moment

    def advance(self, **delta: float) -> datetime:
        """Move on by `timedelta(**delta)`, e.g. `clock.advance(days=1, hours=2)`."""
        self._moment += timedelta(**delta)
        return self._moment


@pytest.fixture
def clock(app) -> Iterator[Clock]:
    """Fix the app's time at CLOCK_START; `clock.set(...)` and `clock.advance(...)` move it."""
    clock = Clock(CLOCK_START)
    app.config["CLOCK"] = clock
    yield clock
    app.config.pop("CLOCK", None)
