"""Sign-ins that can be ended, login limits per account and per address, and proxies."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from app import create_app
from app.extensions import db, limiter
from app.models import Role, User, UserSession
from tests.factories import PASSWORD


def login(client, email, password=PASSWORD, remember=None, **extra):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = remember
    return client.post("/auth/login", data=data, **extra)


def signed_in(client) -> bool:
    return client.get("/auth/profile").status_code == 200


def remember_cookie(client) -> str:
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    return cookie.value


def opens_account(app, remember: str) -> bool:
    """A browser holding only this remember cookie is signed in."""
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    return signed_in(fresh)


# -- ending sign-ins ----------------------------------------------------------------------------


def test_each_login_gets_its_own_remember_cookie(app, student):
    first, second = app.test_client(), app.test_client()
    login(first, student.email, remember="y")
    login(second, student.email, remember="y")
    assert remember_cookie(first) != remember_cookie(second)


def test_logout_ends_this_sign_in_and_its_remember_cookie_only(app, student):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, student.email, remember="y")
    login(elsewhere, student.email)
    remember = remember_cookie(here)
    assert opens_account(app, remember)
    here.post("/auth/logout")
    assert not signed_in(here)
    assert not opens_account(app, remember)
    assert signed_in(elsewhere)


def test_changing_the_password_ends_every_other_sign_in(app, student):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, student.email)
    login(elsewhere, student.email, remember="y")
    remember = remember_cookie(elsewhere)
    response = here.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert not opens_account(app, remember)


def test_log_out_everywhere(app, student):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, student.email)
    login(elsewhere, student.email, remember="y")
    remember = remember_cookie(elsewhere)
    assert "Log out everywhere" in here.get("/auth/profile").get_data(as_text=True)
    assert here.post("/auth/logout-everywhere").status_code == 302
    assert not signed_in(here)
    assert not signed_in(elsewhere)
    assert not opens_account(app, remember)
    assert db.session.query(UserSession).count() == 0


def test_an_admin_deactivating_an_account_ends_its_sign_ins(app, student, admin):
    student_browser, admin_browser = app.test_client(), app.test_client()
    login(student_browser, student.email, remember="y")
    remember = remember_cookie(student_browser)
    login(admin_browser, admin.email)
    response = admin_browser.post(
        f"/admin/users/{student.id}",
        data={"email": student.email, "display_name": student.display_name, "role": "student"},
    )
    assert response.status_code == 302
    assert not signed_in(student_browser)
    assert not opens_account(app, remember)


def test_a_changed_user_agent_keeps_the_user_signed_in(client, student):
    login(client, student.email, headers={"User-Agent": "Phone/1.0"})
    assert client.get("/auth/profile", headers={"User-Agent": "Phone/1.1"}).status_code == 200


def test_login_rotates_the_csrf_token(app_config, student):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    with client.session_transaction() as session:
        before = session["csrf_token"]
    data = {"email": student.email, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/auth/login", data=data).status_code == 302
    client.get("/auth/profile")
    with client.session_transaction() as session:
        assert session.get("csrf_token") not in (None, before)


# -- telling accounts apart ---------------------------------------------------------------------


def test_an_unknown_email_costs_a_password_hash_check_too(client, student, monkeypatch):
    import app.accounts as accounts

    calls = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda *a: calls.append(1) or real(*a))
    response = login(client, "nobody@example.com", "some wrong password")
    assert response.status_code == 422
    assert calls == [1]
    assert "do not match" in response.get_data(as_text=True)


def test_a_deactivated_account_is_named_only_to_who_knows_its_password(client, student):
    student.active = False
    db.session.commit()
    wrong = login(client, student.email, "some wrong password").get_data(as_text=True)
    assert "do not match" in wrong and "deactivated" not in wrong
    right = login(client, student.email).get_data(as_text=True)
    assert "deactivated" in right


# -- rate limits --------------------------------------------------------------------------------


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_failures_for_one_email_are_limited_whatever_the_address(app, client, student):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    codes = [
        login(client, student.email, "wrong password!", **at(f"10.0.0.{n}")).status_code
        for n in range(4)
    ]
    assert codes == [422, 422, 422, 429]
    # Another account from the same address is not locked.
    assert (
        login(client, "other@example.com", "wrong password!", **at("10.0.0.3")).status_code == 422
    )


def test_failures_from_one_address_are_limited_more_loosely(app, client):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"
    codes = [
        login(client, f"user{n}@example.com", "wrong password!", **at("10.0.0.9")).status_code
        for n in range(4)
    ]
    assert codes == [422, 422, 422, 429]
    assert (
        login(client, "user9@example.com", "wrong password!", **at("10.0.0.8")).status_code == 422
    )


def test_a_classroom_of_forty_on_one_address_all_log_in(app):
    cheap = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
    users = [
        User(
            email=f"pupil{n}@example.com",
            display_name=f"Pupil {n}",
            password_hash=cheap,
            role=Role.STUDENT.value,
            time_zone="UTC",
            active=True,
        )
        for n in range(40)
    ]
    db.session.add_all(users)
    db.session.commit()
    codes = [login(app.test_client(), u.email, **at("192.0.2.1")).status_code for u in users]
    assert codes == [302] * 40


def test_successful_logins_never_count(app, student):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "2 per minute"
    codes = [login(app.test_client(), student.email).status_code for _ in range(4)]
    assert codes == [302] * 4


def test_behind_trusted_proxies_each_client_has_its_own_address_bucket(app_config, app):
    proxied = create_app(
        {**app_config, "TRUSTED_PROXY_COUNT": 1, "LOGIN_ADDRESS_RATE_LIMIT": "3 per minute"}
    )
    limiter.reset()
    client = proxied.test_client()

    def attempt(n: int, forwarded_for: str) -> int:
        return login(
            client,
            f"user{n}@example.com",
            "wrong password!",
            headers={"X-Forwarded-For": forwarded_for},
            **at("10.1.1.1"),  # the load balancer
        ).status_code

    assert [attempt(n, "203.0.113.5") for n in range(4)] == [422, 422, 422, 429]
    assert attempt(5, "203.0.113.6") == 422


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"

    def attempt(n: int, forwarded_for: str) -> int:
        return login(
            client,
            f"user{n}@example.com",
            "wrong password!",
            headers={"X-Forwarded-For": forwarded_for},
            **at("10.1.1.1"),
        ).status_code

    assert [attempt(n, f"203.0.113.{n}") for n in range(4)] == [422, 422, 422, 429]


def test_production_refuses_per_worker_rate_limit_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_sign_up_is_rate_limited(app, client):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    data = {
        "email": "a@example.com",
        "display_name": "A",
        "password": "short",
        "confirm": "short",
        "time_zone": "UTC",
    }
    codes = [client.post("/auth/register", data=data).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_change_password_is_rate_limited(app, student_client):
    app.config["PASSWORD_RATE_LIMIT"] = "3 per minute"
    data = {
        "current_password": "not my password",
        "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase",
    }
    codes = [student_client.post("/auth/password", data=data).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]


# -- caching ------------------------------------------------------------------------------------


def test_pages_for_a_signed_in_user_are_not_stored(student_client):
    for path in ("/", "/auth/profile", "/study/"):
        response = student_client.get(path, follow_redirects=True)
        assert response.headers["Cache-Control"] == "no-store", path
    static = student_client.get("/static/js/app.js")
    assert static.headers.get("Cache-Control") != "no-store"
