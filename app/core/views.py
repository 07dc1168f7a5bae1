"""Home page, health check, navigation and error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from ..access import can_edit, has_role
from ..extensions import db
from ..models import Role

bp = Blueprint("core", __name__, template_folder="templates")

# (endpoint, label, roles allowed; empty means every signed-in user)
NAVIGATION: list[tuple[str, str, tuple[Role, ...]]] = [
    ("study.queue", "Study", ()),
    ("practice.start", "Practice", ()),
    ("study.dashboard", "Progress", ()),
    ("banks.index", "Banks", ()),
    ("sources.index", "Sources", ()),
    ("classes.index", "Classes", (Role.TEACHER,)),
    ("quizzes.index", "Quizzes", (Role.TEACHER,)),
    ("admin.users", "Admin", (Role.ADMIN,)),
]


@bp.app_context_processor
def navigation() -> dict[str, Any]:
    items = []
    if current_user.is_authenticated:
        for endpoint, label, roles in NAVIGATION:
            if endpoint.split(".")[0] not in current_app.blueprints:
                continue
            if roles and not has_role(*roles):
                continue
            items.append((endpoint, label, url_for(endpoint)))
    return {
        "nav_items": items,
        "nav_active": _active_item(items),
        "can_edit": can_edit,
        "has_role": has_role,
        "Role": Role,
    }


def _active_item(items: list[tuple[str, str, str]]) -> str | None:
    """The nav endpoint to highlight: an exact match, else the only one of its blueprint."""
    current = request.endpoint or ""
    endpoints = [endpoint for endpoint, _, _ in items]
    if current in endpoints:
        return current
    same_blueprint = [e for e in endpoints if e.split(".")[0] == current.split(".")[0]]
    return same_blueprint[0] if same_blueprint else None


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/welcome.html")
    return render_template("core/home.html", next_steps=_next_steps())


def _next_steps() -> list[tuple[str, str, str]]:
    """What a signed-in user can do next: (title, text, url), most useful first."""
    steps: list[tuple[str, str, str]] = []
    bps = current_app.blueprints
    if "study" in bps:
        steps.extend(_study_steps())
    if "sources" in bps:
        steps.append(
            (
                "Read the sources",
                "Every seeded question cites a passage of these documents.",
                url_for("sources.index"),
            )
        )
    if "banks" in bps:
        steps.append(
            (
                "Browse the banks",
                "Try a question, or add a bank to your reviews.",
                url_for("banks.index"),
            )
        )
    if current_user.role_enum is Role.ADMIN and "admin" in bps:
        steps.append(("Manage users", "Make teachers and admins.", url_for("admin.users")))
    if not steps:
        steps.append(
            (
                "Set up your profile",
                "Pick your time zone so study days start at your own hour "
                f"({_day_start_text()}) where you are.",
                url_for("auth.profile"),
            )
        )
    return steps


def _day_start_text() -> str:
    from ..scheduling import get_settings

    return f"{get_settings(db.session, current_user.id).day_starts_at_hour:02d}:00"


def _study_steps() -> list[tuple[str, str, str]]:
    from ..models.types import utcnow
    from ..scheduling import queue_counts

    counts = queue_counts(db.session, current_user.id, utcnow())
    waiting = counts.waiting
    steps = []
    if waiting or counts.new:
        parts = []
        if waiting:
            parts.append(f"{waiting} review{'s' if waiting != 1 else ''} due")
        if counts.new:
            parts.append(f"{counts.new} new card{'s' if counts.new != 1 else ''}")
        steps.append(("Study now", " and ".join(parts) + " today.", url_for("study.queue")))
    else:
        steps.append(
            ("Nothing due", "Add a bank to your reviews, or practise.", url_for("study.queue"))
        )
    if "practice" in current_app.blueprints:
        steps.append(
            (
                "Practise",
                "Test yourself on a bank or topic, with a score at the end.",
                url_for("practice.start"),
            )
        )
    steps.append(
        ("Your progress", "Forecast, retention and mastery per topic.", url_for("study.dashboard"))
    )
    return steps


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    return jsonify(status="ok", database="reachable")


ERROR_TEXT = {
    400: ("Bad request", "The request could not be understood. Reload the page and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This page cannot be used that way."),
    413: ("Too large", "The upload is larger than this server accepts."),
    422: ("Cannot process", "The request had invalid data."),
    429: ("Too many requests", "Too many attempts. Wait a minute and try again."),
    500: ("Server error", "Something went wrong on our side. Please try again later."),
}


def register_error_pages(app: Flask) -> None:
    def render_error(code: int, description: str | None = None):  # type: ignore[no-untyped-def]
        title, message = ERROR_TEXT.get(code, ("Error", "Something went wrong."))
        return render_template("core/error.html", code=code, title=title, message=message), code

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if exc.code is None or exc.code < 400:
            return exc
        return render_error(exc.code)

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return render_error(500)
