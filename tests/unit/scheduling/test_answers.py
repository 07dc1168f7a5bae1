"""Answers: the log, leeches, and undo putting the card back exactly."""

from __future__ import annotations

from datetime import timedelta

import fsrs
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewCard, ReviewLog
from app.models.types import epoch_microseconds
from app.scheduling import (
    LEECH_LAPSES,
    NothingToUndo,
    StaleAnswer,
    add_to_reviews,
    buried_cards,
    bury_card,
    last_action,
    next_card,
    queue_counts,
    suspend_card,
    unbury_card,
    undo_last_answer,
    unsuspend_card,
)
from tests.factories import make_question

from .helpers import T0, answer, cards_of, log_count, reload, review_card, set_settings

Again, Hard, Good, Easy = fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy
DAY = timedelta(days=1)
COLUMNS = [column.key for column in ReviewCard.__table__.columns]


def row(card: ReviewCard) -> dict:
    """Every column of the card as stored."""
    stored = reload(card)
    return {name: getattr(stored, name) for name in COLUMNS}


def without_version(values: dict) -> dict:
    return {name: value for name, value in values.items() if name != "version"}


@pytest.fixture
def new_cards(student, bank):
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    return cards_of(student.id)


def _stored_last_review(card: ReviewCard) -> tuple:
    stored = reload(card)
    return stored.last_review, stored.last_review_us


def test_every_write_of_the_last_review_writes_its_number(student, bank, new_cards):
    """last_review_us, which the queue ranks on, is the last review in microseconds since
    the epoch after an answer, an undo, a restored snapshot and a hand-made card."""
    card = new_cards[0]
    assert _stored_last_review(card) == (None, None)
    first = T0 + timedelta(seconds=30, microseconds=123_457)
    answer(student.id, card, Good, first)
    assert _stored_last_review(card) == (first, epoch_microseconds(first))
    card = reload(card)
    second = first + timedelta(days=3, microseconds=1)
    answer(student.id, card, Hard, second)
    assert _stored_last_review(card) == (second, epoch_microseconds(second))
    undo_last_answer(db.session, student.id)
    db.session.commit()
    assert _stored_last_review(card) == (first, epoch_microseconds(first))
    undo_last_answer(db.session, student.id)
    db.session.commit()
    assert _stored_last_review(card) == (None, None)
    made = review_card(student.id, make_question(bank), stability=2.0, last_review=second)
    assert _stored_last_review(made) == (second, epoch_microseconds(second))
    assert epoch_microseconds(second) == 1_717_664_430_123_458


def test_the_log_records_the_answer(student, new_cards):
    card = new_cards[0]
    before = row(card)
    outcome = answer(
        student.id,
        card,
        Hard,
        T0 + timedelta(seconds=30),
        duration_ms=5200,
        answer={"self_score": 0.5},
        grade=0.5,
    )
    log = db.session.scalars(select(ReviewLog)).one()
    assert log.id == outcome.log.id
    assert (log.card_id, log.user_id, log.question_id) == (card.id, student.id, card.question_id)
    assert (log.rating, log.duration_ms, log.grade) == (Hard.value, 5200, 0.5)
    assert log.answer == {"self_score": 0.5}
    assert log.reviewed_at == T0 + timedelta(seconds=30)
    assert (log.state_before, log.state_after, log.was_new) == (1, 1, True)
    assert log.interval_seconds == int((outcome.card.due - log.reviewed_at).total_seconds())
    assert log.card_before["reps"] == 0 and log.card_before["state"] == 1
    assert log.card_before["stability"] is None
    after = row(card)
    assert after["version"] == before["version"] + 1
    assert after["reps"] == 1 and after["last_review"] == T0 + timedelta(seconds=30)


# Leeches --------------------------------------------------------------------------------


def lapse_and_recover(user_id, card, at, *, fail_relearning=False):
    """Fail the card in review, then pass its relearning step; the outcome of the lapse."""
    assert card.state == fsrs.State.Review.value
    lapses = card.lapses
    lapse = answer(user_id, card, Again, at)
    assert lapse.card.state == fsrs.State.Relearning.value
    assert lapse.card.lapses == lapses + 1
    if lapse.card.suspended:
        return lapse
    if fail_relearning:
        # An Again while relearning is not another lapse.
        again = answer(user_id, card, Again, card.due)
        assert again.card.state == fsrs.State.Relearning.value
        assert again.card.lapses == lapses + 1 and not again.leech_now
    recovered = answer(user_id, card, Good, card.due).card
    assert recovered.state == fsrs.State.Review.value
    return lapse


def test_a_card_becomes_a_leech_at_the_eighth_lapse(student, bank):
    assert LEECH_LAPSES == 8
    set_settings(student.id, new_per_day=0)
    card = review_card(
        student.id, bank.questions[0], stability=10, last_review=T0 - 10 * DAY, due=T0
    )
    other = review_card(
        student.id, bank.questions[1], stability=10, last_review=T0 - 10 * DAY, due=T0
    )
    at = T0
    for lapse in range(1, 8):
        outcome = lapse_and_recover(student.id, card, at, fail_relearning=lapse in (2, 5))
        assert outcome.card.lapses == lapse
        assert not outcome.leech_now and not outcome.card.leech and not outcome.card.suspended
        card = reload(card)
        at = card.due
    eighth = lapse_and_recover(student.id, card, at)
    assert eighth.leech_now
    assert eighth.card.lapses == 8
    stored = reload(card)
    assert stored.leech and stored.suspended and stored.lapses == 8
    # Suspended: out of the queue, while other cards carry on.
    later = at + 30 * DAY
    entry = next_card(db.session, student.id, later)
    assert entry.card.id == other.id
    answer(student.id, entry.card, Good, later)
    assert next_card(db.session, student.id, later) is None
    # Unsuspended, it stays tagged; the next warning comes four lapses later, as in Anki.
    unsuspend_card(db.session, student.id, card.id, later)
    db.session.commit()
    card = reload(card)
    assert card.leech and not card.suspended
    assert next_card(db.session, student.id, later).card.id == card.id
    card = answer(student.id, card, Good, later).card  # out of relearning
    at = card.due
    for lapse in range(9, 13):
        outcome = lapse_and_recover(student.id, card, at)
        assert outcome.card.lapses == lapse
        assert outcome.leech_now == (lapse == 12)
        card = reload(card)
        at = card.due


def test_a_learning_again_is_not_a_lapse(student, new_cards):
    card = new_cards[0]
    at = T0
    for _ in range(10):
        outcome = answer(student.id, card, Again, at)
        at = outcome.card.due
        assert outcome.card.lapses == 0 and not outcome.leech_now
    assert not reload(card).leech


# Undo -----------------------------------------------------------------------------------


def test_undo_restores_a_new_card_exactly(student, new_cards):
    card = new_cards[0]
    before = row(card)
    assert queue_counts(db.session, student.id, T0).new_done_today == 0
    answer(student.id, card, Good, T0 + timedelta(seconds=5))
    assert queue_counts(db.session, student.id, T0).new_done_today == 1
    answered = row(card)
    undone = undo_last_answer(db.session, student.id)
    db.session.commit()
    assert undone.id == card.id
    after = row(card)
    assert without_version(after) == without_version(before)
    assert after["version"] > answered["version"]
    assert log_count() == 0
    assert queue_counts(db.session, student.id, T0).new_done_today == 0
    assert next_card(db.session, student.id, T0).card.id == card.id


def test_undo_restores_a_review_card_exactly(student, bank):
    card = review_card(
        student.id,
        bank.questions[0],
        stability=7.123456789,
        difficulty=6.54321,
        last_review=T0 - 9 * DAY + timedelta(microseconds=123456),
        due=T0 - 2 * DAY + timedelta(microseconds=654321),
    )
    card.lapses = 2
    db.session.commit()
    bury_card(db.session, student.id, card.id, T0)
    db.session.commit()
    before = row(card)
    assert before["buried_until"] is not None
    answer(student.id, card, Hard, T0 + timedelta(minutes=1))
    answer(student.id, card, Again, reload(card).due + DAY)  # a lapse, on another day
    middle = row(card)
    undo_last_answer(db.session, student.id)
    db.session.commit()
    assert log_count() == 1
    undone_once = row(card)
    assert undone_once["lapses"] == 2 and undone_once["state"] == fsrs.State.Review.value
    undo_last_answer(db.session, student.id)
    db.session.commit()
    after = row(card)
    assert without_version(after) == without_version(before)
    assert after["version"] > middle["version"]
    assert log_count() == 0
    # The bury was an action too: the next undo takes it back, then nothing is left.
    undo_last_answer(db.session, student.id)
    db.session.commit()
    assert row(card)["buried_until"] is None
    with pytest.raises(NothingToUndo):
        undo_last_answer(db.session, student.id)


def test_an_undo_named_by_action_id_is_applied_once(student, new_cards):
    first, second = new_cards[:2]
    answer(student.id, first, Good, T0)
    answer(student.id, second, Good, T0 + timedelta(seconds=5))
    shown = last_action(db.session, student.id).id
    undo_last_answer(db.session, student.id, shown)
    db.session.commit()
    assert log_count() == 1
    # A double click sends the same id again: nothing more is undone.
    with pytest.raises(NothingToUndo, match="already undone"):
        undo_last_answer(db.session, student.id, shown)
    db.session.rollback()
    assert log_count() == 1 and reload(first).reps == 1
    # A deliberate second undo names the next action: several levels, newest first.
    undo_last_answer(db.session, student.id, last_action(db.session, student.id).id)
    db.session.commit()
    assert log_count() == 0 and reload(first).reps == 0


def test_undo_after_suspend_takes_back_the_suspend_not_an_older_answer(student, new_cards):
    first, second = new_cards[:2]
    answer(student.id, first, Good, T0)
    suspend_card(db.session, student.id, second.id, T0 + timedelta(seconds=5))
    db.session.commit()
    undo_last_answer(db.session, student.id)
    db.session.commit()
    assert reload(second).suspended is False
    assert log_count() == 1 and reload(first).reps == 1


def test_undo_after_bury_unburies_and_buried_cards_can_be_unburied(student, new_cards):
    first, second = new_cards[:2]
    bury_card(db.session, student.id, first.id, T0)
    bury_card(db.session, student.id, second.id, T0)
    db.session.commit()
    assert [c.id for c in buried_cards(db.session, student.id, T0)] == [first.id, second.id]
    undo_last_answer(db.session, student.id)
    db.session.commit()
    assert reload(second).buried_until is None
    unbury_card(db.session, student.id, first.id, T0)
    db.session.commit()
    assert reload(first).buried_until is None
    assert buried_cards(db.session, student.id, T0) == []


def test_an_undo_naming_an_older_action_is_refused(student, new_cards):
    first, second = new_cards[:2]
    answer(student.id, first, Good, T0)
    older = last_action(db.session, student.id).id
    answer(student.id, second, Good, T0 + timedelta(seconds=5))
    with pytest.raises(StaleAnswer):
        undo_last_answer(db.session, student.id, older)
    db.session.rollback()
    assert log_count() == 2


def test_undo_takes_back_a_leech(student, bank):
    card = review_card(student.id, bank.questions[0], stability=5, last_review=T0 - 5 * DAY, due=T0)
    card.lapses = LEECH_LAPSES - 1
    db.session.commit()
    before = row(card)
    outcome = answer(student.id, card, Again, T0)
    assert outcome.leech_now and reload(card).suspended
    undo_last_answer(db.session, student.id)
    db.session.commit()
    after = row(card)
    assert without_version(after) == without_version(before)
    assert not after["leech"] and not after["suspended"]


def test_undo_takes_the_latest_answer_of_this_student_only(make_user, student, bank, new_cards):
    other = make_user()
    add_to_reviews(db.session, other.id, bank_id=bank.id, now=T0)
    db.session.commit()
    theirs = cards_of(other.id)[0]
    first, second = new_cards[:2]
    answer(student.id, first, Good, T0)
    answer(student.id, second, Good, T0 + timedelta(seconds=10))
    answer(other.id, theirs, Good, T0 + timedelta(seconds=20))
    assert undo_last_answer(db.session, student.id).id == second.id
    db.session.commit()
    assert reload(second).reps == 0 and reload(first).reps == 1
    assert reload(theirs).reps == 1
    assert log_count(student.id) == 1 and log_count(other.id) == 1
    assert undo_last_answer(db.session, student.id).id == first.id
    db.session.commit()
    with pytest.raises(NothingToUndo):
        undo_last_answer(db.session, student.id)
    assert log_count(other.id) == 1


def test_nothing_to_undo(student):
    with pytest.raises(NothingToUndo):
        undo_last_answer(db.session, student.id)


def test_an_undone_card_can_be_answered_again_with_its_new_version(student, new_cards):
    from app.scheduling import StaleAnswer, answer_card

    card = new_cards[0]
    shown = card.version
    answer(student.id, card, Good, T0)
    undo_last_answer(db.session, student.id)
    db.session.commit()
    card = reload(card)
    # The page shown before the first answer is stale now.
    with pytest.raises(StaleAnswer):
        answer_card(db.session, student.id, card.id, Easy, T0, expected_version=shown)
    db.session.rollback()
    outcome = answer(student.id, reload(card), Easy, T0)
    assert outcome.card.state == fsrs.State.Review.value
    assert log_count() == 1
