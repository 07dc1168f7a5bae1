"""What to study next: learning steps, due reviews, exam reviews, then new cards.

Every query names one student and filters on the (user_id, due) or (user_id, reps,
position) index, so the queue never reads other students' cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import fsrs
from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from ..models import ReviewCard
from .context import QueueEntry, StudyContext, not_set_aside, study_context
from .days import as_utc
from .exams import exam_candidates, new_card_priority
from .fsrs_cards import scheduler_for, to_fsrs_card

__all__ = ["QueueCounts", "QueueEntry", "next_card", "next_due_at", "queue_counts"]

LEARNING_STATES = (fsrs.State.Learning.value, fsrs.State.Relearning.value)


@dataclass
class QueueCounts:
    learning: int
    due: int
    new: int
    exam: int
    reviews_done_today: int
    new_done_today: int

    @property
    def total(self) -> int:
        return self.learning + self.due + self.new + self.exam


def _learning_due(user_id: int, now: datetime) -> Select[tuple[ReviewCard]]:
    """Cards in a learning or relearning step whose step has run out."""
    return select(ReviewCard).where(
        ReviewCard.user_id == user_id,
        ReviewCard.due <= now,
        ReviewCard.reps > 0,
        ReviewCard.state.in_(LEARNING_STATES),
        not_set_aside(now),
    )


def _reviews_due(user_id: int, now: datetime) -> Select[tuple[ReviewCard]]:
    return select(ReviewCard).where(
        ReviewCard.user_id == user_id,
        ReviewCard.due <= now,
        ReviewCard.reps > 0,
        ReviewCard.state == fsrs.State.Review.value,
        not_set_aside(now),
    )


def _new_cards(user_id: int, now: datetime) -> Select[tuple[ReviewCard]]:
    return select(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.reps == 0, not_set_aside(now)
    )


def due_reviews(
    session: Session, context: StudyContext, user_id: int, now: datetime
) -> list[QueueEntry]:
    """Review cards due now, the least retrievable first.

    Anki offers this order for FSRS ("retrievability ascending"): with more due than the
    day's limit, the cards most likely forgotten are the ones worth reviewing today.
    """
    scheduler = scheduler_for(context.settings)
    entries = [
        QueueEntry(card, "due", scheduler.get_card_retrievability(to_fsrs_card(card), now))
        for card in session.scalars(_reviews_due(user_id, now))
    ]
    entries.sort(key=lambda entry: (entry.retrievability, entry.card.due, entry.card.id))
    return entries


def next_card(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> QueueEntry | None:
    """The card to show now, or None when nothing is available until later."""
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    learning = session.scalars(
        _learning_due(user_id, now).order_by(ReviewCard.due, ReviewCard.id).limit(1)
    ).first()
    if learning is not None:
        return QueueEntry(learning, "learning")
    if context.reviews_left:
        due = due_reviews(session, context, user_id, now)
        if due:
            return due[0]
    if context.reviews_left:
        exam = exam_candidates(session, user_id, now, context=context)
        if exam:
            return exam[0]
    if context.new_left:
        exam_first = new_card_priority(session, user_id, context.today)
        order = (ReviewCard.position, ReviewCard.id)
        new = session.scalars(
            _new_cards(user_id, now)
            .order_by(*((exam_first, *order) if exam_first is not None else order))
            .limit(1)
        ).first()
        if new is not None:
            return QueueEntry(new, "new")
    return None


def queue_counts(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> QueueCounts:
    """How many cards next_card would show today, by kind, within the daily limits."""
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    # One pass over the student's available cards gives all three counts.
    due_now = (ReviewCard.due <= now) & (ReviewCard.reps > 0)
    learning_count, due_count, new_count = session.execute(
        select(
            func.count().filter(due_now & ReviewCard.state.in_(LEARNING_STATES)),
            func.count().filter(due_now & (ReviewCard.state == fsrs.State.Review.value)),
            func.count().filter(ReviewCard.reps == 0),
        ).where(ReviewCard.user_id == user_id, not_set_aside(now))
    ).one()
    due = min(due_count, context.reviews_left)
    new = min(new_count, context.new_left)
    exam = 0
    if context.reviews_left > due:
        candidates = exam_candidates(session, user_id, now, context=context)
        exam = min(len(candidates), context.reviews_left - due)
    return QueueCounts(
        learning=learning_count,
        due=due,
        new=new,
        exam=exam,
        reviews_done_today=context.reviews_done,
        new_done_today=context.new_done,
    )


def next_due_at(session: Session, user_id: int, now: datetime) -> datetime | None:
    """When a card not available now becomes available, for "next card in 7m".

    A card is available once it is due and no longer buried; a card held back by a
    daily limit waits, as well, for the next study day, when the limits start again.
    """
    now = as_utc(now)
    context = study_context(session, user_id, now)
    settings = context.settings
    kinds: list[tuple[ColumnElement[bool], bool]] = [
        (and_(ReviewCard.reps > 0, ReviewCard.state.in_(LEARNING_STATES)), False)
    ]
    # A limit of zero never resets: those cards are not coming.
    if settings.max_reviews_per_day > 0:
        review = and_(ReviewCard.reps > 0, ReviewCard.state == fsrs.State.Review.value)
        kinds.append((review, not context.reviews_left))
    if settings.new_per_day > 0:
        kinds.append((ReviewCard.reps == 0, not context.new_left))
    times = []
    for kind, held_by_limit in kinds:
        earliest, earliest_after_now = _earliest_available(session, user_id, now, kind)
        if held_by_limit and earliest is not None:
            times.append(max(earliest, context.day_end))
        elif earliest_after_now is not None:
            times.append(earliest_after_now)
    return min(times, default=None)


def _earliest_available(
    session: Session, user_id: int, now: datetime, kind: ColumnElement[bool]
) -> tuple[datetime | None, datetime | None]:
    """The earliest moment a card of this kind is due and unburied: at all, and after now."""
    available_at = case(
        (ReviewCard.buried_until > ReviewCard.due, ReviewCard.buried_until),
        else_=ReviewCard.due,
    )
    earliest, earliest_after_now = session.execute(
        select(func.min(available_at), func.min(case((available_at > now, available_at)))).where(
            ReviewCard.user_id == user_id, ReviewCard.suspended.is_(False), kind
        )
    ).one()
    return earliest, earliest_after_now
