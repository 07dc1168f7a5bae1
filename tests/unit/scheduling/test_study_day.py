"""The study day as in Anki: reviews due for their whole day, limits, learn-ahead, decks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from app.analytics import progress_report
from app.extensions import db
from app.scheduling import (
    LEARN_AHEAD,
    add_to_reviews,
    deck_counts,
    next_card,
    queue_counts,
)

from .helpers import T0, answer, cards_of, make_bank, review_card, set_settings

Good = fsrs.Rating.Good
LA = ZoneInfo("America/Los_Angeles")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA).astimezone(UTC)


@pytest.fixture
def la_student(make_user):
    return make_user(time_zone="America/Los_Angeles")


@pytest.mark.parametrize("hour_minute", [(4, 0), (12, 0), (22, 59)])
def test_a_review_card_is_offered_from_the_start_of_its_due_day(la_student, bank, hour_minute):
    set_settings(la_student.id, new_per_day=0)
    due = local(2026, 6, 10, 23, 0)
    card = review_card(
        la_student.id, bank.questions[0], stability=5, last_review=due - timedelta(days=5), due=due
    )
    now = local(2026, 6, 10, *hour_minute)
    entry = next_card(db.session, la_student.id, now)
    assert (entry.reason, entry.card.id) == ("due", card.id)
    counts = queue_counts(db.session, la_student.id, now)
    assert counts.due == 1
    # Study, home (counts.waiting) and Progress show the same figure.
    assert progress_report(db.session, la_student.id, now).due_today == counts.waiting == 1


def test_a_review_card_is_not_offered_the_study_day_before(la_student, bank):
    set_settings(la_student.id, new_per_day=0)
    due = local(2026, 6, 10, 23, 0)
    review_card(
        la_student.id, bank.questions[0], stability=5, last_review=due - timedelta(days=5), due=due
    )
    before_day_start = local(2026, 6, 10, 3, 59)
    assert next_card(db.session, la_student.id, before_day_start) is None
    assert queue_counts(db.session, la_student.id, before_day_start).due == 0
    assert progress_report(db.session, la_student.id, before_day_start).due_today == 0


def test_learning_steps_keep_their_exact_minute_when_something_else_is_left(student, bank):
    set_settings(student.id, new_per_day=5)
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    first = cards_of(student.id)[0]
    answer(student.id, first, Good, T0)  # step 2: due in 10 minutes
    entry = next_card(db.session, student.id, T0 + timedelta(minutes=5))
    assert entry.reason == "new" and entry.card.id != first.id


def test_learning_and_relearning_answers_do_not_spend_the_review_limit(student, bank):
    set_settings(student.id, new_per_day=10, max_reviews_per_day=10)
    reviews = [
        review_card(
            student.id,
            question,
            stability=3,
            last_review=T0 - timedelta(days=3),
            due=T0 + timedelta(hours=2),
            position=0,
        )
        for question in bank.questions[20:30]
    ]
    add_to_reviews(db.session, student.id, question_ids=[q.id for q in bank.questions[:10]], now=T0)
    db.session.commit()
    new = [card for card in cards_of(student.id) if card.reps == 0]
    assert len(new) == 10
    for card in new:
        answer(student.id, card, Good, T0)
    for card in new:
        db.session.refresh(card)
        answer(student.id, card, Good, T0 + timedelta(minutes=11))
    at = T0 + timedelta(hours=2, minutes=1)
    counts = queue_counts(db.session, student.id, at)
    assert (counts.reviews_done_today, counts.new_done_today) == (0, 10)
    assert counts.due == 10
    assert next_card(db.session, student.id, at).card.id in {card.id for card in reviews}


def test_the_review_limit_caps_new_cards(student, bank):
    set_settings(student.id, new_per_day=1, max_reviews_per_day=1)
    due = review_card(
        student.id, bank.questions[29], stability=3, last_review=T0 - timedelta(days=3), due=T0
    )
    add_to_reviews(db.session, student.id, question_ids=[bank.questions[0].id], now=T0)
    db.session.commit()
    counts = queue_counts(db.session, student.id, T0)
    assert (counts.due, counts.new) == (1, 0)
    answer(student.id, due, Good, T0)
    assert next_card(db.session, student.id, T0 + timedelta(minutes=1)) is None
    assert queue_counts(db.session, student.id, T0 + timedelta(minutes=1)).new == 0


def test_learn_ahead_shows_a_step_due_within_20_minutes_when_nothing_else_is_left(student, bank):
    set_settings(student.id, new_per_day=1, learning_steps=[60, 1500])
    add_to_reviews(db.session, student.id, question_ids=[bank.questions[0].id], now=T0)
    db.session.commit()
    card = answer(student.id, cards_of(student.id)[0], Good, T0).card  # due in 25 minutes
    assert timedelta(minutes=20) == LEARN_AHEAD
    assert next_card(db.session, student.id, T0 + timedelta(minutes=4)) is None
    entry = next_card(db.session, student.id, T0 + timedelta(minutes=5))
    assert (entry.reason, entry.card.id) == ("learning", card.id)


def test_a_deck_limits_the_queue_and_decks_are_counted(student, bank):
    other = make_bank("Physics", topics=("Waves",), layout=(("Waves", 3),), prefix="p")
    set_settings(student.id, new_per_day=50)
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    add_to_reviews(db.session, student.id, bank_id=other.id, now=T0)
    db.session.commit()
    # File order: the History bank was added first.
    assert next_card(db.session, student.id, T0).card.question.bank_id == bank.id
    entry = next_card(db.session, student.id, T0, deck=f"bank:{other.id}")
    assert entry.card.question.bank_id == other.id
    geography = bank.topics["Geography"]
    entry = next_card(db.session, student.id, T0, deck=f"topic:{geography.id}")
    assert entry.card.question.topic_id == geography.id
    assert queue_counts(db.session, student.id, T0, deck=f"bank:{other.id}").new == 3
    timeline = bank.topics["Timeline"]
    counts = {d.deck: (d.label, d.depth, d.new) for d in deck_counts(db.session, student.id, T0)}
    assert counts[f"bank:{bank.id}"] == ("History", 0, 30)
    assert counts[f"topic:{timeline.id}"] == ("Timeline", 1, 20)  # with its sub-topic
    assert counts[f"topic:{bank.topics['Timeline/1950s'].id}"] == ("1950s", 2, 10)
    assert counts[f"bank:{other.id}"] == ("Physics", 0, 3)


def test_new_cards_in_random_order(student, bank):
    set_settings(student.id, new_per_day=50)
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    in_file_order = cards_of(student.id)
    assert next_card(db.session, student.id, T0).card.id == in_file_order[0].id
    set_settings(student.id, new_per_day=50, new_card_order="random")
    shown = []
    for minute in range(10):
        entry = next_card(db.session, student.id, T0 + timedelta(minutes=minute))
        # The same card until it is answered: a reload does not reshuffle.
        assert next_card(db.session, student.id, T0 + timedelta(minutes=minute)).card.id == (
            entry.card.id
        )
        shown.append(entry.card.position)
        answer(student.id, entry.card, fsrs.Rating.Easy, T0 + timedelta(minutes=minute))
    assert shown != sorted(shown)
