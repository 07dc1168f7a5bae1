"""Exam dates: the fewest well-placed reviews that bring a scope to its target on the day.

Anki schedules for long-term retention only, so a card reviewed a week before an exam
may be due a month after it. An exam has its own target retrievability (0.95 by default,
above the student's desired retention) for the start of its study day, and FSRS predicts
each card's retrievability at that moment. The ordinary schedule is left alone; the exam
plan (plan_exam) adds one review to as few cards as it can:

- every card in review is played forward with Good answers to its ordinary reviews
  before the exam; with desired retention 0.90 a steady deck is already near 0.95 on
  average, so reviewing every card below the target (about half of any deck) would cost
  far more than it gains;
- the cards still below the target are ranked, most at risk first, and the fewest of
  them whose one review lifts the scope's predicted mean to the target (plus a small
  margin) are chosen; beyond that only cards well below the target (under the midpoint
  between desired retention and the target, the ones most likely forgotten) are added,
  within a budget of 30 % of the scope's ordinary reviews since the exam was set;
- a chosen review goes on the eve (a Good answer later in time never leaves a lower
  prediction than one earlier), or, when the daily review limit leaves no room there, on
  one of the last study days before it that still leaves the card at the target;
- a chosen card due after the exam comes up on its day as an exam review; a card reviewed
  in the ordinary way before the exam whose next due would fall after it, and which the
  plan then chooses, gets that due capped to the start of its day. Once: a Good answer
  leaves the card at the target, so only an Again or a Hard can bring it back;
- unseen cards in scope are introduced before other new cards, so they are learned in
  time; when the new-card limit cannot fit them all before the exam, the overview says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import fsrs
from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..models import (
    ExamDate,
    Question,
    QuestionBank,
    Quiz,
    QuizSlot,
    ReviewCard,
    ReviewLog,
    Topic,
    User,
)
from .cards import topic_condition
from .context import (
    QueueEntry,
    StudyContext,
    exams_of,
    not_set_aside,
    study_context,
    user_time_zone,
)
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
# The plan aims this far above the target, so that the scope's mean reaches it.
TARGET_MARGIN = 0.005
# Beyond the target, cards well below it (under the midpoint between desired retention
# and the target: the ones most likely forgotten) get a review within this share of the
# ordinary reviews before the exam.
EXTRA_SHARE = 0.3
# Exam reviews go on the eve, or on one of this many last study days when the daily
# review limit leaves no room on the eve.
SPREAD_DAYS = 3
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


def _check_date_and_label(exam_on: date, today: date, label: str) -> None:
    """The checks every exam date passes, a student's own or a class's."""
    if exam_on < today:
        raise ExamError(f"The exam date {exam_on.isoformat()} is in the past.", field="exam_on")
    if (exam_on - today).days > MAX_YEARS_AHEAD * 365 + 1:
        raise ExamError(
            f"The exam date {exam_on.isoformat()} is more than {MAX_YEARS_AHEAD} years away.",
            field="exam_on",
        )
    if len(label) > MAX_LABEL_LENGTH:
        raise ExamError(f"The label can be at most {MAX_LABEL_LENGTH} characters.", field="label")


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
    now: datetime | None = None,
) -> ExamDate:
    """Prepare for an exam on `exam_on` (a study day) covering a bank or a topic.

    `today` is the student's current study day (see study_day); an exam today is allowed
    (it is listed, but there is no day left to prepare on). `now` is when it is set:
    the reviews from then on are the ordinary reviews exam reviews are budgeted against.
    """
    label = label.strip()
    if not bank_id and not topic_id:
        raise ExamError("Choose a bank or a topic for the exam.", field="scope")
    _check_date_and_label(exam_on, today, label)
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
    if now is not None:
        exam.created_at = as_utc(now)
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
    """Exams from `today` (a study day) on, soonest first: the student's own and those
    of the quizzes of their classes."""
    return list(
        session.scalars(
            select(ExamDate)
            .where(exams_of(user_id), ExamDate.exam_on >= today)
            .order_by(ExamDate.exam_on, ExamDate.id)
        )
    )


def class_exam_date(session: Session, quiz_id: int) -> ExamDate | None:
    """The exam date the quiz's teachers set for its class, if any."""
    return session.scalar(select(ExamDate).where(ExamDate.quiz_id == quiz_id))


def set_class_exam_date(
    session: Session,
    quiz: Quiz,
    *,
    exam_on: date,
    today: date,
    label: str = "",
    now: datetime | None = None,
) -> ExamDate:
    """Prepare every current student of the quiz's class for an exam on `exam_on` covering
    the quiz's questions, with the default target; setting it again moves it.

    `today` is the day in the class's time zone. One row serves the whole class: students
    read it through their membership, so one who joins later gets it and one who leaves
    or is removed no longer does.
    """
    label = label.strip()
    _check_date_and_label(exam_on, today, label)
    # Two teachers setting it at once: the quiz row is locked, so one row results.
    session.execute(select(Quiz.id).where(Quiz.id == quiz.id).with_for_update())
    exam = class_exam_date(session, quiz.id)
    if exam is None:
        exam = ExamDate(quiz_id=quiz.id, target_retention=DEFAULT_TARGET)
        if now is not None:
            exam.created_at = as_utc(now)
        session.add(exam)
    exam.exam_on = exam_on
    exam.label = label
    session.flush()
    return exam


def delete_class_exam_date(session: Session, quiz_id: int) -> None:
    """Remove the quiz's class exam: no student prepares for it any more."""
    exam = class_exam_date(session, quiz_id)
    if exam is None:
        raise ExamNotFound("This quiz has no exam date.")
    session.delete(exam)
    session.flush()


def _preparing(session: Session, user_id: int, today: date) -> list[ExamDate]:
    """Exams with at least one study day left before them: today is at most the eve."""
    return [exam for exam in active_exam_dates(session, user_id, today) if exam.exam_on > today]


def exam_scope(session: Session, exam: ExamDate) -> ColumnElement[bool]:
    """The exam's questions: its quiz's, or its topic with sub-topics when set, else its
    whole bank."""
    if exam.quiz_id:
        return quiz_scope(session, exam.quiz_id)
    if exam.topic_id:
        return topic_condition(session, exam.topic_id)
    return Question.bank_id == exam.bank_id


def quiz_scope(session: Session, quiz_id: int) -> ColumnElement[bool]:
    """A quiz's questions: those chosen for it and every question its random rules draw
    from (the pools of app.attempts.quizzes.rule_candidates: a rule's bank, within its
    topic and sub-topics, of its difficulty and type, never a flashcard)."""
    conditions: list[ColumnElement[bool]] = []
    chosen = []
    for slot in session.scalars(select(QuizSlot).where(QuizSlot.quiz_id == quiz_id)):
        if slot.question_id is not None:
            chosen.append(slot.question_id)
            continue
        rule = [Question.bank_id == slot.bank_id, Question.kind != "flashcard"]
        if slot.topic_id is not None:
            rule.append(topic_condition(session, slot.topic_id))
        if slot.difficulty is not None:
            rule.append(Question.difficulty == slot.difficulty)
        if slot.kind:
            rule.append(Question.kind == slot.kind)
        conditions.append(and_(*rule))
    if chosen:
        conditions.append(Question.id.in_(chosen))
    return or_(*conditions) if conditions else false()


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


def _forecast(
    scheduler: fsrs.Scheduler, card: fsrs.Card, window: ExamWindow, now: datetime, day_of
) -> tuple[fsrs.Card, list[date]]:
    """The card at the exam if every ordinary review before it is answered Good, and the
    study days those reviews fall on."""
    days = []
    for _ in range(MAX_FORECAST_REVIEWS):
        if as_utc(card.due) >= window.starts:
            break
        at = max(as_utc(card.due), now)
        days.append(day_of(at))
        card, _ = scheduler.review_card(card, fsrs.Rating.Good, at)
    return card, days


@dataclass
class _CardForecast:
    card_id: int
    state: fsrs.Card  # now
    without: float  # R at the exam with the ordinary reviews only
    due_after_exam: bool  # no ordinary review left before the exam


@dataclass
class ExamPlan:
    """The exam reviews an exam adds, and what the scope looks like on the day.

    `days` gives each chosen card its one exam review's study day; `risk` each chosen
    card's predicted R at the exam without it, for ranking.
    """

    window: ExamWindow
    cards: int  # cards of the scope in review, the mean is over them
    ordinary: int  # ordinary reviews forecast before the exam
    at_risk: int  # cards predicted below the target on the day
    mean_without: float
    mean_with: float
    days: dict[int, date] = field(default_factory=dict)
    risk: dict[int, float] = field(default_factory=dict)

    def per_day(self) -> list[tuple[date, int]]:
        counts: dict[date, int] = {}
        for day in self.days.values():
            counts[day] = counts.get(day, 0) + 1
        return sorted(counts.items())


def _good_at(scheduler: fsrs.Scheduler, card: fsrs.Card, at: datetime, window: ExamWindow) -> float:
    """R at the exam after a Good answer at `at`."""
    after, _ = scheduler.review_card(card, fsrs.Rating.Good, at)
    return scheduler.get_card_retrievability(after, window.starts)


def plan_exam(
    session: Session,
    exam: ExamDate,
    user_id: int,
    now: datetime,
    context: StudyContext,
    *,
    replace: tuple[int, fsrs.Card] | None = None,
) -> ExamPlan:
    """Which cards of the scope get one exam review, and on which study day.

    Every card in review is played forward with Good answers to its ordinary reviews
    before the exam. The cards still below the target are ranked, most at risk first;
    the fewest of them whose one review (on the eve) lifts the scope's predicted mean to
    the target plus a small margin are chosen. Beyond that only cards well below the
    target (under the midpoint between the student's desired retention and the target)
    are added, within a budget of a share of the ordinary reviews. Each chosen review
    goes on the eve; when the daily review limit would be exceeded there, it moves to an
    earlier one of the last study days before the exam, as long as a Good answer then
    still leaves the card at the target. `replace` = (card id, state) plans with that
    card in that state (the state an answer is about to leave it in).
    """
    window = _window(exam, context.time_zone, context.settings.day_starts_at_hour)
    scheduler = scheduler_for(context.settings)
    hour = context.settings.day_starts_at_hour

    def day_of(moment: datetime) -> date:
        return study_day(moment, context.time_zone, hour)

    states = {card.id: to_fsrs_card(card) for card in _scope_reviews(session, exam, user_id, now)}
    if replace is not None:
        card_id, state = replace
        if state.state == fsrs.State.Review:
            states[card_id] = state
        else:
            states.pop(card_id, None)
    cap_starts = _cap_starts(window, context)
    forecasts: list[_CardForecast] = []
    ordinary_by_day: dict[date, int] = {}  # every review forecast, for the daily limit
    capped = 0  # of those, exam reviews already placed by a capped due
    for card_id, state in states.items():
        at_exam, days = _forecast(scheduler, state, window, now, day_of)
        for day in days:
            ordinary_by_day[day] = ordinary_by_day.get(day, 0) + 1
        capped += as_utc(state.due) in cap_starts
        forecasts.append(
            _CardForecast(
                card_id=card_id,
                state=state,
                without=scheduler.get_card_retrievability(at_exam, window.starts),
                due_after_exam=not days,
            )
        )
    ordinary = sum(ordinary_by_day.values()) - capped
    if not forecasts:
        return ExamPlan(window, 0, ordinary, 0, 1.0, 1.0)
    total = sum(f.without for f in forecasts)
    mean_without = total / len(forecasts)
    at_risk = sorted(
        (f for f in forecasts if f.without < window.target), key=lambda f: (f.without, f.card_id)
    )
    eve_review = max(window.eve_starts, now)
    goal = window.target + TARGET_MARGIN
    needed, running = 0, total
    gains = []
    for forecast in at_risk:
        gain = max(0.0, _good_at(scheduler, forecast.state, eve_review, window) - forecast.without)
        gains.append(gain)
        if running / len(forecasts) < goal:
            running += gain
            needed += 1
    well_below = (context.settings.desired_retention + window.target) / 2
    weak = sum(1 for f in at_risk if f.without < well_below)
    ordinary_done, extra_done = _reviews_since_set(session, exam, user_id, now, window, cap_starts)
    budget = math.floor(EXTRA_SHARE * (ordinary + ordinary_done)) - extra_done - capped
    chosen = at_risk[: max(needed, min(weak, budget))]
    plan = ExamPlan(
        window=window,
        cards=len(forecasts),
        ordinary=ordinary,
        at_risk=len(at_risk),
        mean_without=mean_without,
        mean_with=(total + sum(gains[: len(chosen)])) / len(forecasts),
    )
    _place(plan, chosen, scheduler, context, ordinary_by_day, now)
    return plan


def _place(
    plan: ExamPlan,
    chosen: list[_CardForecast],
    scheduler: fsrs.Scheduler,
    context: StudyContext,
    ordinary_by_day: dict[date, int],
    now: datetime,
) -> None:
    """Put each chosen review on the latest study day with room under the daily limit
    that still leaves the card at the target after a Good answer; the eve when none has."""
    window = plan.window
    first = max(context.today, window.eve - timedelta(days=SPREAD_DAYS - 1))
    days = [window.eve - timedelta(days=n) for n in range((window.eve - first).days + 1)]
    limit = context.settings.max_reviews_per_day
    room = {}
    for day in days:
        left = context.reviews_left if day == context.today else limit
        room[day] = left - ordinary_by_day.get(day, 0)
    hour = context.settings.day_starts_at_hour
    for forecast in chosen:
        placed = window.eve
        for day in days:
            if room[day] <= 0:
                continue
            at = max(day_bounds(day, context.time_zone, hour)[0], now)
            if (
                day == window.eve
                or _good_at(scheduler, forecast.state, at, window) >= window.target
            ):
                placed = day
                break
        room[placed] -= 1
        plan.days[forecast.card_id] = placed
        plan.risk[forecast.card_id] = forecast.without


def exam_candidates(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> list[QueueEntry]:
    """Cards the student's exams add a review for now, most at risk first.

    The cards of an exam's plan whose day has come, due only after the exam, not yet
    reviewed that study day. Once: a Good answer leaves the card at the target, so the
    next plan no longer picks it; an Again or a Hard that leaves it below may bring it
    back. `context` saves recomputing the day.
    """
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    if not context.may_have_exams:
        return []
    # A card in the scope of two exams counts once, with its lower prediction.
    at_risk: dict[int, tuple[float, ReviewCard]] = {}
    for exam in _preparing(session, user_id, context.today):
        if context.today <= exam.exam_on - timedelta(days=SPREAD_DAYS + 1):
            continue  # before the last study days: nothing is placed yet
        plan = plan_exam(session, exam, user_id, now, context)
        today = [card_id for card_id, day in plan.days.items() if day <= context.today]
        if not today:
            continue
        for card in session.scalars(select(ReviewCard).where(ReviewCard.id.in_(today))):
            if as_utc(card.due) < plan.window.starts:
                continue  # an ordinary review before the exam comes first
            if card.last_review is not None and as_utc(card.last_review) >= context.day_start:
                continue  # reviewed today already
            risk = plan.risk[card.id]
            if card.id not in at_risk or risk < at_risk[card.id][0]:
                at_risk[card.id] = (risk, card)
    ranked = sorted(at_risk.values(), key=lambda pair: (pair[0], pair[1].id))
    return [QueueEntry(card, "exam", risk) for risk, card in ranked]


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


def _cap_starts(window: ExamWindow, context: StudyContext) -> set[datetime]:
    """The starts of the study days a capped due can fall on. FSRS's own dues keep the
    time of day of the answer, so a due at one of these is an exam cap."""
    hour = context.settings.day_starts_at_hour
    return {
        day_bounds(window.eve - timedelta(days=n), context.time_zone, hour)[0]
        for n in range(SPREAD_DAYS)
    }


def _reviews_since_set(
    session: Session,
    exam: ExamDate,
    user_id: int,
    now: datetime,
    window: ExamWindow,
    cap_starts: set[datetime],
) -> tuple[int, int]:
    """Answers to the scope's cards in review since the exam was set: (ordinary, exam).

    An exam review is one to a card then due only after the exam, or due at a cap."""
    ordinary = extra = 0
    for (before,) in session.execute(
        select(ReviewLog.card_before).where(
            ReviewLog.user_id == user_id,
            ReviewLog.reviewed_at >= as_utc(exam.created_at),
            ReviewLog.reviewed_at < now,
            ReviewLog.state_before == REVIEW,
            ReviewLog.question_id.in_(select(Question.id).where(exam_scope(session, exam))),
        )
    ):
        due = as_utc(datetime.fromisoformat(before["due"]))
        if due >= window.starts or due in cap_starts:
            extra += 1
        else:
            ordinary += 1
    return ordinary, extra


class ExamCaps:
    """Caps an answered card's next due for the student's exams.

    When an answer leaves the next due after an exam and the exam's plan, with the card in
    its new state, gives it an exam review, the card comes back on that review's study
    day instead: one review, as late as the plan allows. An answer on that day or later
    is that review itself.
    """

    def __init__(
        self,
        session: Session,
        user_id: int,
        card: ReviewCard,
        now: datetime,
        context: StudyContext | None = None,
    ):
        self.session = session
        self.user_id = user_id
        self.card_id = card.id
        self.now = as_utc(now)
        self.context = context or study_context(session, user_id, self.now)
        coming = self.context.may_have_exams
        self.exams = [
            exam
            for exam in (_preparing(session, user_id, self.context.today) if coming else [])
            if self.context.today < exam.exam_on - timedelta(days=1)
            and session.scalar(
                select(Question.id).where(
                    Question.id == card.question_id, exam_scope(session, exam)
                )
            )
            is not None
        ]

    def cap(self, after: fsrs.Card) -> datetime | None:
        """The due to give `after` instead of its own, or None to keep FSRS's."""
        caps = []
        hour = self.context.settings.day_starts_at_hour
        for exam in self.exams:
            window = _window(exam, self.context.time_zone, hour)
            if after.state != fsrs.State.Review or as_utc(after.due) < window.starts:
                continue
            plan = plan_exam(
                self.session,
                exam,
                self.user_id,
                self.now,
                self.context,
                replace=(self.card_id, after),
            )
            day = plan.days.get(self.card_id)
            if day is not None and day > self.context.today:
                caps.append(day_bounds(day, self.context.time_zone, hour)[0])
        return min(caps, default=None)


def apply_exam_cap(
    session: Session, user_id: int, card: ReviewCard, now: datetime, after: fsrs.Card
) -> fsrs.Card:
    """`after` with its due capped for the student's exams (changed in place)."""
    cap = ExamCaps(session, user_id, card, now).cap(after)
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
    at_risk: int  # cards predicted below target on the day, with Good answers throughout
    added_per_day: list[tuple[date, int]] = field(default_factory=list)
    predicted_mean: float | None = None  # the scope's mean R at the exam, with the plan
    unseen: int = 0
    unseen_not_in_time: int = 0  # unseen cards the new-card limit cannot fit before it
    new_per_day: int = 0

    @property
    def added(self) -> int:
        return sum(count for _, count in self.added_per_day)


def exam_overview(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> list[ExamOverview]:
    """Each exam from today on, with its countdown, cards at risk and added reviews.

    The forecast assumes Good answers: each card's ordinary reviews before the exam are
    played forward, and the plan's exam reviews are counted on their study days.
    `context`, when the caller has it, saves its statements (and any exam query at all
    when the student has no exam coming).
    """
    now = as_utc(now)
    if context is not None:
        if not context.may_have_exams:
            return []
        settings = context.settings
        exams = active_exam_dates(session, user_id, context.today)
    else:
        settings = get_settings(session, user_id)
        time_zone = user_time_zone(session, user_id)
        exams = active_exam_dates(
            session, user_id, study_day(now, time_zone, settings.day_starts_at_hour)
        )
    if not exams:
        return []
    context = context or study_context(session, user_id, now)
    overviews = []
    for exam in exams:
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
            plan = plan_exam(session, exam, user_id, now, context)
            overview.at_risk = plan.at_risk
            overview.added_per_day = plan.per_day()
            overview.predicted_mean = plan.mean_with if plan.cards else None
            fits = context.new_left + settings.new_per_day * (days_left - 1)
            overview.unseen_not_in_time = max(0, unseen - fits)
        overviews.append(overview)
    return overviews
