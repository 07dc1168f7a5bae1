"""The dashboard's figures against a hand-made history.

The student lives in New York (UTC-5 in January) and her study day starts at 4 a.m.,
so the day of 15 January runs from 09:00 UTC on the 15th to 09:00 UTC on the 16th.
"now" is 22:30 local on the 15th (03:30 UTC on the 16th): a UTC calendar would
already say the 16th.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from app.analytics import CardsByState, TopicMastery, progress_report
from app.analytics.progress import MIN_MASTERY_CARDS
from app.extensions import db
from app.models import (
    PracticeSession,
    Question,
    QuestionBank,
    ReviewCard,
    ReviewLog,
    StudySettings,
    Topic,
)
from tests.factories import make_bank, make_card, make_log, make_question, topics_of

NOW = datetime(2025, 1, 16, 3, 30, tzinfo=UTC)
TODAY = date(2025, 1, 15)
LEARNING, REVIEW, RELEARNING = 1, 2, 3
DECAY = -0.1542  # FSRS-6 default parameter w20
FACTOR = 0.9 ** (1 / DECAY) - 1


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def retrievability(elapsed_days: int, stability: float) -> float:
    """FSRS-6 forgetting curve, written out independently of the library."""
    return (1 + FACTOR * elapsed_days / stability) ** DECAY


class History:
    """Builds banks, questions, cards and logs for one user."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.count = 0

    def question(self, bank: QuestionBank, topic: Topic | None) -> Question:
        self.count += 1
        return make_question(
            bank,
            "true_false",
            topic=topic,
            external_id=f"q{self.user_id}-{self.count}",
            commit=False,
        )

    def card(
        self,
        bank: QuestionBank,
        topic: Topic | None,
        *,
        state: int = REVIEW,
        reps: int = 3,
        due: datetime,
        stability: float | None = None,
        last_review: datetime | None = None,
        suspended: bool = False,
    ) -> ReviewCard:
        return make_card(
            self.user_id,
            self.question(bank, topic),
            state=state,
            reps=reps,
            stability=stability,
            difficulty=5.0 if stability else None,
            due=due,
            last_review=last_review,
            suspended=suspended,
            position=self.count,
            commit=False,
        )

    def log(self, card: ReviewCard, reviewed_at: datetime, rating: int = 3, before: int = REVIEW):
        make_log(card, reviewed_at, rating, state_before=before, state_after=REVIEW, commit=False)


def bank_with_topics(title: str, *paths: str) -> tuple[QuestionBank, dict[str, Topic]]:
    bank = make_bank(title, topics=paths, commit=False)
    return bank, topics_of(bank)


@pytest.fixture
def student_id(make_user) -> int:
    user = make_user(time_zone="America/New_York")
    db.session.add(StudySettings(user_id=user.id, desired_retention=0.85, day_starts_at_hour=4))
    bio, bio_topics = bank_with_topics("Biology", "Cells", "Cells/Membranes")
    alpha, alpha_topics = bank_with_topics("Alpha", "Cells")
    cells, membranes = bio_topics["Cells"], bio_topics["Cells/Membranes"]
    h = History(user.id)

    # Due today: overdue, at 03:59 local on the 16th (still today's study day), learning.
    c1 = h.card(bio, cells, due=utc(2025, 1, 10, 12), stability=10, last_review=NOW - timedelta(10))
    h.card(bio, cells, due=utc(2025, 1, 16, 8, 59), stability=5, last_review=NOW)
    # 04:00 local on the 16th: tomorrow.
    h.card(bio, membranes, due=utc(2025, 1, 16, 9), stability=2, last_review=NOW - timedelta(2))
    h.card(  # learning, due 22:40 local
        bio,
        membranes,
        state=LEARNING,
        reps=1,
        due=utc(2025, 1, 16, 3, 40),
        stability=1,
        last_review=NOW - timedelta(hours=1),
    )
    h.card(  # the day after tomorrow
        bio,
        None,
        state=RELEARNING,
        reps=6,
        due=utc(2025, 1, 17, 9, 30),
        stability=3,
        last_review=NOW - timedelta(3),
    )
    # New (never answered) and suspended cards are never due.
    h.card(bio, cells, state=LEARNING, reps=0, due=utc(2025, 1, 1))
    h.card(
        bio,
        cells,
        due=utc(2025, 1, 1),
        stability=10,
        last_review=NOW - timedelta(10),
        suspended=True,
    )
    # Day 29 of the forecast is the study day of 13 February; the next one is out.
    h.card(
        alpha,
        alpha_topics["Cells"],
        due=utc(2025, 2, 14, 8, 59, 59),
        stability=20,
        last_review=NOW - timedelta(40),
    )
    h.card(
        alpha,
        alpha_topics["Cells"],
        due=utc(2025, 2, 14, 9),
        stability=20,
        last_review=NOW - timedelta(40),
    )

    h.log(c1, utc(2025, 1, 16, 3), rating=3, before=LEARNING)  # 22:00 local: today
    h.log(c1, utc(2025, 1, 16, 2), rating=1)  # 21:00 local: today
    h.log(c1, utc(2025, 1, 15, 9), rating=3)  # 04:00 local: today
    h.log(c1, utc(2025, 1, 15, 8, 59), rating=4)  # 03:59 local: still the 14th
    h.log(c1, utc(2025, 1, 13, 15), rating=2)
    h.log(c1, utc(2025, 1, 12, 15), rating=3, before=RELEARNING)
    # The 11th has no review: the streak stops there.
    h.log(c1, utc(2025, 1, 10, 15), rating=1)
    # 17 December (today - 29) opens at 09:00 UTC: the first counts, not the second.
    h.log(c1, utc(2024, 12, 17, 9), rating=3)
    h.log(c1, utc(2024, 12, 17, 8, 59), rating=1)
    h.log(c1, utc(2024, 12, 6, 15), rating=1)  # 40 days ago
    h.log(c1, utc(2024, 10, 7, 15))  # 100 days ago: in the year, not the 90 days
    h.log(c1, utc(2024, 1, 17, 15))  # today - 364 (2024 is a leap year): the year's first day
    h.log(c1, utc(2024, 1, 16, 15))  # today - 365: nowhere

    db.session.add_all(
        [
            PracticeSession(
                user_id=user.id,
                created_at=utc(2025, 1, 12),
                score=0.75,
                finished_at=utc(2025, 1, 12, 0, 30),
            ),
            PracticeSession(
                user_id=user.id,
                created_at=utc(2025, 1, 10),
                score=0.5,
                finished_at=utc(2025, 1, 10, 0, 20),
            ),
            PracticeSession(user_id=user.id, created_at=utc(2025, 1, 14)),  # unfinished
        ]
    )
    add_other_student(make_user, bio, cells)
    db.session.commit()
    return user.id


def add_other_student(make_user, bank: QuestionBank, topic: Topic) -> None:
    """Someone else's cards, reviews and practice must never show up."""
    other = make_user(time_zone="America/New_York")
    h = History(other.id)
    card = h.card(bank, topic, due=utc(2025, 1, 15, 12), stability=4, last_review=NOW)
    for day in range(1, 16):
        h.log(card, utc(2025, 1, day, 15))
    db.session.add(
        PracticeSession(
            user_id=other.id, created_at=utc(2025, 1, 13), finished_at=utc(2025, 1, 13), score=0.1
        )
    )


def test_due_counts_use_the_local_study_day(student_id):
    report = progress_report(db.session, student_id, NOW)
    assert report.today == TODAY
    assert report.time_zone == "America/New_York"
    assert report.due_today == 3
    assert report.due_tomorrow == 1


def test_forecast_counts_overdue_today_and_stops_after_30_days(student_id):
    forecast = progress_report(db.session, student_id, NOW).forecast_30
    assert [day for day, _ in forecast] == [TODAY + timedelta(i) for i in range(30)]
    expected = [0] * 30
    expected[0], expected[1], expected[2], expected[29] = 3, 1, 1, 1
    assert [count for _, count in forecast] == expected


def test_reviews_are_counted_in_the_study_day_they_fall_in(student_id):
    report = progress_report(db.session, student_id, NOW)
    assert report.reviews_today == 3
    heatmap = dict(report.heatmap_year)
    assert len(report.heatmap_year) == 365
    assert report.heatmap_year[0][0] == date(2024, 1, 17)
    assert report.heatmap_year[-1][0] == TODAY
    assert {day: n for day, n in heatmap.items() if n} == {
        date(2025, 1, 15): 3,
        date(2025, 1, 14): 1,
        date(2025, 1, 13): 1,
        date(2025, 1, 12): 1,
        date(2025, 1, 10): 1,
        date(2024, 12, 17): 1,
        date(2024, 12, 16): 1,
        date(2024, 12, 6): 1,
        date(2024, 10, 7): 1,
        date(2024, 1, 17): 1,
    }
    history = report.reviews_per_day_90
    assert len(history) == 90
    assert history[0][0] == date(2024, 10, 18)
    assert history == report.heatmap_year[-90:]
    assert sum(n for _, n in history) == 10


def test_streak_runs_back_from_today(student_id):
    assert progress_report(db.session, student_id, NOW).streak == 4


def test_streak_counts_from_yesterday_until_the_first_review_of_today(student_id):
    early = utc(2025, 1, 16, 9, 30)  # 04:30 local on the 16th, nothing reviewed yet
    report = progress_report(db.session, student_id, early)
    assert report.today == date(2025, 1, 16)
    assert report.reviews_today == 0
    assert report.streak == 4
    two_days_later = utc(2025, 1, 17, 10)
    assert progress_report(db.session, student_id, two_days_later).streak == 0


def test_streak_longer_than_the_heatmap_year_is_followed(make_user):
    user = make_user(time_zone="Asia/Tokyo")
    bank = make_bank("Long", commit=False)
    h = History(user.id)
    card = h.card(bank, None, due=NOW + timedelta(days=3), stability=9, last_review=NOW)
    for days_ago in range(400):
        h.log(card, NOW - timedelta(days=days_ago))
    db.session.commit()
    assert progress_report(db.session, user.id, NOW).streak == 400


def test_true_retention_counts_review_state_answers_of_the_last_30_days(student_id):
    report = progress_report(db.session, student_id, NOW)
    # In Review before the answer, from 17 Dec 09:00 UTC: ratings 3, 1, 4, 2, 1, 3.
    assert report.retention_reviews_30 == 6
    assert report.true_retention_30 == pytest.approx(4 / 6)
    assert report.target_retention == 0.85


def test_cards_by_state_count_each_card_once(student_id):
    states = progress_report(db.session, student_id, NOW).cards_by_state
    assert states == CardsByState(new=1, learning=1, review=5, relearning=1, suspended=1)
    assert states.total == 9


def test_mastery_by_topic_averages_the_retrievability_of_answered_cards(student_id):
    mastery = progress_report(db.session, student_id, NOW).mastery_by_topic
    # Learned: cards that reached review (review or relearning); a learning card is not.
    assert [(m.bank, m.path, m.cards, m.learned) for m in mastery] == [
        ("Alpha", "Cells", 2, 2),
        ("Biology", "Cells", 4, 3),
        ("Biology", "Cells/Membranes", 2, 1),
        ("Biology", None, 1, 1),
    ]
    means = [m.mean_retrievability for m in mastery]
    assert means[1] == pytest.approx((0.9 + 1.0 + 0.9) / 3)  # the new card is left out
    # Fewer than MIN_MASTERY_CARDS learned cards: not enough data for a mean.
    assert MIN_MASTERY_CARDS == 3
    assert means[0] is None and means[2] is None and means[3] is None


def test_mastery_ignores_cards_still_in_learning_steps(make_user):
    """Again, Again, Good on day one: stability from the last step, but nothing learned."""
    user = make_user()
    bank = make_bank("Fresh", topics=["Intro"])
    topics = topics_of(bank)
    h = History(user.id)
    for _ in range(5):
        h.card(
            bank,
            topics["Intro"],
            state=LEARNING,
            reps=3,
            due=NOW + timedelta(minutes=10),
            stability=2.3,
            last_review=NOW,
        )
    db.session.commit()
    report = progress_report(db.session, user.id, NOW)
    assert report.mastery_by_topic == [TopicMastery("Fresh", "Intro", 5, 0, None)]


def _figures_in_python(user_id: int, now: datetime) -> dict:
    """The figures as they were computed before SQL aggregated them: every row read."""
    import fsrs

    from app.analytics.progress import _DayIndex
    from app.scheduling import scheduler_for, study_context

    context = study_context(db.session, user_id, now)
    zone, hour, today = context.time_zone, context.settings.day_starts_at_hour, context.today
    days = _DayIndex(today - timedelta(days=364), 365, zone, hour)
    logs = db.session.execute(
        select(ReviewLog.reviewed_at, ReviewLog.rating, ReviewLog.state_before).where(
            ReviewLog.user_id == user_id
        )
    ).all()
    per_day = Counter(days.day_of(row.reviewed_at) for row in logs)
    retention_first = today - timedelta(days=29)
    since = _DayIndex(retention_first, 1, zone, hour).start
    mature = [r.rating for r in logs if r.state_before == REVIEW and since <= r.reviewed_at]
    forecast_days = _DayIndex(today, 30, zone, hour)
    dues = db.session.scalars(
        select(ReviewCard.due).where(
            ReviewCard.user_id == user_id, ReviewCard.suspended.is_(False), ReviewCard.reps > 0
        )
    )
    forecast = Counter(forecast_days.day_of(due, clamp=True) for due in dues)
    scheduler = scheduler_for(context.settings)
    groups: dict = {}
    for card, topic_id in db.session.execute(
        select(ReviewCard, Question.topic_id).join(Question).where(ReviewCard.user_id == user_id)
    ):
        values = groups.setdefault(topic_id, [])
        if card.reps > 0 and card.state in (REVIEW, RELEARNING) and card.stability:
            fsrs_card = fsrs.Card(
                card_id=card.id,
                state=fsrs.State(card.state),
                stability=card.stability,
                last_review=card.last_review,
            )
            values.append(scheduler.get_card_retrievability(fsrs_card, now))
    return {
        "heatmap": [(day, per_day.get(day, 0)) for day in days.days],
        "forecast": [(day, forecast.get(day, 0)) for day in forecast_days.days],
        "retention": (sum(1 for r in mature if r > 1), len(mature)),
        "mastery": sorted(
            (len(v), sum(v) / len(v) if len(v) >= MIN_MASTERY_CARDS else None)
            for v in groups.values()
        ),
    }


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Australia/Adelaide"])
def test_sql_aggregates_match_the_row_by_row_figures_on_a_random_history(make_user, zone):
    import random

    rng = random.Random(zone)
    user = make_user(time_zone=zone)
    db.session.add(StudySettings(user_id=user.id, day_starts_at_hour=rng.randrange(24)))
    bank, topics = bank_with_topics("Random", "A", "B", "A/C")
    h = History(user.id)
    for n in range(60):
        state = rng.choice([LEARNING, REVIEW, REVIEW, RELEARNING])
        reps = 0 if n % 7 == 0 else rng.randrange(1, 9)
        card = h.card(
            bank,
            rng.choice([*topics.values(), None]),
            state=state,
            reps=reps,
            due=NOW + timedelta(hours=rng.uniform(-900, 900)),
            stability=None if reps == 0 else 10 ** rng.uniform(-1, 2.5),
            last_review=None if reps == 0 else NOW - timedelta(hours=rng.uniform(0, 3000)),
            suspended=rng.random() < 0.1,
        )
        db.session.flush()
        for _ in range(rng.randrange(0, 12)):
            # Some on exact quarter hours, some within a second of them.
            moment = NOW - timedelta(minutes=15 * rng.randrange(0, 4 * 24 * 420))
            moment += timedelta(seconds=rng.choice([0, 0.4, -0.4, rng.uniform(0, 900)]))
            h.log(card, moment, rng.randrange(1, 5), rng.choice([LEARNING, REVIEW, RELEARNING]))
    db.session.commit()

    report = progress_report(db.session, user.id, NOW)
    expected = _figures_in_python(user.id, NOW)
    assert report.heatmap_year == expected["heatmap"]
    assert report.forecast_30 == expected["forecast"]
    recalled, mature = expected["retention"]
    assert report.retention_reviews_30 == mature
    assert report.true_retention_30 == (recalled / mature if mature else None)
    mastery = sorted((m.learned, m.mean_retrievability) for m in report.mastery_by_topic)
    assert [m[0] for m in mastery] == [m[0] for m in expected["mastery"]]
    for (_, got), (_, want) in zip(mastery, expected["mastery"], strict=True):
        assert got == (pytest.approx(want, rel=1e-12) if want is not None else None)


def test_practice_scores_are_finished_sessions_in_order(student_id):
    scores = progress_report(db.session, student_id, NOW).practice_scores
    assert scores == [(utc(2025, 1, 10, 0, 20), 0.5), (utc(2025, 1, 12, 0, 30), 0.75)]


def test_day_start_hour_moves_the_boundary(student_id):
    settings = db.session.get(StudySettings, student_id)
    settings.day_starts_at_hour = 6  # 04:00 local on the 15th now belongs to the 14th
    db.session.commit()
    report = progress_report(db.session, student_id, NOW)
    assert report.reviews_today == 2
    assert dict(report.heatmap_year)[date(2025, 1, 14)] == 2


def test_day_boundary_follows_daylight_saving_time(make_user):
    user = make_user(time_zone="America/New_York")  # clocks go forward on 9 March 2025
    bank = make_bank("DST", commit=False)
    h = History(user.id)
    card = h.card(bank, None, due=utc(2025, 3, 10, 7, 59), stability=3, last_review=NOW)
    h.log(card, utc(2025, 3, 9, 7, 59))  # 03:59 EDT: still the 8th
    h.log(card, utc(2025, 3, 9, 8))  # 04:00 EDT: the 9th
    db.session.commit()
    report = progress_report(db.session, user.id, utc(2025, 3, 9, 12))
    assert report.today == date(2025, 3, 9)
    assert report.reviews_today == 1
    assert report.heatmap_year[-2:] == [(date(2025, 3, 8), 1), (date(2025, 3, 9), 1)]
    assert report.streak == 2
    assert report.due_today == 1  # 03:59 EDT on the 10th


def test_a_student_without_anything_gets_empty_figures_and_defaults(make_user):
    user = make_user(time_zone="Europe/Paris")
    report = progress_report(db.session, user.id, NOW)
    assert not report.has_cards
    assert report.today == date(2025, 1, 16)  # 04:30 in Paris
    assert (report.due_today, report.due_tomorrow, report.reviews_today, report.streak) == (
        0,
        0,
        0,
        0,
    )
    assert report.true_retention_30 is None
    assert report.retention_reviews_30 == 0
    assert report.target_retention == 0.9
    assert report.day_starts_at_hour == 4
    assert report.cards_by_state == CardsByState()
    assert report.mastery_by_topic == []
    assert report.practice_scores == []
    assert all(n == 0 for _, n in report.forecast_30 + report.heatmap_year)


def test_mastery_of_a_topic_with_only_new_cards_is_none(make_user):
    user = make_user()
    bank, topics = bank_with_topics("Fresh", "Intro")
    History(user.id).card(bank, topics["Intro"], state=LEARNING, reps=0, due=NOW)
    db.session.commit()
    report = progress_report(db.session, user.id, NOW)
    assert report.mastery_by_topic == [TopicMastery("Fresh", "Intro", 1, 0, None)]


def test_the_report_takes_a_handful_of_queries_whatever_the_history(student_id):
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        progress_report(db.session, student_id, NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Eight for the figures, and the study queue's own count of what is due today.
    assert len(statements) <= 10
