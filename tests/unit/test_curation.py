"""Decks, copies, and archiving: archived questions leave draws and new study, not history."""

from __future__ import annotations

import random
from datetime import timedelta

import fsrs
import pytest
from sqlalchemy import select

from app.access import editable_banks, may_edit_bank, may_view_bank, visible_banks
from app.attempts.practice import PracticeError, matching_question_ids, retry_missed
from app.attempts.practice import start_session as start_practice
from app.curation import copy_question, create_deck, remove_bank, remove_question
from app.errors import Invalid
from app.extensions import db
from app.formats.registry import find_bank
from app.models import PracticeSession, Question, Role
from app.scheduling import add_to_reviews, answer_card, next_card, next_due_at, queue_counts
from tests.factories import CLOCK_START, make_bank, make_question

NOW = CLOCK_START


@pytest.fixture
def people(make_user):
    return {
        "owner": make_user(Role.STUDENT),
        "student": make_user(Role.STUDENT),
        "teacher": make_user(Role.TEACHER),
        "admin": make_user(Role.ADMIN),
    }


def test_a_deck_is_seen_and_edited_by_its_owner_alone(people):
    deck = create_deck(db.session, people["owner"].id, "Verbs", "", NOW)
    seeded = make_bank("Seeded")
    db.session.commit()
    for name, user in people.items():
        mine = name == "owner"
        assert may_view_bank(user, deck) is mine, name
        assert may_edit_bank(user, deck) is mine, name
        assert (deck in visible_banks(db.session, user)) is mine, name
        assert seeded in visible_banks(db.session, user), name
    assert editable_banks(db.session, people["owner"]) == [deck]
    assert editable_banks(db.session, people["admin"]) == [seeded]
    # A teacher's own deck is theirs too, and still no other teacher's.
    teachers_deck = create_deck(db.session, people["teacher"].id, "Mine", "", NOW)
    assert may_edit_bank(people["teacher"], teachers_deck)
    assert not may_view_bank(people["admin"], teachers_deck)
    # The import command never picks a student's deck by its title.
    assert find_bank(db.session, "Verbs") is None
    assert find_bank(db.session, "Seeded") == seeded


@pytest.mark.parametrize(("title", "field"), [("", "title"), ("x" * 201, "title")])
def test_a_deck_needs_a_short_title(people, title, field):
    with pytest.raises(Invalid) as refused:
        create_deck(db.session, people["owner"].id, title, "", NOW)
    assert refused.value.field == field


def test_a_copy_is_a_new_question_with_the_same_content(people):
    seeded = make_bank("Seeded")
    original = make_question(seeded, "cloze", topic="A/B", explanation="Why.", difficulty=3)
    deck = create_deck(db.session, people["owner"].id, "Mine", "", NOW)
    copy = copy_question(db.session, original, deck, NOW)
    again = copy_question(db.session, original, deck, NOW)
    assert copy.id != original.id and copy.bank_id == deck.id
    assert len({original.external_id, copy.external_id, again.external_id}) == 3
    assert (copy.kind, copy.content, copy.explanation, copy.difficulty) == (
        "cloze",
        original.content,
        "Why.",
        3,
    )
    assert copy.topic.path == "A/B" and copy.topic.bank_id == deck.id
    assert copy.copied_from_id == original.id
    copy.content["prompt"] = "Changed"
    assert original.content["prompt"] != "Changed"


def test_removing_without_history_deletes_and_with_history_archives(people):
    bank = make_bank("Bank")
    plain, studied = make_question(bank, "flashcard"), make_question(bank, "flashcard")
    add_to_reviews(db.session, people["student"].id, question_ids=[studied.id], now=NOW)
    assert remove_question(db.session, plain, NOW).action == "delete"
    assert db.session.get(Question, plain.id) is None
    removal = remove_question(db.session, studied, NOW)
    assert (removal.action, removal.review_cards) == ("archive", 1)
    assert studied.archived_at == NOW
    with pytest.raises(Invalid):
        remove_question(db.session, studied, NOW)
    assert remove_bank(db.session, bank, NOW).action == "archive" and bank.archived_at == NOW
    assert bank not in visible_banks(db.session, people["student"])
    assert not may_edit_bank(people["admin"], bank)


def test_archived_questions_leave_draws_and_additions(people):
    bank = make_bank("Bank")
    kept, archived = make_question(bank, "true_false"), make_question(bank, "true_false")
    archived.archived_at = NOW
    db.session.flush()
    assert matching_question_ids(db.session, bank_ids=[bank.id], kinds=["true_false"]) == [kept.id]
    added = add_to_reviews(db.session, people["student"].id, bank_id=bank.id, now=NOW)
    assert added == 1


def test_a_retry_leaves_out_missed_questions_archived_since(people):
    from app.attempts.practice import answer_item

    bank = make_bank("Bank")
    question = make_question(bank, "true_false")
    user_id = people["student"].id
    practice = start_practice(
        db.session, user_id, bank_ids=[bank.id], kinds=["true_false"], now=NOW
    )
    answer_item(db.session, user_id, practice.id, 1, {"answer": "true"}, NOW)
    remove_question(db.session, question, NOW)
    with pytest.raises(PracticeError, match="removed"):
        retry_missed(db.session, user_id, practice.id, now=NOW, rng=random.Random(1))
    assert len(db.session.scalars(select(PracticeSession)).all()) == 1


def test_studied_cards_of_archived_questions_keep_coming_new_ones_do_not(people):
    bank = make_bank("Bank")
    studied, unseen = make_question(bank, "flashcard"), make_question(bank, "flashcard")
    user_id = people["student"].id
    add_to_reviews(db.session, user_id, bank_id=bank.id, now=NOW)
    first = next_card(db.session, user_id, NOW)
    assert first.card.question_id == studied.id
    answer_card(
        db.session,
        user_id,
        first.card.id,
        fsrs.Rating.Good,
        NOW,
        expected_version=first.card.version,
    )
    for question in (studied, unseen):
        remove_question(db.session, question, NOW)
    assert studied.archived_at is not None and unseen.archived_at is not None
    counts = queue_counts(db.session, user_id, NOW)
    assert counts.new == 0
    later = NOW + timedelta(minutes=30)
    entry = next_card(db.session, user_id, later)
    assert entry is not None and entry.card.question_id == studied.id
    assert next_due_at(db.session, user_id, NOW) == first.card.due
