from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.accounts import create_user
from app.extensions import db, limiter
from app.models import Role, User

PASSWORD = "correct horse battery"


def database_url(tmp_path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app(app_config) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        # The PostgreSQL test database outlives a test: start from nothing.
        db.drop_all()
        db.create_all()
        limiter.reset()
        yield app
        db.session.remove()
        db.drop_all()
        # Each test builds its own engine: close its pool so connections do not pile up
        # on the PostgreSQL server over a run.
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


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


def log_in(client: FlaskClient, user: User, password: str = PASSWORD):
    return client.post(
        "/auth/login", data={"email": user.email, "password": password}, follow_redirects=False
    )


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
def student_client(client, student) -> FlaskClient:
    assert log_in(client, student).status_code == 302
    return client


@pytest.fixture
def teacher_client(client, teacher) -> FlaskClient:
    assert log_in(client, teacher).status_code == 302
    return client


@pytest.fixture
def admin_client(client, admin) -> FlaskClient:
    assert log_in(client, admin).status_code == 302
    return client
