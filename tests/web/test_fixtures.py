"""The shared web-test fixtures do what tests rely on: log in and out, run commands, fix time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask_login import current_user

from app import clock as app_clock
from app.models import Role
from tests.factories import PASSWORD


@pytest.fixture
def time_page(app: Flask) -> str:
    """A page that answers with `app.clock.now()`, read inside the request."""

    def show_time() -> str:
        return app_clock.now().isoformat()

    app.add_url_rule("/test-time", "test_time", show_time)
    return "/test-time"


@pytest.fixture
def whoami_page(app: Flask) -> str:
    def whoami() -> str:
        return current_user.email if current_user.is_authenticated else "anonymous"

    app.add_url_rule("/test-whoami", "test_whoami", whoami)
    return "/test-whoami"


def read_time(client, url: str) -> datetime:
    return datetime.fromisoformat(client.get(url).get_data(as_text=True))


# -- clock -------------------------------------------------------------------------------------


def test_requests_read_the_clock_and_it_stands_still(client, clock, time_page):
    first = read_time(client, time_page)
    assert first == clock.now and first.tzinfo is not None
    assert read_time(client, time_page) == first


def test_clock_set_and_advance_move_the_time_requests_see(client, clock, time_page):
    clock.set(datetime(2024, 3, 30, 23, 30, tzinfo=UTC))
    assert read_time(client, time_page) == datetime(2024, 3, 30, 23, 30, tzinfo=UTC)
    assert clock.advance(days=1, minutes=45) == datetime(2024, 4, 1, 0, 15, tzinfo=UTC)
    assert read_time(client, time_page) == datetime(2024, 4, 1, 0, 15, tzinfo=UTC)
    clock.advance(hours=-2)
    assert read_time(client, time_page) == datetime(2024, 3, 31, 22, 15, tzinfo=UTC)


def test_clock_reads_naive_times_as_utc_and_gives_utc(client, clock, time_page):
    clock.set(datetime(2025, 6, 1, 8, 0))
    assert read_time(client, time_page) == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    clock.set(datetime(2025, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=2))))
    moment = read_time(client, time_page)
    assert moment == datetime(2025, 6, 1, 8, 0, tzinfo=UTC) and moment.utcoffset() == timedelta(0)


def test_without_the_clock_fixture_requests_see_the_real_time(client, time_page):
    before = datetime.now(UTC)
    moment = read_time(client, time_page)
    assert before <= moment <= datetime.now(UTC)


# -- logging in and out ------------------------------------------------------------------------


def test_auth_logs_a_user_in_and_out(client, auth, student, whoami_page):
    assert client.get(whoami_page).get_data(as_text=True) == "anonymous"
    response = auth.login(student)
    assert response.status_code == 302
    assert client.get(whoami_page).get_data(as_text=True) == student.email
    assert auth.logout().status_code == 302
    assert client.get(whoami_page).get_data(as_text=True) == "anonymous"


def test_auth_takes_an_email_and_a_password(client, auth, make_user, whoami_page):
    user = make_user(Role.TEACHER, email="t@example.com", password="another long password")
    assert auth.login("t@example.com", password=PASSWORD).status_code != 302  # refused
    assert client.get(whoami_page).get_data(as_text=True) == "anonymous"
    assert auth.login("t@example.com", password="another long password").status_code == 302
    assert client.get(whoami_page).get_data(as_text=True) == user.email


def test_auth_can_log_in_on_a_second_client(app, client, auth, make_user, whoami_page):
    owner, other = make_user(), make_user()
    auth.login(owner)
    second = app.test_client()
    # A fresh app context, hence a fresh `g`: Flask-Login caches the signed-in user there.
    with app.app_context():
        assert auth.login(other, client=second).status_code == 302
        assert second.get(whoami_page).get_data(as_text=True) == other.email
        auth.logout(client=second)
        assert second.get(whoami_page).get_data(as_text=True) == "anonymous"
    assert client.get(whoami_page).get_data(as_text=True) == owner.email


@pytest.mark.parametrize("role", ["student", "teacher", "admin"])
def test_role_clients_are_logged_in_as_that_role(request, role, whoami_page):
    client = request.getfixturevalue(f"{role}_client")
    user = request.getfixturevalue(role)
    assert user.role == role
    assert client.get(whoami_page).get_data(as_text=True) == user.email


# -- the command line --------------------------------------------------------------------------


def test_runner_runs_commands_against_the_test_app(app, runner):
    assert runner.app is app
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0, result.output
    assert "create-user" in result.output and "seed" in result.output


def test_no_test_file_imports_from_conftest():
    tests = Path(__file__).resolve().parents[1]
    importing = re.compile(r"^\s*(from tests\.conftest import|import tests\.conftest)", re.M)
    offenders = [
        str(path.relative_to(tests))
        for path in tests.rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use the auth fixture and tests.factories.PASSWORD instead"
