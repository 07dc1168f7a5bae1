"""The bridge between review_cards rows and the fsrs package."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from ..models import ReviewCard, StudySettings
from .days import as_utc


def scheduler_for(settings: StudySettings) -> fsrs.Scheduler:
    """The student's scheduler, the one every part of the app uses. Fuzz is off, so the
    interval on a button is the one applied; unusable personal parameters fall back to
    the defaults, which still give a fair schedule."""
    options = {
        "desired_retention": settings.desired_retention,
        "learning_steps": [timedelta(seconds=s) for s in settings.learning_steps],
        "relearning_steps": [timedelta(seconds=s) for s in settings.relearning_steps],
        "maximum_interval": settings.maximum_interval,
        "enable_fuzzing": False,
    }
    if settings.parameters:
        try:
            return fsrs.Scheduler(parameters=settings.parameters, **options)
        except (ValueError, TypeError, IndexError):
            pass
    return fsrs.Scheduler(parameters=DEFAULT_PARAMETERS, **options)


def to_fsrs_card(card: ReviewCard) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.id,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=as_utc(card.due),
        last_review=as_utc(card.last_review) if card.last_review else None,
    )


def copy_fsrs_state(fsrs_card: fsrs.Card, into: ReviewCard) -> None:
    into.state = fsrs_card.state.value
    into.step = fsrs_card.step
    into.stability = fsrs_card.stability
    into.difficulty = fsrs_card.difficulty
    into.due = fsrs_card.due
    into.last_review = fsrs_card.last_review


# Everything an answer can change, so that undo puts the card back exactly.
_PLAIN_FIELDS = ("state", "step", "stability", "difficulty", "reps", "lapses", "suspended", "leech")
_TIME_FIELDS = ("due", "last_review", "buried_until")


def card_snapshot(card: ReviewCard) -> dict[str, Any]:
    """The card's scheduling state as JSON-safe values (datetimes as ISO 8601)."""
    snapshot: dict[str, Any] = {name: getattr(card, name) for name in _PLAIN_FIELDS}
    for name in _TIME_FIELDS:
        value = getattr(card, name)
        snapshot[name] = as_utc(value).isoformat() if value is not None else None
    return snapshot


def restore_snapshot(card: ReviewCard, snapshot: dict[str, Any]) -> None:
    for name in _PLAIN_FIELDS:
        setattr(card, name, snapshot[name])
    for name in _TIME_FIELDS:
        value = snapshot[name]
        setattr(card, name, datetime.fromisoformat(value) if value is not None else None)
