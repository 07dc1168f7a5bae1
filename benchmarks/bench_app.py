"""The app as the benchmark runs it: a given database, no CSRF, no login rate limit."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app import create_app

# Sessions of the benchmark's own throwaway students only.
SECRET_KEY = "benchmark-only-" + "0" * 32  # noqa: S105


def sqlalchemy_url(libpq_url: str) -> str:
    """postgresql://... as SQLAlchemy's psycopg 3 URL (it would pick psycopg2 otherwise)."""
    return "postgresql+psycopg://" + libpq_url.split("://", 1)[1]


def bench_config(database_url: str) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": SECRET_KEY,
        "WTF_CSRF_ENABLED": False,
        # Every client logs in from 127.0.0.1: the per-address login limit would refuse them.
        "RATELIMIT_ENABLED": False,
    }


def bench_app(database_url: str) -> Flask:
    return create_app(bench_config(database_url))
