"""Exam dates: until the day, cards likely forgotten by then come up early.

Anki schedules for long-term retention only, so a card reviewed a week before an exam
may be due a month after it. FSRS predicts a card's retrievability at any moment: for
each learned card in the exam's bank or topic, if the prediction for the start of the
exam's study day is below the student's desired retention, the card joins the queue
now, most at risk first, within the daily review limit. Reviewing it raises its
stability and with it the prediction, so once fresh enough for the day it drops out.
"""

from __future__ import annotations

from datetime import date, datetime

import fsrs
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..models import ExamDate, Question, QuestionBank, ReviewCard, Topic
from .cards import topic_condition
from .context import QueueEntry, StudyContext, not_set_aside, study_context
from .days import as_utc, day_bounds
from .fsrs_cards import scheduler_for, to_fsrs_card

MAX_LABEL_LENGTH = 120


class ExamError(ValueError):
    """An exam date that cannot be set; the message says why."""


class ExamNotFound(LookupError):
    """No such exam date for this user."""


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
    """Prepare for an exam on `exam_on` (a study day) covering a bank or a topic.

    `today` is the student's current study day (see study_day); an exam today is allowed.
    """
    label = label.strip()
    if not bank_id and not topic_id:
        raise ExamError("Choose a bank or a topic for the exam.")
    if exam_on < today:
        raise ExamError(f"The exam date {exam_on.isoformat()} is in the past.")
    if len(label) > MAX_LABEL_LENGTH:
        raise ExamError(f"The label can be at most {MAX_LABEL_LENGTH} characters.")
    _check_scope_exists(session, bank_id, topic_id)
    exam = ExamDate(
        user_id=user_id,
        bank_id=bank_id or None,
        topic_id=topic_id or None,
        exam_on=exam_on,
        label=label,
    )
    session.add(exam)
    session.flush()
    return exam


def _check_scope_exists(session: Session, bank_id: int | None, topic_id: int | None) -> None:
    if bank_id and session.get(QuestionBank, bank_id) is None:
        raise ExamError("That question bank does not exist.")
    if topic_id:
        topic = session.get(Topic, topic_id)
        if topic is None:
            raise ExamError("That topic does not exist.")
        if bank_id and topic.bank_id != bank_id:
            raise ExamError("That topic is not in the chosen bank.")


def delete_exam_date(session: Session, user_id: int, exam_id: int) -> None:
    exam = session.scalar(
        select(ExamDate).where(ExamDate.id == exam_id, ExamDate.user_id == user_id)
    )
    if exam is None:
        raise ExamNotFound(f"Exam date {exam_id} is not one of yours.")
    session.delete(exam)
    session.flush()


def active_exam_dates(session: Session, user_id: int, today: date) -> list[ExamDate]:
    """Exams from `today` (a study day) on, soonest first."""
    return list(
        session.scalars(
            select(ExamDate)
            .where(ExamDate.user_id == user_id, ExamDate.exam_on >= today)
            .order_by(ExamDate.exam_on, ExamDate.id)
        )
    )


def exam_scope(session: Session, exam: ExamDate) -> ColumnElement[bool]:
    """The exam's questions: its topic with sub-topics when set, else its whole bank."""
    if exam.topic_id:
        return topic_condition(session, exam.topic_id)
    return Question.bank_id == exam.bank_id


def exam_candidates(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> list[QueueEntry]:
    """Cards to review early for the student's coming exams, most at risk first.

    `context` saves recomputing the study day when the queue already has it.
    """
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    exams = active_exam_dates(session, user_id, context.today)
    if not exams:
        return []
    scheduler = scheduler_for(context.settings)
    # A card in the scope of two exams counts with its lower prediction.
    at_risk: dict[int, tuple[float, ReviewCard]] = {}
    for exam in exams:
        exam_starts = day_bounds(
            exam.exam_on, context.time_zone, context.settings.day_starts_at_hour
        )[0]
        for card in _learned_cards_not_due(session, exam, context, user_id, now):
            predicted = scheduler.get_card_retrievability(to_fsrs_card(card), exam_starts)
            if predicted < context.settings.desired_retention and (
                card.id not in at_risk or predicted < at_risk[card.id][0]
            ):
                at_risk[card.id] = (predicted, card)
    ranked = sorted(at_risk.values(), key=lambda pair: (pair[0], pair[1].id))
    return [QueueEntry(card, "exam", predicted) for predicted, card in ranked]


def _learned_cards_not_due(
    session: Session, exam: ExamDate, context: StudyContext, user_id: int, now: datetime
) -> list[ReviewCard]:
    in_scope = select(Question.id).where(exam_scope(session, exam))
    return list(
        session.scalars(
            select(ReviewCard).where(
                ReviewCard.user_id == user_id,
                ReviewCard.due > now,  # due cards are in the ordinary queue already
                ReviewCard.reps > 0,
                ReviewCard.state == fsrs.State.Review.value,
                ReviewCard.last_review < context.day_start,  # once a study day is enough
                ReviewCard.question_id.in_(in_scope),
                not_set_aside(now),
            )
        )
    )
