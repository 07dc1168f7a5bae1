"""Exam dates: cards predicted to be forgotten by the exam come up early."""

from __future__ import annotations

from datetime import date, timedelta

import fsrs
import pytest

from app.extensions import db
from app.models import ExamDate
from app.scheduling import (
    ExamError,
    active_exam_dates,
    day_bounds,
    delete_exam_date,
    exam_candidates,
    get_settings,
    next_card,
    queue_counts,
    scheduler_for,
    set_exam_date,
    suspend_card,
    to_fsrs_card,
)

from .helpers import T0, answer, make_bank, reload, review_card, set_settings

TODAY = date(2024, 6, 3)  # T0's study day for a UTC student
EXAM_DAY = TODAY + timedelta(days=10)
EXAM_STARTS = day_bounds(EXAM_DAY, "UTC", 4)[0]
DAY = timedelta(days=1)


def exam(user_id, exam_on=EXAM_DAY, **scope) -> ExamDate:
    made = set_exam_date(db.session, user_id, exam_on=exam_on, today=TODAY, **scope)
    db.session.commit()
    return made


def predicted(user_id, card, moment=EXAM_STARTS) -> float:
    scheduler = scheduler_for(get_settings(db.session, user_id))
    return scheduler.get_card_retrievability(to_fsrs_card(card), moment)


@pytest.fixture
def cards(student, bank):
    """Hand-made review cards around the History bank, none due before tomorrow."""
    set_settings(student.id, new_per_day=0)
    q = bank.questions
    chemistry = make_bank("Chemistry", topics=("Elements",), layout=(("Elements", 2),), prefix="c")
    made = {
        # At risk by the exam: reviewed 3 days ago with a stability of 5 days.
        "timeline": review_card(student.id, q[0], stability=5, last_review=T0 - 3 * DAY),
        # More at risk: stability 2.5, reviewed yesterday.
        "fifties": review_card(student.id, q[12], stability=2.5, last_review=T0 - DAY),
        "geography": review_card(student.id, q[25], stability=4, last_review=T0 - 2 * DAY),
        # Safe: a stability of 200 days.
        "stable": review_card(student.id, q[1], stability=200, last_review=T0 - 10 * DAY),
        # Reviewed earlier this study day (after 04:00): once a day is enough.
        "today": review_card(student.id, q[2], stability=2, last_review=T0 - timedelta(hours=2)),
        # Not in the bank.
        "chemistry": review_card(
            student.id, chemistry.questions[0], stability=2, last_review=T0 - DAY
        ),
    }
    for name in ("timeline", "fifties", "geography", "today", "chemistry"):
        assert predicted(student.id, made[name]) < 0.9, name
    assert predicted(student.id, made["stable"]) > 0.9
    for card in made.values():
        assert card.due > T0
    return made


def ids(entries):
    return [entry.card.id for entry in entries]


def test_at_risk_cards_of_the_bank_join_most_at_risk_first(student, bank, cards):
    assert exam_candidates(db.session, student.id, T0) == []
    assert next_card(db.session, student.id, T0) is None
    exam(student.id, bank_id=bank.id)

    entries = exam_candidates(db.session, student.id, T0)
    expected = sorted(
        (cards[name] for name in ("timeline", "fifties", "geography")),
        key=lambda card: predicted(student.id, card),
    )
    assert ids(entries) == [card.id for card in expected]
    assert ids(entries)[0] == cards["fifties"].id
    for entry in entries:
        assert entry.reason == "exam"
        assert entry.retrievability == pytest.approx(predicted(student.id, entry.card))
        assert entry.retrievability < 0.9
    assert queue_counts(db.session, student.id, T0).exam == 3

    entry = next_card(db.session, student.id, T0)
    assert (entry.reason, entry.card.id) == ("exam", cards["fifties"].id)


def test_a_topic_exam_covers_its_sub_topics_only(student, bank, cards):
    exam(student.id, topic_id=bank.topics["Timeline"].id)
    assert set(ids(exam_candidates(db.session, student.id, T0))) == {
        cards["timeline"].id,
        cards["fifties"].id,
    }
    assert queue_counts(db.session, student.id, T0).exam == 2


def test_a_sub_topic_exam(student, bank, cards):
    exam(student.id, topic_id=bank.topics["Timeline/1950s"].id)
    assert ids(exam_candidates(db.session, student.id, T0)) == [cards["fifties"].id]


def test_the_exam_day_start_is_what_is_predicted(student, bank, cards):
    """A card safe for an exam the day after tomorrow is not safe for one in ten days."""
    soon = EXAM_DAY - timedelta(days=8)
    exam(student.id, exam_on=soon, bank_id=bank.id)
    soon_starts = day_bounds(soon, "UTC", 4)[0]
    expected = [
        card
        for card in cards.values()
        if card is not cards["today"]
        and card is not cards["chemistry"]
        and predicted(student.id, card, soon_starts) < 0.9
    ]
    assert len(expected) < 3
    assert set(ids(exam_candidates(db.session, student.id, T0))) == {c.id for c in expected}


def test_two_exams_count_a_card_once_with_its_lower_prediction(student, bank, cards):
    exam(student.id, exam_on=TODAY + timedelta(days=3), bank_id=bank.id)
    exam(student.id, topic_id=bank.topics["Timeline"].id)
    entries = exam_candidates(db.session, student.id, T0)
    assert len(ids(entries)) == len(set(ids(entries)))
    by_id = {entry.card.id: entry for entry in entries}
    fifties = by_id[cards["fifties"].id]
    assert fifties.retrievability == pytest.approx(predicted(student.id, cards["fifties"]))
    assert [e.retrievability for e in entries] == sorted(e.retrievability for e in entries)


def test_after_the_exam_nothing_joins(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    # A card not due until after the exam, and at risk on the day: on the day it still joins.
    late = review_card(
        student.id,
        bank.questions[6],
        stability=3,
        last_review=T0 - DAY,
        due=EXAM_STARTS + 5 * DAY,
    )
    on_the_day = EXAM_STARTS + timedelta(hours=2)
    assert ids(exam_candidates(db.session, student.id, on_the_day)) == [late.id]
    after = EXAM_STARTS + DAY + timedelta(minutes=1)
    assert active_exam_dates(db.session, student.id, EXAM_DAY + DAY) == []
    assert exam_candidates(db.session, student.id, after) == []
    assert queue_counts(db.session, student.id, after).exam == 0


def test_set_aside_and_due_cards_do_not_join(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    suspend_card(db.session, student.id, cards["fifties"].id, T0)
    db.session.commit()
    assert cards["fifties"].id not in ids(exam_candidates(db.session, student.id, T0))
    # Once due, a card is in the ordinary queue, not the exam one.
    due_at = reload(cards["timeline"]).due
    assert cards["timeline"].id not in ids(exam_candidates(db.session, student.id, due_at))
    reasons = {}
    while (entry := next_card(db.session, student.id, due_at)) is not None:
        reasons[entry.card.id] = entry.reason
        answer(student.id, entry.card, fsrs.Rating.Good, due_at)
    assert reasons[cards["timeline"].id] == "due"
    assert cards["fifties"].id not in reasons


def test_reviewing_an_exam_card_takes_it_out(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    entry = next_card(db.session, student.id, T0)
    answer(student.id, entry.card, fsrs.Rating.Good, T0)
    assert entry.card.id not in ids(exam_candidates(db.session, student.id, T0))
    # The next day it is back only if the new stability still leaves it at risk.
    tomorrow = T0 + DAY
    still_at_risk = predicted(student.id, reload(entry.card)) < 0.9
    assert (entry.card.id in ids(exam_candidates(db.session, student.id, tomorrow))) == (
        still_at_risk
    )


def test_the_daily_review_limit_bounds_exam_cards(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    set_settings(student.id, new_per_day=0, max_reviews_per_day=2)
    due = review_card(
        student.id, bank.questions[5], stability=3, last_review=T0 - 4 * DAY, due=T0 - DAY
    )
    counts = queue_counts(db.session, student.id, T0)
    assert (counts.due, counts.exam) == (1, 1)
    # The due card first, then the most at-risk exam card, then the limit.
    first = next_card(db.session, student.id, T0)
    assert (first.reason, first.card.id) == ("due", due.id)
    answer(student.id, first.card, fsrs.Rating.Good, T0)
    second = next_card(db.session, student.id, T0)
    assert (second.reason, second.card.id) == ("exam", cards["fifties"].id)
    answer(student.id, second.card, fsrs.Rating.Good, T0)
    assert next_card(db.session, student.id, T0) is None
    assert queue_counts(db.session, student.id, T0).exam == 0


def test_higher_retention_brings_more_cards(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    set_settings(student.id, new_per_day=0, desired_retention=0.75)
    low = ids(exam_candidates(db.session, student.id, T0))
    set_settings(student.id, new_per_day=0, desired_retention=0.97)
    high = ids(exam_candidates(db.session, student.id, T0))
    assert set(low) < set(high)
    assert cards["stable"].id not in high


def test_set_exam_date_refusals(student, bank):
    with pytest.raises(ExamError):
        set_exam_date(db.session, student.id, bank_id=bank.id, exam_on=TODAY - DAY, today=TODAY)
    with pytest.raises(ExamError):
        set_exam_date(db.session, student.id, exam_on=EXAM_DAY, today=TODAY)
    with pytest.raises(ExamError):
        set_exam_date(
            db.session, student.id, bank_id=None, topic_id=None, exam_on=EXAM_DAY, today=TODAY
        )
    other = make_bank("Chemistry", topics=("Elements",), layout=(("Elements", 1),), prefix="c")
    refused = [
        {"bank_id": 999_999},
        {"topic_id": 999_999},
        # A topic of another bank.
        {"bank_id": bank.id, "topic_id": other.topics["Elements"].id},
    ]
    for scope in refused:
        with pytest.raises(ExamError):
            set_exam_date(db.session, student.id, exam_on=EXAM_DAY, today=TODAY, **scope)
    with pytest.raises(ExamError):
        set_exam_date(
            db.session, student.id, bank_id=bank.id, exam_on=EXAM_DAY, today=TODAY, label="x" * 121
        )
    db.session.rollback()
    assert active_exam_dates(db.session, student.id, TODAY) == []
    # An exam today is fine.
    today_exam = exam(student.id, exam_on=TODAY, bank_id=bank.id, label="  Midterm  ")
    assert today_exam.label == "Midterm"
    assert active_exam_dates(db.session, student.id, TODAY) == [today_exam]


def test_active_exam_dates_and_delete(make_user, student, bank):
    later = exam(student.id, exam_on=EXAM_DAY, bank_id=bank.id)
    sooner = exam(student.id, exam_on=TODAY + DAY, topic_id=bank.topics["Geography"].id)
    other = make_user()
    theirs = exam(other.id, bank_id=bank.id)
    assert active_exam_dates(db.session, student.id, TODAY) == [sooner, later]
    assert active_exam_dates(db.session, student.id, TODAY + 2 * DAY) == [later]
    with pytest.raises(LookupError):
        delete_exam_date(db.session, student.id, theirs.id)
    delete_exam_date(db.session, student.id, sooner.id)
    db.session.commit()
    assert active_exam_dates(db.session, student.id, TODAY) == [later]
    assert active_exam_dates(db.session, other.id, TODAY) == [theirs]


def test_another_students_exam_does_not_bring_my_cards(make_user, student, bank, cards):
    other = make_user()
    exam(other.id, bank_id=bank.id)
    assert exam_candidates(db.session, student.id, T0) == []
    assert exam_candidates(db.session, other.id, T0) == []
