"""Exam dates: one well-placed review per card that would otherwise be weak on the day.

Anki schedules for long-term retention only, so a card reviewed a week before an exam
may be due a month after it. An exam has its own target retrievability (0.95 by default,
above the student's desired retention) for the start of its study day, and FSRS predicts
each card's retrievability at that moment. The ordinary schedule is left alone; the exam
only adds, for each card in scope that would miss the target, one review as late as
possible before it:

- a card due after the exam and predicted below the target comes up once, on the eve of
  the exam. A Good answer later in time never leaves a lower prediction than one earlier
  (less time to decay, and a lower retrievability at the review gives a larger gain in
  stability), so the eve is the latest study day that leaves the target met, and no
  earlier day is. It comes back only if that answer (Again or Hard) still leaves it below;
- a card reviewed in the ordinary way before the exam whose next due would fall after
  the exam, predicted below the target, gets that due capped to the start of the eve;
- unseen cards in scope are introduced before other new cards, so they are learned in
  time; when the new-card limit cannot fit them all before the exam, the overview says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import fsrs
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..models import ExamDate, Question, QuestionBank, ReviewCard, Topic, User
from .cards import topic_condition
from .context import QueueEntry, StudyContext, not_set_aside, study_context, user_time_zone
from .days import as_utc, day_bounds, study_day
from .fsrs_cards import scheduler_for, to_fsrs_card
from .settings import get_settings

MAX_LABEL_LENGTH = 120
MAX_YEARS_AHEAD = 5  # an exam further out is a typo, and would break the forecasts
DEFAULT_TARGET = 0.95
MAX_TARGET = 0.99
# Ordinary reviews forecast per card before an exam; a card needing more has an interval
# under a day, and is reviewed the eve anyway.
MAX_FORECAST_REVIEWS = 60
REVIEW = fsrs.State.Review.value


class ExamError(Invalid):
    """An exam date that cannot be set; the message says why."""


class ExamNotFound(NotFound):
    """No such exam date for this user."""


def _check_target(session: Session, user_id: int, target: float) -> float:
    if isinstance(target, bool) or not isinstance(target, int | float):
        raise ExamError("The exam target must be a number like 0.95.", field="target_retention")
    desired = get_settings(session, user_id).desired_retention
    if not desired < target <= MAX_TARGET:
        raise ExamError(
            f"The exam target must be above your desired retention ({desired:.2f}) "
            f"and at most {MAX_TARGET:.2f}.",
            field="target_retention",
        )
    return float(target)


def set_exam_date(
    session: Session,
    user_id: int,
    *,
    bank_id: int | None = None,
    topic_id: int | None = None,
    exam_on: date,
    today: date,
    label: str = "",
    target_retention: float = DEFAULT_TARGET,
) -> ExamDate:
    """Prepare for an exam on `exam_on` (a study day) covering a bank or a topic.

    `today` is the student's current study day (see study_day); an exam today is allowed
    (it is listed, but there is no day left to prepare on).
    """
    label = label.strip()
    if not bank_id and not topic_id:
        raise ExamError("Choose a bank or a topic for the exam.", field="scope")
    if exam_on < today:
        raise ExamError(f"The exam date {exam_on.isoformat()} is in the past.", field="exam_on")
    if (exam_on - today).days > MAX_YEARS_AHEAD * 365 + 1:
        raise ExamError(
            f"The exam date {exam_on.isoformat()} is more than {MAX_YEARS_AHEAD} years away.",
            field="exam_on",
        )
    if len(label) > MAX_LABEL_LENGTH:
        raise ExamError(f"The label can be at most {MAX_LABEL_LENGTH} characters.", field="label")
    target = _check_target(session, user_id, target_retention)
    _check_scope_exists(session, bank_id, topic_id)
    # One exam set at a time per student, so a double submit finds the first one.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    same = session.scalar(
        select(ExamDate).where(
            ExamDate.user_id == user_id,
            ExamDate.bank_id.is_(None) if not bank_id else ExamDate.bank_id == bank_id,
            ExamDate.topic_id.is_(None) if not topic_id else ExamDate.topic_id == topic_id,
            ExamDate.exam_on == exam_on,
        )
    )
    if same is not None:  # the same exam sent twice (a double click): one exam
        return same
    exam = ExamDate(
        user_id=user_id,
        bank_id=bank_id or None,
        topic_id=topic_id or None,
        exam_on=exam_on,
        label=label,
        target_retention=target,
    )
    session.add(exam)
    session.flush()
    return exam


def set_exam_target(
    session: Session, user_id: int, exam_id: int, target_retention: float
) -> ExamDate:
    """Change an exam's target; the plan follows from the next queue on."""
    exam = _user_exam(session, user_id, exam_id)
    exam.target_retention = _check_target(session, user_id, target_retention)
    session.flush()
    return exam


def _check_scope_exists(session: Session, bank_id: int | None, topic_id: int | None) -> None:
    if bank_id and session.get(QuestionBank, bank_id) is None:
        raise ExamError("That question bank does not exist.", field="scope")
    if topic_id:
        topic = session.get(Topic, topic_id)
        if topic is None:
            raise ExamError("That topic does not exist.", field="scope")
        if bank_id and topic.bank_id != bank_id:
            raise ExamError("That topic is not in the chosen bank.", field="scope")


def _user_exam(session: Session, user_id: int, exam_id: int) -> ExamDate:
    exam = session.scalar(
        select(ExamDate).where(ExamDate.id == exam_id, ExamDate.user_id == user_id)
    )
    if exam is None:
        raise ExamNotFound(f"Exam date {exam_id} is not one of yours.")
    return exam


def delete_exam_date(session: Session, user_id: int, exam_id: int) -> None:
    session.delete(_user_exam(session, user_id, exam_id))
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


def _preparing(session: Session, user_id: int, today: date) -> list[ExamDate]:
    """Exams with at least one study day left before them: today is at most the eve."""
    return [exam for exam in active_exam_dates(session, user_id, today) if exam.exam_on > today]


def exam_scope(session: Session, exam: ExamDate) -> ColumnElement[bool]:
    """The exam's questions: its topic with sub-topics when set, else its whole bank."""
    if exam.topic_id:
        return topic_condition(session, exam.topic_id)
    return Question.bank_id == exam.bank_id


def _in_scope(session: Session, exam: ExamDate) -> ColumnElement[bool]:
    return ReviewCard.question_id.in_(select(Question.id).where(exam_scope(session, exam)))


@dataclass(frozen=True)
class ExamWindow:
    """When an exam starts, the start of its eve, and what it asks for."""

    exam_id: int
    exam_on: date
    starts: datetime
    eve: date
    eve_starts: datetime
    target: float


def _window(exam: ExamDate, time_zone: str, hour: int) -> ExamWindow:
    eve = exam.exam_on - timedelta(days=1)
    return ExamWindow(
        exam_id=exam.id,
        exam_on=exam.exam_on,
        starts=day_bounds(exam.exam_on, time_zone, hour)[0],
        eve=eve,
        eve_starts=day_bounds(eve, time_zone, hour)[0],
        target=exam.target_retention,
    )


def _misses_target(scheduler: fsrs.Scheduler, card: fsrs.Card, window: ExamWindow) -> bool:
    """Due only after the exam, and predicted below the target when it starts."""
    return (
        card.state == fsrs.State.Review
        and as_utc(card.due) > window.starts
        and scheduler.get_card_retrievability(card, window.starts) < window.target
    )


def exam_candidates(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> list[QueueEntry]:
    """Cards the student's exams add a review for now, most at risk first.

    On the eve of an exam: the cards of its scope due after it and predicted below its
    target, not yet reviewed that study day. Once: FSRS counts elapsed time in whole days,
    so after any answer on the eve it predicts full recall the next morning; an Again
    brings the card back through its relearning steps. `context` saves recomputing the day.
    """
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    scheduler = scheduler_for(context.settings)
    # A card in the scope of two exams counts once, with its lower prediction.
    at_risk: dict[int, tuple[float, ReviewCard]] = {}
    for exam in _preparing(session, user_id, context.today):
        window = _window(exam, context.time_zone, context.settings.day_starts_at_hour)
        if context.today < window.eve:
            continue  # never earlier than the eve
        for card in _scope_reviews(session, exam, user_id, now, due_after=window.starts):
            if card.last_review is not None and as_utc(card.last_review) >= context.day_start:
                continue  # reviewed on the eve already
            fsrs_card = to_fsrs_card(card)
            if not _misses_target(scheduler, fsrs_card, window):
                continue
            predicted = scheduler.get_card_retrievability(fsrs_card, window.starts)
            if card.id not in at_risk or predicted < at_risk[card.id][0]:
                at_risk[card.id] = (predicted, card)
    ranked = sorted(at_risk.values(), key=lambda pair: (pair[0], pair[1].id))
    return [QueueEntry(card, "exam", predicted) for predicted, card in ranked]


def _scope_reviews(
    session: Session,
    exam: ExamDate,
    user_id: int,
    now: datetime,
    *,
    due_after: datetime | None = None,
) -> list[ReviewCard]:
    conditions = [
        ReviewCard.user_id == user_id,
        ReviewCard.reps > 0,
        ReviewCard.state == REVIEW,
        _in_scope(session, exam),
        not_set_aside(now),
    ]
    if due_after is not None:
        conditions.append(ReviewCard.due > due_after)
    return list(session.scalars(select(ReviewCard).where(*conditions)))


def exam_windows_for_card(
    session: Session, user_id: int, question_id: int, now: datetime
) -> tuple[date, list[ExamWindow]]:
    """The student's study day and the exams still ahead whose scope holds the question."""
    settings = get_settings(session, user_id)
    time_zone = user_time_zone(session, user_id)
    today = study_day(as_utc(now), time_zone, settings.day_starts_at_hour)
    windows = []
    for exam in _preparing(session, user_id, today):
        covered = session.scalar(
            select(Question.id).where(Question.id == question_id, exam_scope(session, exam))
        )
        if covered is not None:
            windows.append(_window(exam, time_zone, settings.day_starts_at_hour))
    return today, windows


def capped_due(
    scheduler: fsrs.Scheduler, after: fsrs.Card, today: date, windows: list[ExamWindow]
) -> datetime | None:
    """The due an exam caps an answered card's next due to, or None to keep FSRS's.

    When the next due falls after an exam with the card predicted below its target, the
    card comes back at the start of the exam's eve: one review, as late as possible. On
    the eve itself the answer just given is that review.
    """
    caps = [
        window.eve_starts
        for window in windows
        if today < window.eve and _misses_target(scheduler, after, window)
    ]
    return min(caps, default=None)


def apply_exam_cap(
    session: Session,
    user_id: int,
    question_id: int,
    scheduler: fsrs.Scheduler,
    now: datetime,
    after: fsrs.Card,
) -> fsrs.Card:
    """`after` with its due capped for the student's exams (changed in place)."""
    today, windows = exam_windows_for_card(session, user_id, question_id, now)
    cap = capped_due(scheduler, after, today, windows)
    if cap is not None:
        after.due = cap
    return after


def new_card_priority(session: Session, user_id: int, today: date) -> ColumnElement[int] | None:
    """A sort key putting unseen cards of coming exams first (0) before the others (1)."""
    exams = _preparing(session, user_id, today)
    if not exams:
        return None
    return case((or_(*(_in_scope(session, exam) for exam in exams)), 0), else_=1)


@dataclass
class ExamOverview:
    """What an exam means for the student's reviews, for the study and Progress pages."""

    exam: ExamDate
    days_left: int  # study days until the exam: 0 is today, 1 tomorrow
    target: float
    cards: int  # cards of the scope in the student's reviews, not suspended
    at_risk: int  # cards predicted below target on the day: one review each is added
    added_per_day: list[tuple[date, int]] = field(default_factory=list)
    unseen: int = 0
    unseen_not_in_time: int = 0  # unseen cards the new-card limit cannot fit before it
    new_per_day: int = 0


def exam_overview(session: Session, user_id: int, now: datetime) -> list[ExamOverview]:
    """Each exam from today on, with its countdown, cards at risk and added reviews.

    The forecast assumes Good answers: each card's ordinary reviews before the exam are
    played forward, and a card that would still miss the target gets one review on the eve.
    """
    now = as_utc(now)
    settings = get_settings(session, user_id)
    time_zone = user_time_zone(session, user_id)
    exams = active_exam_dates(
        session, user_id, study_day(now, time_zone, settings.day_starts_at_hour)
    )
    if not exams:
        return []
    context = study_context(session, user_id, now)
    scheduler = scheduler_for(settings)
    overviews = []
    for exam in exams:
        window = _window(exam, context.time_zone, settings.day_starts_at_hour)
        days_left = (exam.exam_on - context.today).days
        in_scope = _in_scope(session, exam)
        cards, unseen = session.execute(
            select(func.count(), func.count().filter(ReviewCard.reps == 0)).where(
                ReviewCard.user_id == user_id, ReviewCard.suspended.is_(False), in_scope
            )
        ).one()
        overview = ExamOverview(
            exam=exam,
            days_left=days_left,
            target=exam.target_retention,
            cards=cards,
            at_risk=0,
            unseen=unseen,
            new_per_day=settings.new_per_day,
        )
        if days_left > 0:
            at_risk = sum(
                _needs_exam_review(scheduler, card, window, context, now)
                for card in _scope_reviews(session, exam, user_id, now)
            )
            overview.at_risk = at_risk
            if at_risk:
                overview.added_per_day = [(window.eve, at_risk)]
            fits = context.new_left + settings.new_per_day * (days_left - 1)
            overview.unseen_not_in_time = max(0, unseen - fits)
        overviews.append(overview)
    return overviews


def _needs_exam_review(
    scheduler: fsrs.Scheduler,
    card: ReviewCard,
    window: ExamWindow,
    context: StudyContext,
    now: datetime,
) -> bool:
    """Whether the card, answered Good whenever due until the exam, would miss its target."""
    fsrs_card = to_fsrs_card(card)
    reviewed_today = card.last_review is not None and as_utc(card.last_review) >= context.day_start
    if context.today == window.eve and reviewed_today:
        return False  # its review for the exam is done
    if as_utc(fsrs_card.due) == window.eve_starts:
        return True  # its due was capped to the eve for this exam
    for _ in range(MAX_FORECAST_REVIEWS):
        if as_utc(fsrs_card.due) > window.starts:
            break
        at = max(as_utc(fsrs_card.due), now)
        if at >= window.eve_starts:
            return False  # reviewed on the eve anyway
        fsrs_card, _ = scheduler.review_card(fsrs_card, fsrs.Rating.Good, at)
    return _misses_target(scheduler, fsrs_card, window)
