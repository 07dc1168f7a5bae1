"""The progress page: a student's own figures, as charts and as tables."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from ..analytics import (
    ProgressReport,
    bar_chart,
    calendar_heatmap,
    line_chart,
    progress_report,
)
from ..clock import now
from ..extensions import db
from ..numbers import format_percent
from ..scheduling import exam_overview
from ..study.dates import best_locale, format_day

bp = Blueprint("progress", __name__, url_prefix="/progress", template_folder="templates")


@bp.get("/")
@login_required
def index():
    moment = now()
    report = progress_report(db.session, current_user.id, moment)
    locale = best_locale(list(request.accept_languages))
    return render_template(
        "progress/index.html",
        report=report,
        exam_panel=exam_overview(db.session, current_user.id, moment),
        format_day=lambda day: format_day(day, locale),
        charts=_charts(report),
        long_date=long_date,
    )


def long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def _inline(svg: str) -> Markup:
    # Safe to trust: the chart builders escape every text they are given
    # (tests/unit/test_charts.py feeds them "<script>").
    return Markup(svg)  # noqa: S704


def _charts(report: ProgressReport) -> dict[str, Markup]:
    """The charts as inline SVG, by name."""
    charts: dict[str, Markup] = {}
    if report.has_cards:
        charts["forecast"] = _inline(
            bar_chart(
                [(f"{day:%a} {_short_date(day)}", count) for day, count in report.forecast_30],
                "Reviews due in the next 30 days",
                "Study day",
                "Reviews due",
                unit="due",
                chart_id="forecast",
            )
        )
        charts["history"] = _inline(
            bar_chart(
                [(_short_date(day), count) for day, count in report.reviews_per_day_90],
                "Reviews per day, last 90 days",
                "Study day",
                "Reviews",
                unit=("review", "reviews"),
                chart_id="history",
            )
        )
        charts["heatmap"] = _inline(
            calendar_heatmap(
                report.heatmap_year, "Reviews per day, last 365 days", chart_id="heatmap"
            )
        )
    if report.practice_scores:
        zone = ZoneInfo(report.time_zone)
        charts["practice"] = _inline(
            line_chart(
                [
                    (f"{finished.astimezone(zone):%d %b %H:%M}", score * 100)
                    for finished, score in report.practice_scores
                ],
                "Practice session scores",
                "Session finished",
                "Score",
                y_max=100,
                value_format=lambda value: format_percent(value / 100),
                chart_id="practice",
            )
        )
    return charts
