"""An answer applies once: double submits, two tabs, and two transactions at the same time."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import fsrs
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import ReviewCard, ReviewLog
from app.scheduling import (
    CardSuspended,
    NothingToUndo,
    StaleAnswer,
    add_to_reviews,
    answer_card,
    suspend_card,
    undo_last_answer,
)

from .helpers import T0, answer, cards_of, log_count, reload, set_settings

Good, Easy = fsrs.Rating.Good, fsrs.Rating.Easy


@pytest.fixture
def card(student, bank):
    set_settings(student.id)  # the settings row exists before any session answers
    add_to_reviews(db.session, student.id, question_ids=[bank.questions[0].id], now=T0)
    db.session.commit()
    card = cards_of(student.id)[0]
    db.session.close()
    return card


@contextmanager
def two_sessions():
    s1, s2 = Session(db.engine), Session(db.engine)
    try:
        yield s1, s2
    finally:
        s1.rollback()
        s2.rollback()
        s1.close()
        s2.close()


def logs() -> list[ReviewLog]:
    db.session.rollback()
    return db.session.scalars(select(ReviewLog)).all()


def test_the_same_answer_twice_applies_once(student, card):
    version = card.version
    first = answer_card(db.session, student.id, card.id, Good, T0, expected_version=version)
    db.session.commit()
    applied = {name: getattr(first.card, name) for name in ("state", "step", "due", "version")}
    with pytest.raises(StaleAnswer):
        answer_card(db.session, student.id, card.id, Good, T0, expected_version=version)
    db.session.rollback()
    # Even a different button on the stale page changes nothing.
    with pytest.raises(StaleAnswer):
        answer_card(db.session, student.id, card.id, Easy, T0, expected_version=version)
    db.session.rollback()
    assert log_count() == 1
    stored = reload(card)
    assert {name: getattr(stored, name) for name in applied} == applied
    assert stored.reps == 1 and stored.version == version + 1


def test_an_answer_after_a_suspend_is_refused_and_writes_nothing(student, card):
    shown = card.version
    suspend_card(db.session, student.id, card.id, T0)
    db.session.commit()
    stored = reload(card)
    before = (stored.version, stored.state, stored.due, stored.reps)
    with pytest.raises(CardSuspended, match="suspended"):
        answer_card(db.session, student.id, card.id, Good, T0, expected_version=shown)
    db.session.rollback()
    assert log_count() == 0
    stored = reload(card)
    assert (stored.version, stored.state, stored.due, stored.reps) == before


def test_an_answer_for_a_card_suspended_at_the_version_shown_is_refused(student, card):
    # Suspended elsewhere (a leech, another tab) while this tab still names the new version.
    stored = reload(card)
    stored.suspended = True
    db.session.commit()
    with pytest.raises(CardSuspended):
        answer_card(db.session, student.id, card.id, Good, T0, expected_version=stored.version)
    db.session.rollback()
    assert log_count() == 0


def test_two_sessions_answer_the_same_version(student, card):
    with two_sessions() as (s1, s2):
        c1, c2 = s1.get(ReviewCard, card.id), s2.get(ReviewCard, card.id)
        version = c1.version
        assert c2.version == version
        answer_card(s1, student.id, card.id, Good, T0, expected_version=version)
        s1.commit()
        # s2 still holds the card at the old version, and its answer names that version.
        assert c2.version == version
        with pytest.raises(StaleAnswer):
            answer_card(s2, student.id, card.id, Easy, T0, expected_version=version)
        s2.rollback()
    stored_logs = logs()
    assert len(stored_logs) == 1 and stored_logs[0].rating == Good.value
    stored = reload(card)
    assert stored.reps == 1 and stored.version == version + 1
    assert stored.state == fsrs.State.Learning.value and stored.step == 1


def test_a_session_that_read_the_new_version_can_answer(student, card):
    with two_sessions() as (s1, s2):
        version = s1.get(ReviewCard, card.id).version
        answer_card(s1, student.id, card.id, Good, T0, expected_version=version)
        s1.commit()
        fresh = s2.get(ReviewCard, card.id)
        assert fresh.version == version + 1
        answer_card(s2, student.id, card.id, Good, fresh.due, expected_version=fresh.version)
        s2.commit()
    assert len(logs()) == 2
    assert reload(card).reps == 2


def postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")


def wait_for_lock_wait(engine, table: str, timeout: float = 10.0) -> bool:
    """True once some connection to this database waits for a lock on a query of `table`."""
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.scalar(
                text(
                    "select count(*) from pg_stat_activity "
                    "where datname = current_database() and wait_event_type = 'Lock' "
                    "and query ilike :pattern"
                ),
                {"pattern": f"%{table}%"},
            )
            connection.rollback()
            if waiting:
                return True
            time.sleep(0.02)
    return False


def in_thread(target):
    """Run `target` in a thread; the exception it raised, or None, once joined."""
    outcome: dict[str, BaseException | None] = {"error": None}

    def run():
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_concurrent_answers_apply_once_on_postgresql(student, card):
    postgresql_only()
    engine = db.engine
    with two_sessions() as (s1, s2):
        version = s1.get(ReviewCard, card.id).version
        assert s2.get(ReviewCard, card.id).version == version
        answer_card(s1, student.id, card.id, Good, T0, expected_version=version)
        # s1 holds the row, uncommitted; s2 answers the same version meanwhile.
        thread, outcome = in_thread(
            lambda: answer_card(s2, student.id, card.id, Easy, T0, expected_version=version)
        )
        try:
            # s2's answer waits for s1's transaction.
            assert wait_for_lock_wait(engine, "review_cards")
            assert thread.is_alive()
        finally:
            s1.commit()
            thread.join(timeout=10)
        assert not thread.is_alive()
        assert isinstance(outcome["error"], StaleAnswer)
        s2.rollback()
    stored_logs = logs()
    assert len(stored_logs) == 1 and stored_logs[0].rating == Good.value
    stored = reload(card)
    assert stored.reps == 1 and stored.version == version + 1


def test_concurrent_undos_undo_once_on_postgresql(student, card):
    postgresql_only()
    engine = db.engine
    answer(student.id, reload(card), Good, T0)
    after_first = {name: getattr(reload(card), name) for name in ("state", "step", "due", "reps")}
    answer(student.id, reload(card), Good, reload(card).due)
    db.session.close()
    with two_sessions() as (s1, s2):
        undo_last_answer(s1, student.id)
        thread, outcome = in_thread(lambda: undo_last_answer(s2, student.id))
        try:
            # s2's undo waits for s1's transaction on the card it claims.
            assert wait_for_lock_wait(engine, "review_cards")
        finally:
            s1.commit()
            thread.join(timeout=10)
        assert not thread.is_alive()
        # The card moved on under s2: its undo is stale and changes nothing.
        assert isinstance(outcome["error"], StaleAnswer | NothingToUndo)
        s2.rollback()
    assert len(logs()) == 1
    stored = reload(card)
    assert {name: getattr(stored, name) for name in after_first} == after_first


def test_an_undo_racing_an_answer_keeps_cards_and_logs_consistent_on_postgresql(student, card):
    """An answer in one tab while Undo is pressed in another: never half of each.

    The undo reads the card and its latest log before the answer commits, then writes
    the old snapshot over the answered card. Either the undo must give way (like a stale
    answer) or the answer must: in the end every log left is an answer the card reflects.
    """
    postgresql_only()
    engine = db.engine
    answer(student.id, reload(card), Good, T0)
    db.session.close()
    with two_sessions() as (s1, s2):
        shown = s2.get(ReviewCard, card.id)
        # s2 answers the card as shown (uncommitted, holding the row) ...
        answer_card(s2, student.id, card.id, Good, shown.due, expected_version=shown.version)
        # ... while s1 undoes the first answer.
        thread, outcome = in_thread(lambda: undo_last_answer(s1, student.id))
        try:
            # The undo reaches the card row and waits for the answer's transaction.
            assert wait_for_lock_wait(engine, "review_cards")
        finally:
            s2.commit()
            thread.join(timeout=10)
        assert not thread.is_alive()
        if outcome["error"] is None:
            s1.commit()
        else:
            s1.rollback()
    stored = reload(card)
    stored_logs = logs()
    # Each remaining log is one applied answer: the card's reps count them.
    assert stored.reps == len(stored_logs), (stored.reps, [log.rating for log in stored_logs])
    if stored_logs:
        assert stored.last_review == max(log.reviewed_at for log in stored_logs)
