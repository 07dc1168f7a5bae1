"""Exam dates: until the day, cards likely forgotten by then come up early.

FSRS predicts each card's retrievability at any moment. For a card in the exam's
bank or topic, if the prediction for the start of the exam day falls below the
student's desired retention, the card joins the queue now, most at risk first,
within the daily review limit. Reviewing it raises its stability, which pushes
the predicted retrievability on the day back up.
"""

from __future__ import annotations

from datetime import date, datetime

import fsrs
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import ExamDate, Question, ReviewCard, Topic
from .days import day_bounds, study_day
from .fsrs_cards import scheduler_for, to_fsrs_card
from .queue import QueueEntry, StudyContext, study_context


class ExamError(ValueError):
    """An exam date that cannot be set; the message says why."""


def set_exam_date(
    session: Session,
    user_id: int,
    *,
    bank_id: int | None = None,
    topic_id: int | None = None,
    exam_on: date,
    today: date,
    label: str = "",
) -> ExamDate:
    if not bank_id and not topic_id:
        raise ExamError("Choose a bank or a topic for the exam.")
    if exam_on < today:
        raise ExamError("The exam date is in the past.")
    exam = ExamDate(
        user_id=user_id,
        bank_id=bank_id or None,
        topic_id=topic_id or None,
        exam_on=exam_on,
        label=label.strip()[:120],
    )
    session.add(exam)
    session.flush()
    return exam


def delete_exam_date(session: Session, user_id: int, exam_id: int) -> None:
    exam = session.scalar(
        select(ExamDate).where(ExamDate.id == exam_id, ExamDate.user_id == user_id)
    )
    if exam is None:
        raise LookupError(exam_id)
    session.delete(exam)
    session.flush()


def active_exam_dates(session: Session, user_id: int, today: date) -> list[ExamDate]:
    return list(
        session.scalars(
            select(ExamDate)
            .where(ExamDate.user_id == user_id, ExamDate.exam_on >= today)
            .order_by(ExamDate.exam_on, ExamDate.id)
        )
    )


def _scope_question_ids(exam: ExamDate):
    if exam.topic_id:
        topic = select(Topic.path, Topic.bank_id).where(Topic.id == exam.topic_id).subquery()
        topics = (
            select(Topic.id)
            .join(topic, Topic.bank_id == topic.c.bank_id)
            .where(or_(Topic.path == topic.c.path, Topic.path.like(topic.c.path + "/%")))
        )
        return select(Question.id).where(Question.topic_id.in_(topics))
    return select(Question.id).where(Question.bank_id == exam.bank_id)


def exam_candidates(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> list[QueueEntry]:
    context = context or study_context(session, user_id, now)
    settings = context.settings
    today = study_day(now, context.time_zone, settings.day_starts_at_hour)
    exams = active_exam_dates(session, user_id, today)
    if not exams:
        return []
    scheduler = scheduler_for(settings)
    best: dict[int, QueueEntry] = {}
    for exam in exams:
        exam_start = day_bounds(exam.exam_on, context.time_zone, settings.day_starts_at_hour)[0]
        cards = session.scalars(
            select(ReviewCard).where(
                ReviewCard.user_id == user_id,
                ReviewCard.question_id.in_(_scope_question_ids(exam)),
                ReviewCard.reps > 0,
                ReviewCard.state == fsrs.State.Review.value,
                ReviewCard.suspended.is_(False),
                or_(ReviewCard.buried_until.is_(None), ReviewCard.buried_until <= now),
                ReviewCard.due > now,  # due cards are in the ordinary queue already
                ReviewCard.last_review < context.day_start,  # once a day is enough
            )
        ).all()
        moment = max(exam_start, now)
        for card in cards:
            predicted = scheduler.get_card_retrievability(to_fsrs_card(card), moment)
            if predicted >= settings.desired_retention:
                continue
            held = best.get(card.id)
            if held is None or predicted < held.retrievability:
                best[card.id] = QueueEntry(card, "exam", predicted)
    return sorted(best.values(), key=lambda e: (e.retrievability, e.card.id))
