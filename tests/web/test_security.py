from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db, limiter
from tests.factories import PASSWORD


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_pages_load_assets_locally(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "cdn." not in page and "https://" not in page
    assert "/static/" in page


def test_csrf_is_enforced_when_enabled(app_config):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        client = app.test_client()
        response = client.post(
            "/auth/register",
            data={
                "email": "a@example.com",
                "display_name": "A",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "time_zone": "UTC",
            },
        )
        assert response.status_code == 400
        assert "Bad request" in response.get_data(as_text=True)
        # Buttons without a form class (study undo, suspend, bury) are covered too.
        assert client.post("/study/undo").status_code == 400
        db.session.remove()
        db.drop_all()


def test_login_rate_limit_answers_429(app, client, student):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    codes = [
        client.post(
            "/auth/login", data={"email": student.email, "password": "wrong password"}
        ).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429
    # The account is locked for now, even with the right password.
    locked = client.post("/auth/login", data={"email": student.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many" in locked.get_data(as_text=True)


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "reachable"}


def test_production_refuses_a_missing_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_starts_with_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/13")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["PRODUCTION"] and app.config["SESSION_COOKIE_SECURE"]


def test_login_limit_is_shared_by_workers_through_redis(app_config, student):
    """Two app instances (two workers) count attempts together when Redis stores them."""
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"Redis is not reachable at {url}")
    redis.Redis.from_url(url).flushdb()
    config = {**app_config, "RATELIMIT_STORAGE_URI": url, "LOGIN_RATE_LIMIT": "3 per minute"}
    workers = [create_app(config).test_client() for _ in range(2)]
    data = {"email": student.email, "password": "wrong password"}
    codes = [workers[i % 2].post("/auth/login", data=data).status_code for i in range(4)]
    assert codes == [422, 422, 422, 429]
    assert redis.Redis.from_url(url).keys("LIMITS*"), "the counts live in Redis"
    redis.Redis.from_url(url).flushdb()
