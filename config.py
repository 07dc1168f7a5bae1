"""Configuration, read from the environment when the app is created.

`DATABASE_URL` selects the database (SQLite under instance/ by default);
`RATELIMIT_STORAGE_URI` points rate limits at Redis in production;
`APP_ENV` picks development (default), testing or production.
"""

from __future__ import annotations

import os


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url and url.startswith("postgresql://"):
        # SQLAlchemy would pick psycopg2, which is not installed; psycopg 3 is.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    """Read at create_app() time, so the environment of the process counts."""

    PRODUCTION = False
    ALLOW_DEMO_SEED = True
    TESTING = False

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = _database_url()  # None: SQLite in instance/
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.BOOTSTRAP_SERVE_LOCAL = True
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # Study days roll over at this hour in the student's time zone, as in Anki.
        self.STUDY_DAY_STARTS_AT_HOUR = int(env.get("STUDY_DAY_STARTS_AT_HOUR", 4))
        self.SEED_DATA_DIR = env.get("SEED_DATA_DIR")  # None: seed_data/ beside app/


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.WTF_CSRF_ENABLED = False
        self.SECRET_KEY = "testing"  # noqa: S105 - tests only
        self.RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    PRODUCTION = True
    ALLOW_DEMO_SEED = False
    PREFERRED_URL_SCHEME = "https"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config() -> Config:
    """The configuration named by APP_ENV (development by default)."""
    name = os.environ.get("APP_ENV", "development").lower()
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(
            f"APP_ENV={name!r} is not one of {', '.join(sorted(CONFIGS))}."
        ) from None
