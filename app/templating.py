"""Jinja filters: Markdown, local and relative times, numbers, percentages, difficulty."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user
from jinja2 import TemplateNotFound
from markupsafe import Markup

from .difficulty import DIFFICULTY_LABELS, difficulty_label
from .numbers import format_number, format_percent
from .questions import render_markdown


def _zone() -> ZoneInfo:
    name = getattr(current_user, "time_zone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(_zone()).strftime(fmt)


def timeuntil(value: datetime | None, now: datetime) -> str:
    from .scheduling import format_interval

    if value is None:
        return ""
    seconds = int((value - now).total_seconds())
    return "now" if seconds <= 0 else f"in {format_interval(seconds)}"


def _template_checker(app: Flask):
    """has_template(name): whether a template exists, for a partial that only some question
    types have. An include with "ignore missing" asks every template folder again on each
    render, so the answers are kept while templates are not reloaded."""
    known: dict[str, bool] = {}

    def exists(name: str) -> bool:
        try:
            app.jinja_env.get_template(name)
        except TemplateNotFound:
            return False
        return True

    def has_template(name: str) -> bool:
        if app.jinja_env.auto_reload:  # templates may come and go while developing
            return exists(name)
        if name not in known:
            known[name] = exists(name)
        return known[name]

    return has_template


def register_filters(app: Flask) -> None:
    # render_markdown sanitizes with nh3, so its output is safe to mark as such.
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))  # noqa: S704
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["timeuntil"] = timeuntil
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["difficulty_label"] = difficulty_label
    app.jinja_env.globals["DIFFICULTY_LABELS"] = DIFFICULTY_LABELS
    app.jinja_env.globals["has_template"] = _template_checker(app)
