from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import User


def test_create_user_with_role_and_password_from_stdin(runner):
    result = runner.invoke(
        args=["create-user", "Teach@Example.com", "--role", "teacher", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "teach@example.com"))
    assert user.role == "teacher" and user.check_password("a long enough password")


def test_create_user_refuses_a_bad_role(runner):
    result = runner.invoke(
        args=["create-user", "x@example.com", "--role", "wizard", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "Unknown role 'wizard'" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_user_refuses_an_existing_email(runner, student):
    result = runner.invoke(
        args=["create-user", student.email.upper(), "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-user", "y@example.com", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0 and "at least 10" in result.output


def test_seed_demo_prints_credentials_once(runner):
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "student@example.com" in first.output and "password:" in first.output
    roles = sorted(u.role for u in db.session.scalars(select(User)))
    assert roles == ["admin", "student", "teacher"]
    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0 and "already exist" in second.output
    assert len(db.session.scalars(select(User)).all()) == 3


def test_seed_demo_is_refused_in_production(app, runner):
    app.config["ALLOW_DEMO_SEED"] = False
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code != 0 and "refused in production" in result.output
    assert db.session.scalar(select(User)) is None
