"""The study queue over simulated days: adding cards, limits, steps, order, set-aside cards."""

from __future__ import annotations

from datetime import timedelta

import fsrs
import pytest

from app.extensions import db
from app.scheduling import (
    CardNotFound,
    add_to_reviews,
    answer_card,
    bury_card,
    get_settings,
    next_card,
    next_due_at,
    queue_counts,
    scheduler_for,
    suspend_card,
    to_fsrs_card,
    unsuspend_card,
)

from .helpers import (
    T0,
    answer,
    cards_of,
    make_bank,
    reload,
    review_card,
    set_settings,
)

Again, Hard, Good, Easy = fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy
DAY = timedelta(days=1)
# T0 is 09:00 UTC; a UTC student's study day runs from 04:00 to 04:00.
DAY_END = T0.replace(hour=4) + DAY


@pytest.fixture
def other_bank(app):
    return make_bank("Chemistry", topics=("Elements",), layout=(("Elements", 5),), prefix="c")


def add(user_id, **scope) -> int:
    added = add_to_reviews(db.session, user_id, now=T0, **scope)
    db.session.commit()
    return added


def drain(user_id, now, rating=Good, limit=100):
    """Answer whatever the queue offers at `now` until it offers nothing; the entries seen."""
    seen = []
    for _ in range(limit):
        entry = next_card(db.session, user_id, now)
        if entry is None:
            return seen
        seen.append(entry)
        answer(user_id, entry.card, rating, now)
    raise AssertionError("the queue never ran dry")


# Adding cards ---------------------------------------------------------------------------


def test_add_a_bank_then_again(student, bank):
    assert add(student.id, bank_id=bank.id) == 30
    cards = cards_of(student.id)
    assert [card.question_id for card in cards] == [q.id for q in bank.questions]
    assert [card.position for card in cards] == list(range(1, 31))
    for card in cards:
        assert (card.state, card.step, card.reps, card.lapses) == (1, 0, 0, 0)
        assert card.stability is None and card.difficulty is None and card.last_review is None
        assert card.due == T0 and card.added_at == T0
        assert not card.suspended and not card.leech and card.buried_until is None
    # Re-adding the bank, or a topic or questions already in it, adds nothing.
    assert add(student.id, bank_id=bank.id) == 0
    assert add(student.id, topic_id=bank.topics["Timeline"].id) == 0
    assert add(student.id, question_ids=[bank.questions[0].id]) == 0
    assert len(cards_of(student.id)) == 30


def test_a_topic_includes_its_sub_topics(student, bank, other_bank):
    assert add(student.id, topic_id=bank.topics["Timeline"].id) == 20
    in_scope = {q.id for q in bank.in_topic("Timeline") + bank.in_topic("Timeline/1950s")}
    assert {card.question_id for card in cards_of(student.id)} == in_scope
    # The sub-topic alone is already there; the rest of the bank comes after, in order.
    assert add(student.id, topic_id=bank.topics["Timeline/1950s"].id) == 0
    assert add(student.id, bank_id=bank.id) == 10
    assert add(student.id, bank_id=other_bank.id) == 5
    cards = cards_of(student.id)
    assert [card.position for card in cards] == list(range(1, 36))
    assert [card.question_id for card in cards[20:30]] == [q.id for q in bank.in_topic("Geography")]
    assert [card.question_id for card in cards[30:]] == [q.id for q in other_bank.questions]


def test_a_sub_topic_alone(student, bank):
    assert add(student.id, topic_id=bank.topics["Timeline/1950s"].id) == 10
    assert {card.question_id for card in cards_of(student.id)} == {
        q.id for q in bank.in_topic("Timeline/1950s")
    }


def test_topic_paths_are_matched_literally(student, app):
    """A topic covers "<path>/…" only: no prefix without a slash, no LIKE wildcards."""
    odd = make_bank(
        "Odd names",
        topics=("Part_1", "Part_1/a", "PartX1", "PartX1/b", "Parts", "100%", "100%/x", "1000"),
        layout=(
            ("Part_1", 1),
            ("Part_1/a", 1),
            ("PartX1", 1),
            ("PartX1/b", 1),
            ("Parts", 1),
            ("100%", 1),
            ("100%/x", 1),
            ("1000", 1),
        ),
    )
    assert add(student.id, topic_id=odd.topics["Part_1"].id) == 2
    assert add(student.id, topic_id=odd.topics["100%"].id) == 2
    added = {card.question_id for card in cards_of(student.id)}
    expected = odd.in_topic("Part_1") + odd.in_topic("Part_1/a")
    expected += odd.in_topic("100%") + odd.in_topic("100%/x")
    assert added == {q.id for q in expected}


def test_add_by_question_ids_and_nothing(student, bank):
    chosen = [bank.questions[5].id, bank.questions[2].id]
    assert add(student.id, question_ids=chosen) == 2
    assert add(student.id) == 0
    assert add(student.id, question_ids=[]) == 0
    assert sorted(card.question_id for card in cards_of(student.id)) == sorted(chosen)


def test_cards_are_per_student(make_user, student, bank):
    other = make_user()
    add(student.id, bank_id=bank.id)
    assert add(other.id, topic_id=bank.topics["Geography"].id) == 10
    assert [card.position for card in cards_of(other.id)] == list(range(1, 11))
    assert len(cards_of(student.id)) == 30


# Daily limits over several days ---------------------------------------------------------


def test_new_card_limit_per_study_day(student, bank):
    set_settings(student.id, new_per_day=3)
    add(student.id, bank_id=bank.id)
    counts = queue_counts(db.session, student.id, T0)
    assert (counts.new, counts.learning, counts.due, counts.exam) == (3, 0, 0, 0)

    seen = drain(student.id, T0, rating=Easy)
    assert [entry.reason for entry in seen] == ["new"] * 3
    assert [entry.card.position for entry in seen] == [1, 2, 3]
    assert next_card(db.session, student.id, T0 + timedelta(hours=18)) is None
    counts = queue_counts(db.session, student.id, T0)
    assert (counts.new, counts.new_done_today, counts.reviews_done_today) == (0, 3, 0)
    # New cards wait for the next study day: that is when something is next available.
    assert next_due_at(db.session, student.id, T0) == DAY_END

    # 03:59 the next morning still belongs to the same study day; 04:00 starts another.
    assert next_card(db.session, student.id, DAY_END - timedelta(minutes=1)) is None
    entry = next_card(db.session, student.id, DAY_END)
    assert (entry.reason, entry.card.position) == ("new", 4)
    assert queue_counts(db.session, student.id, DAY_END).new == 3
    seen = drain(student.id, DAY_END, rating=Easy)
    assert [entry.card.position for entry in seen] == [4, 5, 6]


def test_zero_new_cards_per_day(student, bank):
    set_settings(student.id, new_per_day=0)
    add(student.id, bank_id=bank.id)
    assert next_card(db.session, student.id, T0) is None
    assert queue_counts(db.session, student.id, T0).total == 0


def test_review_limit_per_study_day(student, bank):
    set_settings(student.id, new_per_day=0, max_reviews_per_day=2)
    for n, question in enumerate(bank.questions[:5]):
        review_card(
            student.id,
            question,
            stability=3 + n,
            last_review=T0 - timedelta(days=10),
            due=T0 - timedelta(hours=1),
        )
    counts = queue_counts(db.session, student.id, T0)
    assert (counts.due, counts.new) == (2, 0)
    seen = drain(student.id, T0)
    assert [entry.reason for entry in seen] == ["due", "due"]
    counts = queue_counts(db.session, student.id, T0)
    assert (counts.due, counts.reviews_done_today) == (0, 2)
    assert next_card(db.session, student.id, T0 + timedelta(hours=12)) is None
    assert next_due_at(db.session, student.id, T0) == DAY_END
    # The next study day: the three left over.
    assert queue_counts(db.session, student.id, DAY_END).due == 2
    assert len(drain(student.id, DAY_END)) == 2
    assert len(drain(student.id, DAY_END + DAY)) == 1


# Learning steps -------------------------------------------------------------------------


def test_learning_steps_then_graduation(student, bank):
    set_settings(student.id, new_per_day=1)
    add(student.id, bank_id=bank.id)
    entry = next_card(db.session, student.id, T0)
    assert entry.reason == "new"
    card = answer(student.id, entry.card, Again, T0).card
    assert (card.state, card.step, card.due) == (1, 0, T0 + timedelta(minutes=1))
    # Nothing else left: the step due within the learn-ahead limit is shown early.
    early = next_card(db.session, student.id, T0 + timedelta(seconds=59))
    assert (early.reason, early.card.id) == ("learning", card.id)
    assert queue_counts(db.session, student.id, T0 + timedelta(seconds=59)).learning == 1

    at = T0 + timedelta(minutes=1)
    assert queue_counts(db.session, student.id, at).learning == 1
    entry = next_card(db.session, student.id, at)
    assert (entry.reason, entry.card.id) == ("learning", card.id)
    card = answer(student.id, entry.card, Good, at).card
    assert (card.state, card.step, card.due) == (1, 1, at + timedelta(minutes=10))
    assert next_card(db.session, student.id, at + timedelta(minutes=9)).card.id == card.id

    at = at + timedelta(minutes=10)
    entry = next_card(db.session, student.id, at)
    assert entry.reason == "learning"
    card = answer(student.id, entry.card, Good, at).card
    assert card.state == fsrs.State.Review.value and card.step is None
    assert card.due - at >= DAY
    assert next_card(db.session, student.id, at) is None
    # As in Anki's v3 scheduler, learning steps spend neither limit: one new card, and
    # no review done.
    counts = queue_counts(db.session, student.id, at)
    assert (counts.new_done_today, counts.reviews_done_today) == (1, 0)


def test_a_lapse_goes_through_the_relearning_step(student, bank):
    card = review_card(
        student.id, bank.questions[0], stability=5, last_review=T0 - timedelta(days=5), due=T0
    )
    set_settings(student.id, new_per_day=0)
    outcome = answer(student.id, card, Again, T0)
    assert (outcome.card.state, outcome.card.step) == (fsrs.State.Relearning.value, 0)
    assert outcome.card.due == T0 + timedelta(minutes=10)
    assert outcome.card.lapses == 1 and not outcome.leech_now
    at = T0 + timedelta(minutes=10)
    entry = next_card(db.session, student.id, at)
    assert (entry.reason, entry.card.id) == ("learning", card.id)
    card = answer(student.id, entry.card, Good, at).card
    assert card.state == fsrs.State.Review.value and card.due - at >= DAY


# Queue order ----------------------------------------------------------------------------


def test_queue_order_learning_then_due_by_retrievability_then_new(student, bank):
    set_settings(student.id, new_per_day=3)
    questions = bank.questions
    add(student.id, question_ids=[q.id for q in questions[:4]])
    # Due reviews of different stabilities and ages: their retrievability differs.
    reviews = [
        review_card(
            student.id,
            question,
            stability=stability,
            last_review=T0 - timedelta(days=days),
            due=T0 - timedelta(hours=1),
            position=100 + n,
        )
        for n, (question, stability, days) in enumerate(
            [(questions[10], 20, 12), (questions[11], 2, 9), (questions[12], 8, 30)]
        )
    ]
    # The first new card answered Again is in learning, due in a minute.
    first_new = cards_of(student.id)[0]
    answer(student.id, first_new, Again, T0)
    at = T0 + timedelta(minutes=2)

    scheduler = scheduler_for(get_settings(db.session, student.id))
    expected = sorted(
        reviews, key=lambda card: scheduler.get_card_retrievability(to_fsrs_card(card), at)
    )
    assert [card.id for card in expected] != [card.id for card in reviews]

    counts = queue_counts(db.session, student.id, at)
    assert (counts.learning, counts.due, counts.new) == (1, 3, 2)
    order = []
    for _ in range(6):
        entry = next_card(db.session, student.id, at)
        order.append((entry.reason, entry.card.id))
        if entry.reason == "due":
            assert entry.retrievability == pytest.approx(
                scheduler.get_card_retrievability(to_fsrs_card(entry.card), at)
            )
        answer(student.id, entry.card, Easy, at)
    new_ids = [card.id for card in cards_of(student.id)[1:3]]
    assert order == [
        ("learning", first_new.id),
        *[("due", card.id) for card in expected],
        *[("new", card_id) for card_id in new_ids],
    ]
    assert next_card(db.session, student.id, at) is None


def test_new_cards_follow_position_not_id(student, bank):
    add(student.id, question_ids=[q.id for q in bank.questions[:3]])
    cards = cards_of(student.id)
    cards[0].position, cards[2].position = 3, 1
    db.session.commit()
    entry = next_card(db.session, student.id, T0)
    assert entry.card.id == cards[2].id


# Burying and suspending -----------------------------------------------------------------


def test_bury_hides_until_the_next_study_day(student, bank):
    set_settings(student.id, new_per_day=5)
    add(student.id, question_ids=[bank.questions[0].id])
    card = cards_of(student.id)[0]
    version = card.version
    buried = bury_card(db.session, student.id, card.id, T0)
    db.session.commit()
    assert buried.buried_until == DAY_END
    assert reload(card).version == version + 1
    assert next_card(db.session, student.id, T0) is None
    assert queue_counts(db.session, student.id, T0).new == 0
    assert next_card(db.session, student.id, DAY_END - timedelta(seconds=1)) is None
    assert next_due_at(db.session, student.id, T0) == DAY_END
    entry = next_card(db.session, student.id, DAY_END)
    assert entry.card.id == card.id
    # Answering clears the burial.
    assert answer(student.id, entry.card, Good, DAY_END).card.buried_until is None


def test_a_buried_learning_card_is_next_due_when_the_burial_ends(student, bank):
    set_settings(student.id, new_per_day=1)
    add(student.id, question_ids=[bank.questions[0].id])
    card = answer(student.id, cards_of(student.id)[0], Good, T0).card
    assert card.due == T0 + timedelta(minutes=10)
    bury_card(db.session, student.id, card.id, T0)
    db.session.commit()
    # Due in 10 minutes, but buried until tomorrow: that is when it comes back.
    assert next_due_at(db.session, student.id, T0) == DAY_END
    assert next_card(db.session, student.id, T0 + timedelta(minutes=11)) is None
    entry = next_card(db.session, student.id, DAY_END)
    assert (entry.reason, entry.card.id) == ("learning", card.id)


def test_suspend_and_unsuspend(student, bank):
    add(student.id, question_ids=[bank.questions[0].id, bank.questions[1].id])
    first, second = cards_of(student.id)
    suspend_card(db.session, student.id, first.id, T0)
    db.session.commit()
    assert reload(first).suspended and reload(first).version == 2
    assert next_card(db.session, student.id, T0).card.id == second.id
    assert queue_counts(db.session, student.id, T0).new == 1
    unsuspend_card(db.session, student.id, first.id, T0)
    db.session.commit()
    first = reload(first)
    assert not first.suspended and first.version == 3
    assert next_card(db.session, student.id, T0).card.id == first.id
    assert queue_counts(db.session, student.id, T0).new == 2


def test_a_suspended_card_is_never_next_due(student, bank):
    set_settings(student.id, new_per_day=1)
    add(student.id, question_ids=[bank.questions[0].id])
    card = answer(student.id, cards_of(student.id)[0], Good, T0).card
    suspend_card(db.session, student.id, card.id, T0)
    db.session.commit()
    assert next_due_at(db.session, student.id, T0) is None
    assert next_card(db.session, student.id, T0 + DAY) is None


# When next ------------------------------------------------------------------------------


def test_next_due_at_is_the_earliest_upcoming(student, bank):
    assert next_due_at(db.session, student.id, T0) is None
    set_settings(student.id, new_per_day=2)
    add(student.id, question_ids=[q.id for q in bank.questions[:2]])
    first, second = cards_of(student.id)
    answer(student.id, first, Good, T0)  # due in 10m
    answer(student.id, second, Again, T0 + timedelta(minutes=3))  # due in 1m, at T0+4m
    assert next_due_at(db.session, student.id, T0 + timedelta(minutes=3)) == T0 + timedelta(
        minutes=4
    )
    answer(student.id, second, Good, T0 + timedelta(minutes=4))  # due at T0+14m
    assert next_due_at(db.session, student.id, T0 + timedelta(minutes=4)) == T0 + timedelta(
        minutes=10
    )
    # A review card days away.
    answer(student.id, first, Easy, T0 + timedelta(minutes=10))
    answer(student.id, second, Easy, T0 + timedelta(minutes=14))
    upcoming = min(reload(first).due, reload(second).due)
    assert upcoming - T0 > DAY
    # A review card comes at the start of its due day (04:00 for this UTC student).
    day_start = upcoming.replace(hour=4, minute=0, second=0, microsecond=0)
    if upcoming < day_start:
        day_start -= DAY
    assert next_due_at(db.session, student.id, T0 + timedelta(minutes=14)) == day_start


# Ownership ------------------------------------------------------------------------------


def test_another_students_card_is_not_found(make_user, student, bank):
    other = make_user()
    add(other.id, question_ids=[bank.questions[0].id])
    theirs = cards_of(other.id)[0]
    with pytest.raises(CardNotFound):
        answer_card(db.session, student.id, theirs.id, Good, T0, expected_version=1)
    for action in (suspend_card, unsuspend_card, bury_card):
        with pytest.raises(CardNotFound):
            action(db.session, student.id, theirs.id, T0)
    with pytest.raises(CardNotFound):
        answer_card(db.session, student.id, 999_999, Good, T0, expected_version=1)
    db.session.rollback()
    theirs = reload(theirs)
    assert (theirs.version, theirs.reps, theirs.suspended, theirs.buried_until) == (
        1,
        0,
        False,
        None,
    )
    # Nor does the other student's card show in this student's queue.
    assert next_card(db.session, student.id, T0) is None
    assert next_card(db.session, other.id, T0).card.id == theirs.id
