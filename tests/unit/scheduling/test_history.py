"""Past answers from elsewhere become a student's review cards and logs, replayed by FSRS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import fsrs
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewCard, ReviewLog
from app.models.types import epoch_microseconds
from app.scheduling import import_review_history, scheduler_for
from app.scheduling.settings import get_settings
from tests.factories import CLOCK_START, make_bank, make_card, make_question


@dataclass
class Past:
    reviewed_at: datetime
    rating: int
    duration_ms: int = 4000


def test_history_is_replayed_through_the_students_scheduler(app, student):
    bank = make_bank()
    question = make_question(bank, external_id="anki-abc")
    start = CLOCK_START - timedelta(days=40)
    history = {
        "anki-abc": [
            Past(start + timedelta(days=1), 3),
            Past(start, 3),
            Past(start + timedelta(days=2), 0),  # a manual reschedule: not an answer
            Past(start + timedelta(days=9), 1),
            Past(CLOCK_START + timedelta(days=1), 4),  # after now: left out
        ],
        "anki-missing": [Past(start, 3)],
    }
    done = import_review_history(db.session, student.id, bank.id, history, CLOCK_START)
    assert (done.cards, done.reviews, done.kept) == (1, 3, 0)
    card = db.session.scalar(select(ReviewCard).where(ReviewCard.user_id == student.id))
    logs = db.session.scalars(select(ReviewLog).order_by(ReviewLog.reviewed_at)).all()
    assert [log.rating for log in logs] == [3, 3, 1]
    assert logs[0].was_new and not logs[1].was_new and logs[0].duration_ms == 4000
    scheduler = scheduler_for(get_settings(db.session, student.id))
    expected = fsrs.Card(due=start)
    for when, rating in ((0, 3), (1, 3), (9, 1)):
        expected, _ = scheduler.review_card(
            expected, fsrs.Rating(rating), start + timedelta(days=when)
        )
    assert card.question_id == question.id and card.reps == 3
    assert card.state == expected.state.value and card.due == expected.due
    assert card.stability == expected.stability
    assert card.lapses == (1 if logs[2].state_before == fsrs.State.Review.value else 0)
    db.session.commit()
    db.session.expire_all()
    # The queue's integer copy of the last review, written with it.
    assert card.last_review_us == epoch_microseconds(expected.last_review)


def test_a_card_the_student_already_has_is_left_alone(app, student):
    bank = make_bank()
    question = make_question(bank, external_id="anki-abc")
    make_card(student.id, question, due=CLOCK_START)
    history = {"anki-abc": [Past(CLOCK_START - timedelta(days=3), 3)]}
    done = import_review_history(db.session, student.id, bank.id, history, CLOCK_START)
    assert (done.cards, done.reviews, done.kept) == (0, 0, 1)
    assert db.session.scalars(select(ReviewLog)).all() == []
