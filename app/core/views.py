"""Home page, health check, navigation and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from ..access import has_role, is_admin, media_or_404
from ..attempts import quizzes as quiz_rules
from ..classes.roster import joined_classes_query, taught_classes_query
from ..clock import now
from ..extensions import db
from ..media import MediaStore, load_media
from ..models import Role
from ..scheduling import queue_counts

bp = Blueprint("core", __name__, template_folder="templates")

# (endpoint, label, roles allowed; empty means every signed-in user). Every entry is a
# page that exists: tests/web/test_navigation.py opens each one as each role.
NAVIGATION: list[tuple[str, str, tuple[Role, ...]]] = [
    ("study.queue", "Study", ()),
    ("practice.start", "Practice", ()),
    ("progress.index", "Progress", ()),
    ("banks.index", "Banks", ()),
    ("decks.index", "My decks", ()),
    ("classes.index", "Classes", ()),
    ("sources.index", "Sources", ()),
    ("imports.new", "Import", ()),
    ("admin.users", "Admin", (Role.ADMIN,)),
]


@bp.app_context_processor
def navigation() -> dict[str, Any]:
    items = []
    user = current_user._get_current_object()
    if user.is_authenticated:
        urls = _navigation_urls()
        for endpoint, label, roles in NAVIGATION:
            if roles and not has_role(user, *roles):
                continue
            items.append((endpoint, label, urls[endpoint]))
    return {"nav_items": items, "nav_active": _active_item(items)}


def _navigation_urls() -> dict[str, str]:
    """The navigation's URLs, which take no values: built once for each place the app is
    mounted at (its script root), not on every page."""
    built = current_app.extensions.setdefault("navigation_urls", {})
    root = request.script_root
    if root not in built:
        built[root] = {endpoint: url_for(endpoint) for endpoint, _, _ in NAVIGATION}
    return built[root]


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
    return render_template(
        "core/home.html",
        next_steps=_next_steps(),
        quizzes=_student_quizzes(),
        marking=_classes_to_mark(),
        past_attempts=quiz_rules.attempts_in_classes_left(db.session, current_user.id),
    )


def _student_quizzes() -> list[tuple[Any, Any]]:
    """The student's quizzes with their window and status, soonest to close first."""
    moment = now()
    quizzes = quiz_rules.quizzes_for_student(db.session, current_user.id)
    return [(q, quiz_rules.student_status(db.session, q, current_user.id, moment)) for q in quizzes]


def _classes_to_mark() -> list[tuple[Any, int]]:
    """Each class the user teaches with the essays waiting for a grade in its quizzes."""
    rows = []
    for school_class in db.session.scalars(taught_classes_query(current_user.id)):
        if school_class.archived:
            continue
        ids = [
            q.id
            for q in quiz_rules.class_quizzes(db.session, school_class.id, published_only=False)
        ]
        rows.append((school_class, quiz_rules.ungraded_count(db.session, ids)))
    return rows


def _next_steps() -> list[tuple[str, str, str]]:
    """What a signed-in user can do next: (title, text, url), most useful first."""
    steps = _study_steps()
    steps.append(
        (
            "Practise",
            "Test yourself on a bank or topic, with a score at the end.",
            url_for("practice.start"),
        )
    )
    steps.append(
        ("Your progress", "Forecast, retention and mastery per topic.", url_for("progress.index"))
    )
    steps.append(
        (
            "Read the sources",
            "Every seeded question cites a passage of these documents.",
            url_for("sources.index"),
        )
    )
    steps.append(
        (
            "Browse the banks",
            "Try a question, or add a bank to your reviews.",
            url_for("banks.index"),
        )
    )
    steps.extend(_class_steps())
    if is_admin(current_user):
        steps.append(("Manage users", "Make teachers and admins.", url_for("admin.users")))
    return steps


def _class_steps() -> list[tuple[str, str, str]]:
    """One step per class the user is in or teaches, by name."""
    steps = []
    for school_class in db.session.scalars(taught_classes_query(current_user.id)):
        if not school_class.archived:
            url = url_for("classes.show", class_id=school_class.id)
            steps.append((school_class.name, "Your class: roster, join code, shared banks.", url))
    for school_class in db.session.scalars(joined_classes_query(current_user.id)):
        url = url_for("classes.show", class_id=school_class.id)
        steps.append((school_class.name, "Your class: the banks your teacher shared.", url))
    return steps


def _study_steps() -> list[tuple[str, str, str]]:
    counts = queue_counts(db.session, current_user.id, now())
    waiting = counts.waiting
    if not (waiting or counts.new):
        return [("Nothing due", "Add a bank to your reviews, or practise.", url_for("study.queue"))]
    parts = []
    if waiting:
        parts.append(f"{waiting} review{'s' if waiting != 1 else ''} due")
    if counts.new:
        parts.append(f"{counts.new} new card{'s' if counts.new != 1 else ''}")
    return [("Study now", " and ".join(parts) + " today.", url_for("study.queue"))]


def media_store() -> MediaStore:
    """The media store the settings name (MEDIA_ROOT, MEDIA_MAX_BYTES)."""
    return MediaStore(
        Path(current_app.config["MEDIA_ROOT"]), int(current_app.config["MEDIA_MAX_BYTES"])
    )


@bp.get("/media/<sha256>")
def media(sha256: str):
    """A stored image or sound, with its checked type; never sniffed, cached for a year."""
    found = media_or_404(sha256)
    data = load_media(media_store(), found.sha256)
    if data is None:
        abort(404)
    response = Response(data, mimetype=found.mime_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    return jsonify(status="ok", database="reachable")
