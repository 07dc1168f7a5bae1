"""A student's study settings, with Anki-style step and interval notation."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from ..models import StudySettings

MIN_RETENTION, MAX_RETENTION = 0.70, 0.97
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")


class SettingsError(ValueError):
    """A setting out of range; the message says which and why."""


def get_settings(session: Session, user_id: int) -> StudySettings:
    settings = session.get(StudySettings, user_id)
    if settings is None:
        settings = StudySettings(
            user_id=user_id,
            desired_retention=0.9,
            new_per_day=20,
            max_reviews_per_day=200,
            learning_steps=[60, 600],
            relearning_steps=[600],
            maximum_interval=36500,
            day_starts_at_hour=4,
        )
        session.add(settings)
        session.flush()
    return settings


def parse_steps(text: str) -> list[int]:
    """ "1m 10m 1h" -> [60, 600, 3600] seconds."""
    parts = text.replace(",", " ").split()
    if not parts:
        raise SettingsError("Give at least one step, like “1m 10m”.")
    steps = []
    for part in parts:
        match = _STEP.match(part.strip().lower())
        if not match:
            raise SettingsError(
                f"“{part}” is not a step: write a number and a unit s, m, h or d, like 10m."
            )
        seconds = int(float(match.group(1)) * _UNITS[match.group(2)])
        if seconds <= 0:
            raise SettingsError("Steps must be longer than zero.")
        steps.append(seconds)
    if steps != sorted(steps):
        raise SettingsError("Steps must go from shortest to longest.")
    return steps


def format_steps(steps: list[int]) -> str:
    out = []
    for seconds in steps:
        for unit in ("d", "h", "m"):
            if seconds % _UNITS[unit] == 0:
                out.append(f"{seconds // _UNITS[unit]}{unit}")
                break
        else:
            out.append(f"{seconds}s")
    return " ".join(out)


def format_interval(seconds: float) -> str:
    """Anki's button labels: <1m, 10m, 3h, 4d, 1.5mo, 1.2y."""
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    months = days / 30.4375
    if months < 12:
        return f"{months:.1f}mo".replace(".0mo", "mo") if months < 10 else f"{round(months)}mo"
    years = days / 365.25
    return f"{years:.1f}y".replace(".0y", "y") if years < 10 else f"{round(years)}y"


def update_settings(
    session: Session,
    user_id: int,
    *,
    desired_retention: float,
    new_per_day: int,
    max_reviews_per_day: int,
    learning_steps: list[int],
    relearning_steps: list[int],
    maximum_interval: int,
    day_starts_at_hour: int,
) -> StudySettings:
    """Check every value, then write; past reviews are never rewritten."""
    if not MIN_RETENTION <= desired_retention <= MAX_RETENTION:
        raise SettingsError(
            f"Desired retention must be between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f}."
        )
    if new_per_day < 0 or max_reviews_per_day < 0:
        raise SettingsError("Daily limits cannot be negative.")
    for name, steps in (("Learning", learning_steps), ("Relearning", relearning_steps)):
        if not steps or any(s <= 0 for s in steps) or steps != sorted(steps):
            raise SettingsError(f"{name} steps must be positive and from shortest to longest.")
    if maximum_interval < 1:
        raise SettingsError("The maximum interval must be at least 1 day.")
    if not 0 <= day_starts_at_hour <= 23:
        raise SettingsError("The day must start at an hour from 0 to 23.")
    settings = get_settings(session, user_id)
    settings.desired_retention = round(float(desired_retention), 4)
    settings.new_per_day = new_per_day
    settings.max_reviews_per_day = max_reviews_per_day
    settings.learning_steps = list(learning_steps)
    settings.relearning_steps = list(relearning_steps)
    settings.maximum_interval = maximum_interval
    settings.day_starts_at_hour = day_starts_at_hour
    session.flush()
    return settings
