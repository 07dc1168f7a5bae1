"""The application factory: builds the Flask app, its extensions and blueprints."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from config import load_config

from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask("app", instance_relative_config=False)
    app.config.from_object(load_config())
    app.config.update(config or {})
    _finish_config(app)
    from .inputs import register_input_guard

    register_input_guard(app)  # before any route is added: it replaces the int converter
    from .scheduling import configure_defaults

    # A student who never saved study settings starts the day at this hour.
    configure_defaults(day_starts_at_hour=int(app.config.get("STUDY_DAY_STARTS_AT_HOUR", 4)))

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address (and scheme, host) come from the last `proxies` proxies'
        # X-Forwarded-* headers; anything a client put in front of them is ignored.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    from . import (
        admin,
        auth,
        banks,
        classes,
        core,
        decks,
        imports,
        models,  # noqa: F401  (every table registered before use)
        practice,
        progress,
        quizzes,
        sources,
        study,
    )
    from .access import register_access
    from .cli import register_commands
    from .security import register_security_headers
    from .templating import register_filters
    from .web import register_error_handlers

    register_access(app, login_manager)
    for feature in (
        core,
        auth,
        study,
        practice,
        progress,
        banks,
        decks,
        classes,
        quizzes,
        sources,
        imports,
        admin,
    ):
        app.register_blueprint(feature.bp)
    register_error_handlers(app)
    register_filters(app)
    register_security_headers(app)
    register_commands(app)
    return app


def _finish_config(app: Flask) -> None:
    """Fill the defaults that depend on the instance folder; refuse unsafe production."""
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'recall.db'}"
    if app.config.get("PRODUCTION"):
        key = app.config.get("SECRET_KEY") or ""
        if len(key) < 32 or key in {"dev", "change-me", "testing"}:
            raise RuntimeError(
                "Production needs a real SECRET_KEY (32+ random characters) in the environment."
            )
        storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        if storage.startswith("memory"):
            raise RuntimeError(
                "Production needs shared rate-limit storage: set RATELIMIT_STORAGE_URI "
                "(e.g. redis://REDISHOST:6379/0), or every worker would count on its own."
            )
    elif not app.config.get("SECRET_KEY"):
        # A key kept in the instance folder keeps sessions valid across restarts.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    app.config.setdefault("SEED_DATA_DIR", None)
    if not app.config.get("MEDIA_ROOT"):
        app.config["MEDIA_ROOT"] = str(Path(app.instance_path) / "media")
    app.config.setdefault("MEDIA_MAX_BYTES", 5 * 1024 * 1024)
    if not app.config["SEED_DATA_DIR"]:
        app.config["SEED_DATA_DIR"] = str(Path(app.root_path).parent / "seed_data")
