"""A student's study settings, with Anki-style step and interval notation."""

from __future__ import annotations

import math
import re

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..models.reviews import STUDY_DEFAULTS, StudySettings

MIN_RETENTION, MAX_RETENTION = 0.70, 0.97
# As Anki's maximum interval: no step is longer than 36,500 days.
MAX_STEP_DAYS = 36_500
MAX_STEP_SECONDS = MAX_STEP_DAYS * 86_400
# The one list of defaults, kept with the model: a student without a row studies with these.
DEFAULTS = STUDY_DEFAULTS
NEW_CARD_ORDERS = {"file": "In file order", "random": "In random order"}

MINUTE, HOUR, DAY = 60, 3600, 86400
# Anki (rslib/src/scheduler/timespan.rs): a year is 365 days and a month a twelfth of it.
YEAR = 365 * DAY
MONTH = YEAR / 12
_STEP_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY}
_STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")


class SettingsError(ValueError):
    """A setting out of range; the message says which and why."""


def configure_defaults(*, day_starts_at_hour: int) -> None:
    """The app's default day start (STUDY_DAY_STARTS_AT_HOUR) for students who set none."""
    if not _is_int(day_starts_at_hour) or not 0 <= day_starts_at_hour <= 23:
        raise SettingsError("The next day must start at a whole hour from 0 to 23.")
    DEFAULTS["day_starts_at_hour"] = day_starts_at_hour


def get_settings(session: Session, user_id: int) -> StudySettings:
    """The student's settings; the defaults, unsaved, when the student has no row yet.

    Reading writes nothing: the row is created by the first write (settings_for_update).
    """
    settings = session.get(StudySettings, user_id)
    return settings if settings is not None else default_settings(user_id)


def default_settings(user_id: int) -> StudySettings:
    """The defaults as a transient object: never added to a session, so never inserted."""
    return StudySettings(user_id=user_id, parameters=None, **_fresh_defaults())


def settings_for_update(session: Session, user_id: int) -> StudySettings:
    """The student's settings row, creating it with the defaults first if there is none."""
    settings = session.get(StudySettings, user_id)
    if settings is None:
        # Two first requests of one student may race here: insert-or-ignore, then read.
        dialect = session.get_bind().dialect.name
        insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}.get(dialect)
        values = {"user_id": user_id, **_fresh_defaults()}
        if insert is None:
            session.add(StudySettings(**values))
            session.flush()
        else:
            session.execute(
                insert(StudySettings)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["user_id"])
            )
        settings = session.get(StudySettings, user_id)
    return settings


def _fresh_defaults() -> dict[str, object]:
    return {
        name: list(value) if isinstance(value, list) else value for name, value in DEFAULTS.items()
    }


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
    new_card_order: str | None = None,
) -> StudySettings:
    """Check every value, then write. Cards keep their due dates until their next answer.

    Retention is stored as given: rounding it would shift every due date computed from it.
    """
    _check_retention(desired_retention)
    _check_limit("New cards per day", new_per_day)
    _check_limit("Maximum reviews per day", max_reviews_per_day)
    _check_steps("Learning steps", learning_steps)
    # As in Anki and fsrs, a lapse may skip relearning and go straight back to review.
    _check_steps("Relearning steps", relearning_steps, allow_empty=True)
    if not _is_int(maximum_interval) or maximum_interval < 1:
        raise SettingsError("The maximum interval must be a whole number of days, at least 1.")
    if not _is_int(day_starts_at_hour) or not 0 <= day_starts_at_hour <= 23:
        raise SettingsError("The next day must start at a whole hour from 0 to 23.")
    if new_card_order is not None and new_card_order not in NEW_CARD_ORDERS:
        raise SettingsError("New cards come in file order or in random order.")
    settings = settings_for_update(session, user_id)
    settings.desired_retention = float(desired_retention)
    settings.new_per_day = new_per_day
    settings.max_reviews_per_day = max_reviews_per_day
    settings.learning_steps = list(learning_steps)
    settings.relearning_steps = list(relearning_steps)
    settings.maximum_interval = maximum_interval
    settings.day_starts_at_hour = day_starts_at_hour
    if new_card_order is not None:
        settings.new_card_order = new_card_order
    session.flush()
    return settings


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_retention(value: float) -> None:
    # The table's CHECK constraint has the same range; below 0.70 FSRS's intervals grow
    # so long that most cards are forgotten, above 0.97 the workload explodes.
    if not isinstance(value, int | float) or not MIN_RETENTION <= value <= MAX_RETENTION:
        raise SettingsError(
            f"Desired retention must be between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f}."
        )


def _check_limit(name: str, value: int) -> None:
    if not _is_int(value) or value < 0:
        raise SettingsError(f"{name} must be a whole number, 0 or more.")


def _check_steps(name: str, steps: list[int], *, allow_empty: bool = False) -> None:
    if not steps and allow_empty:
        return
    if not steps:
        raise SettingsError(f"{name}: give at least one step, like “10m”.")
    if any(not _is_int(step) or step <= 0 for step in steps):
        raise SettingsError(f"{name} must be longer than zero.")
    if any(step > MAX_STEP_SECONDS for step in steps):
        raise SettingsError(f"{name} can be at most {MAX_STEP_DAYS} days each.")
    if list(steps) != sorted(steps):
        raise SettingsError(f"{name} must go from shortest to longest.")


def parse_steps(text: str, *, allow_empty: bool = False) -> list[int]:
    """Anki's step notation in seconds: "1m 10m 1h 1d" -> [60, 600, 3600, 86400]."""
    steps = []
    for part in text.replace(",", " ").split():
        match = _STEP.match(part.lower())
        if not match:
            raise SettingsError(
                f"“{part}” is not a step: write a number and a unit s, m, h or d, like 10m."
            )
        seconds = float(match.group(1)) * _STEP_UNITS[match.group(2)]
        if not seconds <= MAX_STEP_SECONDS:
            raise SettingsError(
                f"“{part}” is too long: a step can be at most {MAX_STEP_DAYS} days."
            )
        steps.append(int(seconds))
    _check_steps("Steps", steps, allow_empty=allow_empty)
    return steps


def format_steps(steps: list[int]) -> str:
    """[60, 600, 5400] -> "1m 10m 90m": each step in the largest unit that divides it."""
    _check_steps("Steps", steps, allow_empty=True)
    return " ".join(_format_step(seconds) for seconds in steps)


def _format_step(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _STEP_UNITS[unit] == 0:
            return f"{seconds // _STEP_UNITS[unit]}{unit}"
    return f"{seconds}s"


def format_interval(seconds: float) -> str:
    """The label over an answer button: "30s", "9m", "1.5h", "4d", "10.4mo", "1.2y".

    As Anki's answer_button_time: the unit is the largest that fits; seconds, minutes
    and days are whole numbers, hours, months and years keep one decimal (dropped when
    it is zero); halves round up, as Rust's round does.
    """
    seconds = max(0.0, float(seconds))
    if seconds < MINUTE:
        return f"{_whole(seconds)}s"
    if seconds < HOUR:
        return f"{_whole(seconds / MINUTE)}m"
    if seconds < DAY:
        return f"{_one_decimal(seconds / HOUR)}h"
    if seconds < MONTH:
        return f"{_whole(seconds / DAY)}d"
    if seconds < YEAR:
        return f"{_one_decimal(seconds / MONTH)}mo"
    return f"{_one_decimal(seconds / YEAR)}y"


def _whole(amount: float) -> int:
    return math.floor(amount + 0.5)


def _one_decimal(amount: float) -> str:
    tenths = math.floor(amount * 10 + 0.5)
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"
