"""A student's progress figures: what is due, what was done, how well it is remembered.

Every figure is aggregated in SQL by a handful of queries scoped to one user: counts
per study day come from the days' bounds, computed in Python (SQLite and PostgreSQL do
not share date functions), joined to the rows as a VALUES list; a study day runs from
`day_starts_at_hour` local time to the same hour the next day. Retrievability
is averaged in SQL with the formula fsrs uses.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import fsrs
from sqlalchemy import Integer, and_, case, func, select, values
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from ..models import (
    PracticeSession,
    Question,
    QuestionBank,
    ReviewCard,
    ReviewLog,
    StudySettings,
    Topic,
)
from ..models.types import UtcDateTime
from ..scheduling import queue_counts, scheduler_for, study_context
from ..scheduling.days import day_bounds
from ..scheduling.recall import retrievability_sql

FORECAST_DAYS = 30
HISTORY_DAYS = 90
HEATMAP_DAYS = 365
RETENTION_DAYS = 30
REVIEW_STATE = fsrs.State.Review.value
LEARNING_STATE = fsrs.State.Learning.value
RELEARNING_STATE = fsrs.State.Relearning.value
AGAIN = fsrs.Rating.Again.value
# Below this many cards that reached review, a topic's mean says "not enough data".
MIN_MASTERY_CARDS = 3


class TopicMastery(NamedTuple):
    """One topic of one bank. `learned` counts the cards that reached review (learning
    steps say little about memory); `mean_retrievability` is their mean, None when fewer
    than MIN_MASTERY_CARDS of them."""

    bank: str
    path: str | None  # None: questions filed under no topic
    cards: int
    learned: int
    mean_retrievability: float | None


@dataclass(frozen=True)
class CardsByState:
    """Each card counted once: suspended first, then new (reps == 0), then its FSRS state."""

    new: int = 0
    learning: int = 0
    review: int = 0
    relearning: int = 0
    suspended: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review + self.relearning + self.suspended


@dataclass(frozen=True)
class ProgressReport:
    now: datetime
    today: date  # the current study day
    time_zone: str
    day_starts_at_hour: int
    due_today: int
    due_tomorrow: int
    reviews_today: int
    streak: int
    forecast_30: list[tuple[date, int]]
    reviews_per_day_90: list[tuple[date, int]]
    heatmap_year: list[tuple[date, int]]
    true_retention_30: float | None
    retention_reviews_30: int  # how many reviews true_retention_30 is drawn from
    target_retention: float
    cards_by_state: CardsByState
    mastery_by_topic: list[TopicMastery]
    practice_scores: list[tuple[datetime, float]]

    @property
    def has_cards(self) -> bool:
        return self.cards_by_state.total > 0


def progress_report(session: Session, user_id: int, now: datetime) -> ProgressReport:
    """All the dashboard's figures for `user_id` at `now` (an aware datetime)."""
    context = study_context(session, user_id, now)
    settings = context.settings
    zone_name, hour = context.time_zone, settings.day_starts_at_hour
    retention = settings.desired_retention
    today = context.today
    heatmap_first = today - timedelta(days=HEATMAP_DAYS - 1)

    forecast = _forecast(session, user_id, today, zone_name, hour)
    days = _DayIndex(heatmap_first, HEATMAP_DAYS, zone_name, hour)
    per_day = _per_day(
        session, ReviewLog, ReviewLog.reviewed_at, days, ReviewLog.user_id == user_id
    )
    heatmap = [(day, per_day.get(day, 0)) for day in days.days]

    retention_since = day_bounds(today - timedelta(days=RETENTION_DAYS - 1), zone_name, hour)[0]
    mature_count, recalled = session.execute(
        select(func.count(), func.count().filter(ReviewLog.rating > AGAIN)).where(
            ReviewLog.user_id == user_id,
            ReviewLog.state_before == REVIEW_STATE,
            ReviewLog.reviewed_at >= retention_since,
            ReviewLog.reviewed_at < days.end,
        )
    ).one()

    return ProgressReport(
        now=now,
        today=today,
        time_zone=zone_name,
        day_starts_at_hour=hour,
        # The figure the study page and the home page show: the same function.
        due_today=queue_counts(session, user_id, now, context=context).waiting,
        due_tomorrow=forecast[1][1],
        reviews_today=per_day.get(today, 0),
        streak=_streak(session, user_id, today, set(per_day), heatmap_first, zone_name, hour),
        forecast_30=forecast,
        reviews_per_day_90=heatmap[-HISTORY_DAYS:],
        heatmap_year=heatmap,
        true_retention_30=recalled / mature_count if mature_count else None,
        retention_reviews_30=mature_count,
        target_retention=retention,
        cards_by_state=_cards_by_state(session, user_id),
        mastery_by_topic=_mastery_by_topic(session, user_id, now, settings),
        practice_scores=_practice_scores(session, user_id),
    )


def _forecast(
    session: Session, user_id: int, today: date, zone_name: str, hour: int
) -> list[tuple[date, int]]:
    """Due reviews per study day from today; overdue cards count today.

    A review is a card answered at least once (reps > 0: learning, review and
    relearning cards) and not suspended. New cards are left out: how many of them
    come up is the daily new-card limit's business, not the schedule's.
    """
    days = _DayIndex(today, FORECAST_DAYS, zone_name, hour)
    counts = _per_day(
        session,
        ReviewCard,
        ReviewCard.due,
        days,
        ReviewCard.user_id == user_id,
        ReviewCard.suspended.is_(False),
        ReviewCard.reps > 0,
        clamp=True,
    )
    return [(day, counts.get(day, 0)) for day in days.days]


def _streak(
    session: Session,
    user_id: int,
    today: date,
    review_days: set[date],
    known_from: date,
    zone_name: str,
    hour: int,
) -> int:
    """Consecutive study days with a review, ending today (or yesterday if none yet today).

    `review_days` covers the days from `known_from`; a streak that reaches further
    back is followed a year at a time.
    """
    day = today if today in review_days else today - timedelta(days=1)
    streak = 0
    while True:
        if day < known_from:
            earlier = known_from - timedelta(days=HEATMAP_DAYS)
            index = _DayIndex(earlier, HEATMAP_DAYS, zone_name, hour)
            found = _per_day(
                session, ReviewLog, ReviewLog.reviewed_at, index, ReviewLog.user_id == user_id
            )
            review_days |= set(found)
            known_from = earlier
        if day not in review_days:
            return streak
        streak += 1
        day -= timedelta(days=1)


def _cards_by_state(session: Session, user_id: int) -> CardsByState:
    rows = session.execute(
        select(
            ReviewCard.state,
            ReviewCard.suspended,
            func.count(),
            func.sum(case((ReviewCard.reps == 0, 1), else_=0)),
        )
        .where(ReviewCard.user_id == user_id)
        .group_by(ReviewCard.state, ReviewCard.suspended)
    ).all()
    counts: Counter[str] = Counter()
    names = {LEARNING_STATE: "learning", REVIEW_STATE: "review", RELEARNING_STATE: "relearning"}
    for state, suspended, count, new in rows:
        if suspended:
            counts["suspended"] += count
        else:
            counts["new"] += new or 0
            counts[names.get(state, "learning")] += count - (new or 0)
    return CardsByState(**counts)


def _mastery_by_topic(
    session: Session,
    user_id: int,
    now: datetime,
    settings: StudySettings,
) -> list[TopicMastery]:
    """Per topic: how many cards, how many learned, mean retrievability of the learned ones."""
    scheduler = scheduler_for(settings)
    learned = (
        (ReviewCard.reps > 0)
        & ReviewCard.state.in_((REVIEW_STATE, RELEARNING_STATE))
        & ReviewCard.stability.is_not(None)
        & (ReviewCard.stability != 0)
        & ReviewCard.last_review.is_not(None)
    )
    recall = retrievability_sql(session, scheduler, now)
    # Grouped over the questions alone, then the few groups named: one statement.
    groups = (
        select(
            Question.bank_id.label("bank_id"),
            Question.topic_id.label("topic_id"),
            func.count().label("cards"),
            func.count().filter(learned).label("learned"),
            func.avg(case((learned, recall))).label("mean"),
        )
        .join(Question, ReviewCard.question_id == Question.id)
        .where(ReviewCard.user_id == user_id)
        .group_by(Question.bank_id, Question.topic_id)
        .subquery()
    )
    rows = session.execute(
        select(
            QuestionBank.title,
            Topic.path,
            groups.c.cards,
            groups.c.learned,
            groups.c.mean,
        )
        .select_from(groups)
        .join(QuestionBank, QuestionBank.id == groups.c.bank_id)
        .outerjoin(Topic, Topic.id == groups.c.topic_id)
    ).all()
    mastery = [
        TopicMastery(
            title,
            path,
            cards,
            learned_count,
            float(mean) if learned_count >= MIN_MASTERY_CARDS and mean is not None else None,
        )
        for title, path, cards, learned_count, mean in rows
    ]
    # Topics without a path (None) come last within their bank.
    return sorted(mastery, key=lambda m: (m.bank.casefold(), m.path is None, m.path or ""))


def _practice_scores(session: Session, user_id: int) -> list[tuple[datetime, float]]:
    rows = session.execute(
        select(PracticeSession.finished_at, PracticeSession.score)
        .where(
            PracticeSession.user_id == user_id,
            PracticeSession.finished_at.is_not(None),
            PracticeSession.score.is_not(None),
        )
        .order_by(PracticeSession.finished_at, PracticeSession.id)
    ).all()
    return [(finished_at, score) for finished_at, score in rows]


# Before any study day: the lower bound of the first day when overdue cards count on it.
LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)


def _per_day(
    session: Session, entity, column, days: _DayIndex, *conditions, clamp: bool = False
) -> Counter[date]:
    """Rows of `entity` per study day of `days`, by the timestamp `column` (before the
    first day: left out, or counted on the first day if `clamp`).

    One statement: the days' bounds as a VALUES list joined to the rows, so each day is
    one range of the (user_id, timestamp) index, counted in the database; a year of
    500,000 reviews is never sent to Python.
    """
    bounds = [*days.starts, days.end]
    if clamp:
        bounds[0] = LONG_AGO
    ranges = (
        values(
            sql_column("day", Integer),
            sql_column("lo", UtcDateTime()),
            sql_column("hi", UtcDateTime()),
            name="study_days",
        )
        .data([(i, bounds[i], bounds[i + 1]) for i in range(len(days.days))])
        .cte()
    )
    rows = session.execute(
        select(ranges.c.day, func.count())
        .select_from(ranges)
        .join(entity, and_(column >= ranges.c.lo, column < ranges.c.hi, *conditions))
        .group_by(ranges.c.day)
    )
    return Counter({days.days[index]: count for index, count in rows})


class _DayIndex:
    """`count` consecutive study days from `first`, mapping a timestamp to its day."""

    def __init__(self, first: date, count: int, zone_name: str, hour: int) -> None:
        self.days = [first + timedelta(days=i) for i in range(count)]
        self.starts = [day_bounds(day, zone_name, hour)[0] for day in self.days]
        self._starts = self.starts
        self.start = self._starts[0]
        self.end = day_bounds(self.days[-1], zone_name, hour)[1]

    def day_of(self, moment: datetime, clamp: bool = False) -> date | None:
        """The study day holding `moment`; before the first day, None (or the first if
        `clamp`); at or after the end, None."""
        if moment >= self.end:
            return None
        index = bisect_right(self._starts, moment) - 1
        if index < 0:
            return self.days[0] if clamp else None
        return self.days[index]
