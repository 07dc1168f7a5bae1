"""The bridge between review_cards rows and the fsrs package."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import fsrs

from ..models import ReviewCard, StudySettings


def scheduler_for(settings: StudySettings) -> fsrs.Scheduler:
    """The student's scheduler. No fuzz, so a button's interval is the one applied."""
    kwargs: dict[str, Any] = {
        "desired_retention": settings.desired_retention,
        "learning_steps": [timedelta(seconds=s) for s in settings.learning_steps],
        "relearning_steps": [timedelta(seconds=s) for s in settings.relearning_steps],
        "maximum_interval": settings.maximum_interval,
        "enable_fuzzing": False,
    }
    if settings.parameters:
        kwargs["parameters"] = list(settings.parameters)
    return fsrs.Scheduler(**kwargs)


def to_fsrs_card(card: ReviewCard) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.id,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def copy_fsrs_state(after: fsrs.Card, into: ReviewCard) -> None:
    into.state = after.state.value
    into.step = after.step
    into.stability = after.stability
    into.difficulty = after.difficulty
    into.due = after.due
    into.last_review = after.last_review


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


SNAPSHOT_FIELDS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "reps",
    "lapses",
    "suspended",
    "leech",
)


def card_snapshot(card: ReviewCard) -> dict[str, Any]:
    snapshot: dict[str, Any] = {name: getattr(card, name) for name in SNAPSHOT_FIELDS}
    snapshot.update(
        due=_iso(card.due),
        last_review=_iso(card.last_review),
        buried_until=_iso(card.buried_until),
    )
    return snapshot


def restore_snapshot(card: ReviewCard, snapshot: dict[str, Any]) -> None:
    for name in SNAPSHOT_FIELDS:
        setattr(card, name, snapshot[name])
    card.due = _from_iso(snapshot["due"])
    card.last_review = _from_iso(snapshot["last_review"])
    card.buried_until = _from_iso(snapshot["buried_until"])
