"""Configuration, read from the environment when the app is created.

`DATABASE_URL` selects the database (SQLite under instance/ by default);
`RATELIMIT_STORAGE_URI` points rate limits at Redis in production;
`JOB_QUEUE_URL` (or `REDIS_URL`) runs background jobs on RQ workers instead of a thread;
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
        # Failed logins per email, whatever the address, and (looser) per client address;
        # successful logins never count.
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per 15 minutes")
        self.LOGIN_ADDRESS_RATE_LIMIT = env.get("LOGIN_ADDRESS_RATE_LIMIT", "50 per 15 minutes")
        self.SIGNUP_RATE_LIMIT = env.get("SIGNUP_RATE_LIMIT", "60 per hour")
        self.PASSWORD_RATE_LIMIT = env.get("PASSWORD_RATE_LIMIT", "10 per 15 minutes")
        self.RESET_RATE_LIMIT = env.get("RESET_RATE_LIMIT", "5 per hour")
        # How many proxies (load balancer, ingress) stand in front of the app; 0: none.
        self.TRUSTED_PROXY_COUNT = int(env.get("TRUSTED_PROXY_COUNT", 0))
        # Mail for "Forgot password?": off unless MAIL_SERVER is set.
        self.MAIL_SERVER = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(env.get("MAIL_PORT", 587))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = env.get("MAIL_USE_TLS", "1") == "1"
        self.MAIL_FROM = env.get("MAIL_FROM", "recall@localhost")
        self.BOOTSTRAP_SERVE_LOCAL = True
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # Study days roll over at this hour in the student's time zone, as in Anki.
        self.STUDY_DAY_STARTS_AT_HOUR = int(env.get("STUDY_DAY_STARTS_AT_HOUR", 4))
        self.SEED_DATA_DIR = env.get("SEED_DATA_DIR")  # None: seed_data/ beside app/
        # Imported and attached images and audio, by content hash; None: instance/media.
        self.MEDIA_ROOT = env.get("MEDIA_ROOT") or None
        self.MEDIA_MAX_BYTES = int(env.get("MEDIA_MAX_BYTES", 5 * 1024 * 1024))
        # Background jobs: on RQ when a Redis URL is given, else in a thread of the server.
        self.JOB_QUEUE_URL = env.get("JOB_QUEUE_URL") or env.get("REDIS_URL") or None
        self.JOB_QUEUE_NAME = env.get("JOB_QUEUE_NAME", "recall")
        self.JOB_TIMEOUT_SECONDS = int(env.get("JOB_TIMEOUT_SECONDS", 3600))
        # A running job beats its heartbeat this often; silent for JOB_STALE_SECONDS: lost.
        self.JOB_HEARTBEAT_SECONDS = float(env.get("JOB_HEARTBEAT_SECONDS", 10))
        self.JOB_STALE_SECONDS = float(env.get("JOB_STALE_SECONDS", 120))
        # Question files uploaded for import: at most this many bytes; more questions than
        # the threshold are written by a background job with a progress bar.
        self.IMPORT_MAX_BYTES = int(env.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
        self.IMPORT_JOB_THRESHOLD = int(env.get("IMPORT_JOB_THRESHOLD", 500))


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.WTF_CSRF_ENABLED = False
        self.SECRET_KEY = "testing"  # noqa: S105 - tests only
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.JOB_QUEUE_URL = None  # jobs run in threads unless a test asks for RQ


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
