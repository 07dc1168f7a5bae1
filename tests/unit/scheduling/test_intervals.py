"""answer_card schedules exactly as a bare fsrs.Scheduler would, and previews tell the truth."""

from __future__ import annotations

from datetime import timedelta

import fsrs
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewLog
from app.scheduling import (
    add_to_reviews,
    format_interval,
    get_settings,
    interval_previews,
    rating_for_grade,
)

from .helpers import T0, answer, cards_of, reload, set_settings

Again, Hard, Good, Easy = fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy
DAY = timedelta(days=1)
MIN = timedelta(minutes=1)

# (rating, when relative to the card's due): learning steps, graduation, late and early
# reviews, a lapse with relearning, and weeks of reviews.
SEQUENCE = [
    (Again, timedelta(0)),
    (Good, timedelta(0)),
    (Hard, timedelta(0)),
    (Good, 2 * MIN),
    (Good, DAY),
    (Hard, -DAY),
    (Good, timedelta(0)),
    (Again, 3 * DAY),
    (Again, timedelta(0)),
    (Good, 5 * MIN),
    (Easy, 5 * DAY),
    (Good, timedelta(0)),
    (Hard, 2 * DAY),
    (Good, 14 * DAY),
    (Again, 30 * DAY),
    (Hard, timedelta(0)),
    (Good, timedelta(0)),
    (Easy, timedelta(0)),
]


def same_schedule(card, twin: fsrs.Card) -> None:
    assert card.state == twin.state.value
    assert card.step == twin.step
    assert card.stability == twin.stability
    assert card.difficulty == twin.difficulty
    assert card.due == twin.due
    assert card.last_review == twin.last_review


def run_sequence(user_id, card, scheduler: fsrs.Scheduler, sequence, settings_user_id=None):
    twin = fsrs.Card(card_id=card.id, due=card.due)
    lapses = 0
    for reps, (rating, delta) in enumerate(sequence, start=1):
        now = twin.due + delta
        lapses += twin.state == fsrs.State.Review and rating == Again
        twin, _ = scheduler.review_card(twin, rating, now)
        outcome = answer(user_id, card, rating, now, duration_ms=4000)
        same_schedule(outcome.card, twin)
        card = reload(card)
        same_schedule(card, twin)
        assert (card.reps, card.lapses) == (reps, lapses)
        assert outcome.log.interval_seconds == int((twin.due - now).total_seconds())
    return card, twin


@pytest.fixture
def card(student, bank):
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    return cards_of(student.id)[0]


def test_default_settings_match_fsrs(student, card):
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    card, twin = run_sequence(student.id, card, scheduler, SEQUENCE)
    # The sequence really went through every state and over weeks.
    assert card.due - T0 > 60 * DAY
    logs = db.session.scalars(select(ReviewLog).order_by(ReviewLog.id)).all()
    assert len(logs) == len(SEQUENCE)
    assert {log.state_before for log in logs} == {1, 2, 3}
    assert [log.rating for log in logs] == [rating.value for rating, _ in SEQUENCE]
    assert [log.was_new for log in logs] == [True] + [False] * (len(SEQUENCE) - 1)


def test_custom_settings_match_fsrs(student, card):
    set_settings(
        student.id,
        desired_retention=0.82,
        learning_steps=[30, 300, 1800],
        relearning_steps=[300, 1200],
        maximum_interval=30,
    )
    scheduler = fsrs.Scheduler(
        desired_retention=0.82,
        learning_steps=(timedelta(seconds=30), timedelta(seconds=300), timedelta(seconds=1800)),
        relearning_steps=(timedelta(seconds=300), timedelta(seconds=1200)),
        maximum_interval=30,
        enable_fuzzing=False,
    )
    card, twin = run_sequence(student.id, card, scheduler, SEQUENCE + [(Easy, 0 * DAY)] * 3)
    # The maximum interval was reached and honoured.
    assert card.due - card.last_review == 30 * DAY


def test_learning_steps_are_the_custom_ones(student, card):
    set_settings(student.id, learning_steps=[30, 300, 1800])
    card = answer(student.id, card, Good, T0).card
    assert (card.state, card.step, card.due - T0) == (1, 1, timedelta(seconds=300))
    at = card.due
    card = answer(student.id, card, Good, at).card
    assert (card.state, card.step, card.due - at) == (1, 2, timedelta(seconds=1800))
    at = card.due
    card = answer(student.id, card, Good, at).card
    assert card.state == fsrs.State.Review.value and card.step is None
    assert card.due - at >= DAY


def test_retention_changes_the_interval(student, card, bank):
    """Lower retention, longer intervals: the setting reaches the scheduler."""
    set_settings(student.id, desired_retention=0.75)
    graduated = answer(student.id, card, Easy, T0).card
    low = graduated.due - T0
    expected, _ = fsrs.Scheduler(desired_retention=0.75, enable_fuzzing=False).review_card(
        fsrs.Card(card_id=1, due=T0), Easy, T0
    )
    default, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card(card_id=1, due=T0), Easy, T0
    )
    assert graduated.due == expected.due
    assert low > default.due - T0


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {
            "desired_retention": 0.8,
            "learning_steps": [30, 300, 1800],
            "relearning_steps": [120, 1200],
        },
    ],
)
def test_previews_are_what_answering_applies(student, card, settings):
    if settings:
        set_settings(student.id, **settings)
    stored = get_settings(db.session, student.id)
    scheduler = fsrs.Scheduler(
        desired_retention=stored.desired_retention,
        learning_steps=[timedelta(seconds=s) for s in stored.learning_steps],
        relearning_steps=[timedelta(seconds=s) for s in stored.relearning_steps],
        enable_fuzzing=False,
    )
    twin = fsrs.Card(card_id=card.id, due=card.due)
    seen_labels = set()
    for rating, delta in SEQUENCE:
        now = twin.due + delta
        previews = interval_previews(card, get_settings(db.session, student.id), now)
        assert set(previews) == set(fsrs.Rating)
        for each in fsrs.Rating:
            after, _ = scheduler.review_card(twin, each, now)
            assert previews[each] == format_interval((after.due - now).total_seconds())
        twin, _ = scheduler.review_card(twin, rating, now)
        card = answer(student.id, card, rating, now).card
        assert format_interval((card.due - now).total_seconds()) == previews[rating]
        seen_labels.update(previews.values())
    # Minutes and days both appeared on the buttons.
    assert any(label.endswith("m") and not label.endswith("mo") for label in seen_labels)
    assert any(label.endswith("d") for label in seen_labels)


def test_previews_do_not_change_the_card(student, card):
    before = (card.state, card.step, card.due, card.version, card.reps)
    interval_previews(card, get_settings(db.session, student.id), T0)
    db.session.commit()
    card = reload(card)
    assert (card.state, card.step, card.due, card.version, card.reps) == before


def test_new_card_buttons_follow_the_learning_steps(student, card):
    previews = interval_previews(card, get_settings(db.session, student.id), T0)
    assert previews[Again] == "1m"
    assert previews[Hard] == "6m"  # halfway between the 1m and 10m steps, as fsrs does
    assert previews[Good] == "10m"
    assert previews[Easy].endswith("d")


@pytest.mark.parametrize(
    ("fraction", "rating"),
    [
        (1.0, Good),
        (0.999, Good),
        (0.9989, Hard),
        (0.5, Hard),
        (0.4999, Again),
        (0.2, Again),
        (0.01, Again),
        (0.0, Again),
    ],
)
def test_rating_for_grade(fraction, rating):
    # Below half marks is Again: FSRS counts Hard as a recall and would grow stability.
    assert rating_for_grade(fraction) == rating
