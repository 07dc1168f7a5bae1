"""next_due_at: a daily limit holds cards back until the next study day, even those due later."""

from __future__ import annotations

from datetime import timedelta

import fsrs

from app.extensions import db
from app.scheduling import add_to_reviews, next_card, next_due_at

from .helpers import T0, answer, cards_of, review_card, set_settings

DAY_END = T0.replace(hour=4) + timedelta(days=1)  # a UTC student's next study day


def test_a_review_due_later_today_waits_for_the_review_limit(student, bank):
    set_settings(student.id, new_per_day=0, max_reviews_per_day=1)
    now_due = review_card(
        student.id, bank.questions[0], stability=3, last_review=T0 - timedelta(days=5), due=T0
    )
    review_card(
        student.id,
        bank.questions[1],
        stability=3,
        last_review=T0 - timedelta(days=5),
        due=T0 + timedelta(hours=6),
    )
    # At 03:00 it is still the day before: both reviews come when the study day starts.
    assert next_due_at(db.session, student.id, T0 - timedelta(hours=6)) == T0.replace(hour=4)
    answer(student.id, now_due, fsrs.Rating.Good, T0)
    assert next_card(db.session, student.id, T0 + timedelta(hours=7)) is None
    # Due at 15:00, but the day's one review is spent: it comes with the next day.
    assert next_due_at(db.session, student.id, T0) == DAY_END


def test_without_a_limit_reached_a_later_review_is_next(student, bank):
    set_settings(student.id, new_per_day=0)
    later_today = review_card(
        student.id,
        bank.questions[1],
        stability=3,
        last_review=T0 - timedelta(days=5),
        due=T0 + timedelta(hours=6),
    )
    # Due at 15:00 today: a review card is offered from the start of its due day.
    assert next_card(db.session, student.id, T0).card.id == later_today.id
    assert next_due_at(db.session, student.id, T0) == T0
    answer(student.id, later_today, fsrs.Rating.Good, T0)
    # Next due some day later, at some hour: it comes when that study day starts.
    due = db.session.get(type(later_today), later_today.id).due
    day_start = due.replace(hour=4, minute=0, second=0, microsecond=0)
    if due < day_start:
        day_start -= timedelta(days=1)
    assert next_due_at(db.session, student.id, T0 + timedelta(minutes=1)) == day_start


def test_a_zero_limit_never_resets(student, bank):
    set_settings(student.id, new_per_day=0)
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    assert cards_of(student.id)
    assert next_card(db.session, student.id, T0) is None
    assert next_due_at(db.session, student.id, T0) is None
