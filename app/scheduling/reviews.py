"""Answering a card through FSRS, undo, interval previews, leeches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import fsrs
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import ReviewCard, ReviewLog, StudySettings
from .cards import user_card
from .fsrs_cards import card_snapshot, restore_snapshot, scheduler_for, to_fsrs_card
from .settings import format_interval, get_settings

# Anki's default leech threshold; after it, every further half-threshold of lapses warns again.
LEECH_LAPSES = 8
CORRECT = 0.999


class StaleAnswer(RuntimeError):
    """The card changed since it was shown: a resubmit, a double click or a second tab."""


class NothingToUndo(LookupError):
    """The student has no answer left to undo."""


@dataclass
class AnswerOutcome:
    card: ReviewCard
    log: ReviewLog
    leech_now: bool


def is_leech_lapse(lapses: int) -> bool:
    return lapses == LEECH_LAPSES or (
        lapses > LEECH_LAPSES and (lapses - LEECH_LAPSES) % (LEECH_LAPSES // 2) == 0
    )


def rating_for_grade(fraction: float) -> fsrs.Rating:
    """Wrong → Again; partly right → Hard; right → Good."""
    if fraction >= CORRECT:
        return fsrs.Rating.Good
    if fraction > 0:
        return fsrs.Rating.Hard
    return fsrs.Rating.Again


def interval_previews(
    card: ReviewCard, settings: StudySettings, now: datetime
) -> dict[fsrs.Rating, str]:
    """The interval each button leads to, from the same scheduler answer_card uses."""
    scheduler = scheduler_for(settings)
    previews = {}
    for rating in fsrs.Rating:
        after, _ = scheduler.review_card(to_fsrs_card(card), rating, now)
        previews[rating] = format_interval((after.due - now).total_seconds())
    return previews


def answer_card(
    session: Session,
    user_id: int,
    card_id: int,
    rating: fsrs.Rating,
    now: datetime,
    *,
    expected_version: int,
    duration_ms: int | None = None,
    answer: dict[str, Any] | None = None,
    grade: float | None = None,
) -> AnswerOutcome:
    card = user_card(session, user_id, card_id)
    if card.version != expected_version:
        raise StaleAnswer(card_id)
    before = card_snapshot(card)
    was_new = card.reps == 0
    state_before = card.state
    scheduler = scheduler_for(get_settings(session, user_id))
    after, _ = scheduler.review_card(to_fsrs_card(card), rating, now, duration_ms)
    lapsed = state_before == fsrs.State.Review.value and rating == fsrs.Rating.Again
    lapses = card.lapses + (1 if lapsed else 0)
    leech_now = lapsed and is_leech_lapse(lapses)
    values = {
        "state": after.state.value,
        "step": after.step,
        "stability": after.stability,
        "difficulty": after.difficulty,
        "due": after.due,
        "last_review": after.last_review,
        "reps": card.reps + 1,
        "lapses": lapses,
        "leech": card.leech or leech_now,
        "suspended": card.suspended or leech_now,
        "buried_until": None,
        "version": expected_version + 1,
    }
    # The version in the WHERE clause makes the second of two concurrent answers a no-op.
    result = session.execute(
        update(ReviewCard)
        .where(ReviewCard.id == card.id, ReviewCard.version == expected_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleAnswer(card_id)
    for name, value in values.items():
        set_committed_value(card, name, value)
    log = ReviewLog(
        card_id=card.id,
        user_id=user_id,
        question_id=card.question_id,
        rating=rating.value,
        reviewed_at=now,
        duration_ms=duration_ms,
        state_before=state_before,
        state_after=after.state.value,
        was_new=was_new,
        card_before=before,
        interval_seconds=max(0, int((after.due - now).total_seconds())),
        answer=answer,
        grade=grade,
    )
    session.add(log)
    session.flush()
    return AnswerOutcome(card, log, leech_now)


def undo_last_answer(session: Session, user_id: int) -> ReviewCard:
    log = session.scalars(
        select(ReviewLog)
        .where(ReviewLog.user_id == user_id)
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
        .limit(1)
    ).first()
    if log is None:
        raise NothingToUndo(user_id)
    card = user_card(session, user_id, log.card_id)
    restore_snapshot(card, log.card_before)
    card.reps = log.card_before["reps"]
    card.version += 1
    session.delete(log)
    session.flush()
    return card
