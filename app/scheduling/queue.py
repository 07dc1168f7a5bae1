"""What to study next: learning steps, due reviews, new cards, then exam preparation.

Every query is scoped to one student and uses the (user_id, due) or
(user_id, reps, position) index, so the queue never depends on other students' data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import fsrs
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..models import ReviewCard, ReviewLog, StudySettings, User
from .days import day_bounds, study_day
from .fsrs_cards import scheduler_for, to_fsrs_card
from .settings import get_settings

LEARNING_STATES = (fsrs.State.Learning.value, fsrs.State.Relearning.value)


@dataclass
class QueueEntry:
    card: ReviewCard
    reason: str  # "learning" | "due" | "new" | "exam"
    retrievability: float | None = None


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


@dataclass
class StudyContext:
    """What every queue question needs: settings, the day's bounds, today's counts."""

    settings: StudySettings
    time_zone: str
    day_start: datetime
    day_end: datetime
    reviews_done: int
    new_done: int

    @property
    def reviews_left(self) -> int:
        return max(0, self.settings.max_reviews_per_day - self.reviews_done)

    @property
    def new_left(self) -> int:
        return max(0, self.settings.new_per_day - self.new_done)


def study_context(session: Session, user_id: int, now: datetime) -> StudyContext:
    settings = get_settings(session, user_id)
    time_zone = session.scalar(select(User.time_zone).where(User.id == user_id)) or "UTC"
    today = study_day(now, time_zone, settings.day_starts_at_hour)
    start, end = day_bounds(today, time_zone, settings.day_starts_at_hour)
    done = dict(
        session.execute(
            select(ReviewLog.was_new, func.count())
            .where(
                ReviewLog.user_id == user_id,
                ReviewLog.reviewed_at >= start,
                ReviewLog.reviewed_at < end,
            )
            .group_by(ReviewLog.was_new)
        ).all()
    )
    return StudyContext(settings, time_zone, start, end, done.get(False, 0), done.get(True, 0))


def _available(user_id: int, now: datetime) -> Select:
    return select(ReviewCard).where(
        ReviewCard.user_id == user_id,
        ReviewCard.suspended.is_(False),
        or_(ReviewCard.buried_until.is_(None), ReviewCard.buried_until <= now),
    )


def _learning_query(user_id: int, now: datetime) -> Select:
    return _available(user_id, now).where(
        ReviewCard.due <= now, ReviewCard.reps > 0, ReviewCard.state.in_(LEARNING_STATES)
    )


def due_reviews(
    session: Session, user_id: int, now: datetime, scheduler: fsrs.Scheduler
) -> list[QueueEntry]:
    """Review cards due now, the least retrievable first."""
    cards = session.scalars(
        _available(user_id, now).where(
            ReviewCard.due <= now,
            ReviewCard.reps > 0,
            ReviewCard.state == fsrs.State.Review.value,
        )
    ).all()
    entries = [
        QueueEntry(card, "due", scheduler.get_card_retrievability(to_fsrs_card(card), now))
        for card in cards
    ]
    entries.sort(key=lambda e: (e.retrievability, e.card.due, e.card.id))
    return entries


def _new_query(user_id: int, now: datetime) -> Select:
    return (
        _available(user_id, now)
        .where(ReviewCard.reps == 0)
        .order_by(ReviewCard.position, ReviewCard.id)
    )


def next_card(session: Session, user_id: int, now: datetime) -> QueueEntry | None:
    context = study_context(session, user_id, now)
    learning = session.scalars(
        _learning_query(user_id, now).order_by(ReviewCard.due, ReviewCard.id).limit(1)
    ).first()
    if learning is not None:
        return QueueEntry(learning, "learning")
    scheduler = scheduler_for(context.settings)
    if context.reviews_left:
        due = due_reviews(session, user_id, now, scheduler)
        if due:
            return due[0]
    if context.new_left:
        new = session.scalars(_new_query(user_id, now).limit(1)).first()
        if new is not None:
            return QueueEntry(new, "new")
    if context.reviews_left:
        from .exams import exam_candidates

        exam = exam_candidates(session, user_id, now, context=context)
        if exam:
            return exam[0]
    return None


def queue_counts(session: Session, user_id: int, now: datetime) -> QueueCounts:
    context = study_context(session, user_id, now)
    learning = session.scalar(
        select(func.count()).select_from(_learning_query(user_id, now).subquery())
    )
    scheduler = scheduler_for(context.settings)
    due = min(len(due_reviews(session, user_id, now, scheduler)), context.reviews_left)
    new_available = session.scalar(
        select(func.count()).select_from(_new_query(user_id, now).subquery())
    )
    new = min(new_available, context.new_left)
    exam = 0
    if context.reviews_left > due:
        from .exams import exam_candidates

        exam = min(
            len(exam_candidates(session, user_id, now, context=context)), context.reviews_left - due
        )
    return QueueCounts(learning, due, new, exam, context.reviews_done, context.new_done)


def next_due_at(session: Session, user_id: int, now: datetime) -> datetime | None:
    """When something will next be available, for "next card in 7m"."""
    context = study_context(session, user_id, now)
    candidates = []
    later = session.scalar(
        select(func.min(ReviewCard.due)).where(
            ReviewCard.user_id == user_id,
            ReviewCard.suspended.is_(False),
            ReviewCard.reps > 0,
            ReviewCard.due > now,
        )
    )
    if later is not None:
        candidates.append(later)
    buried = session.scalar(
        select(func.min(ReviewCard.buried_until)).where(
            ReviewCard.user_id == user_id,
            ReviewCard.suspended.is_(False),
            ReviewCard.buried_until > now,
        )
    )
    if buried is not None:
        candidates.append(buried)
    waiting_new = session.scalar(
        select(ReviewCard.id)
        .where(
            and_(
                ReviewCard.user_id == user_id, ReviewCard.reps == 0, ReviewCard.suspended.is_(False)
            )
        )
        .limit(1)
    )
    if waiting_new is not None and not context.new_left:
        candidates.append(context.day_end)
    if not candidates:
        return None
    from ..models.types import UtcDateTime

    normalize = UtcDateTime().process_result_value
    return min(normalize(c, None) if c.tzinfo is None else c for c in candidates)
