"""Practice sessions: drawing, grading once, scoring, retrying and ownership."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.attempts import presentation
from app.attempts.practice import (
    PracticeError,
    SessionNotFound,
    add_missed_to_reviews,
    answer_item,
    load_session,
    matching_question_ids,
    retry_missed,
    score_text,
    session_history,
    session_review,
    start_session,
)
from app.extensions import db
from app.models import PracticeItem, PracticeSession, Question
from app.questions import describe_response
from tests import samples
from tests.factories import make_bank, make_question, topics_of
from tests.samples import CORRECT, SAMPLES

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# Four options with "B" right: the shuffle and the answers-in-words tests depend on them.
PICK_B = {
    "prompt": "Pick B",
    "options": [
        {"text": "A", "correct": False},
        {"text": "B", "correct": True},
        {"text": "C", "correct": False},
        {"text": "D", "correct": False},
    ],
}
CONTENT = {**SAMPLES, "multiple_choice": PICK_B}
RIGHT = {**CORRECT, "multiple_choice": {"choice": 1}}
WRONG = {**samples.WRONG, "multiple_choice": {"choice": 0}}


@pytest.fixture
def catalogue(app):
    """Two banks; bank one has topic "A" with sub-topic "A/B" and topic "C"."""
    one = make_bank("Bank one", topics=("A", "A/B", "C"), commit=False)
    two = make_bank("Bank two", commit=False)
    topics = topics_of(one)
    a, ab, c = topics["A"], topics["A/B"], topics["C"]

    def add(bank, topic, kind, n=1):
        for _ in range(n):
            make_question(bank, kind, topic=topic, content=CONTENT[kind], commit=False)

    add(one, a, "multiple_choice", 3)
    add(one, ab, "true_false", 2)
    add(one, c, "short_answer", 2)
    add(one, c, "flashcard", 2)
    add(two, None, "multiple_choice", 4)
    db.session.commit()
    return {"one": one, "two": two, "a": a, "ab": ab, "c": c}


@pytest.fixture
def student(make_user):
    return make_user()


def drawn_questions(practice: PracticeSession) -> list[Question]:
    return [item.question for item in practice.items]


def answer_all(practice: PracticeSession, right_positions: set[int]) -> None:
    for item in practice.items:
        kind = item.question.kind
        response = RIGHT[kind] if item.position in right_positions else WRONG[kind]
        answer_item(db.session, practice.user_id, practice.id, item.position, response, NOW)


def test_draw_respects_bank_types_and_count(catalogue, student):
    practice = start_session(
        db.session,
        student.id,
        bank_ids=[catalogue["one"].id],
        kinds=["multiple_choice", "true_false"],
        count=4,
        now=NOW,
        rng=random.Random(1),
    )
    questions = drawn_questions(practice)
    assert len(questions) == 4
    assert {q.bank_id for q in questions} == {catalogue["one"].id}
    assert {q.kind for q in questions} <= {"multiple_choice", "true_false"}
    assert [item.position for item in practice.items] == [1, 2, 3, 4]
    assert practice.criteria["bank_ids"] == [catalogue["one"].id]
    assert practice.criteria["kinds"] == ["multiple_choice", "true_false"]
    assert practice.criteria["count"] == 4


def test_a_topic_includes_its_sub_topics_and_scopes_add_up(catalogue, student):
    topic_a = matching_question_ids(
        db.session, topic_ids=[catalogue["a"].id], kinds=["multiple_choice", "true_false"]
    )
    assert len(topic_a) == 5  # 3 in A, 2 in A/B
    only_sub = matching_question_ids(db.session, topic_ids=[catalogue["ab"].id])
    assert len(only_sub) == 2
    # A bank and a topic of another bank: questions of either.
    both = matching_question_ids(
        db.session, bank_ids=[catalogue["two"].id], topic_ids=[catalogue["c"].id]
    )
    assert len(both) == 4 + 2  # flashcards in C are not among the default types


def test_default_types_leave_out_self_graded_ones(catalogue, student):
    practice = start_session(
        db.session, student.id, topic_ids=[catalogue["c"].id], count=10, now=NOW
    )
    assert {q.kind for q in drawn_questions(practice)} == {"short_answer"}


def test_fewer_than_asked_gives_every_match_once(catalogue, student):
    for seed in range(5):
        practice = start_session(
            db.session,
            student.id,
            bank_ids=[catalogue["two"].id],
            count=50,
            now=NOW,
            rng=random.Random(seed),
        )
        ids = [q.id for q in drawn_questions(practice)]
        assert len(ids) == len(set(ids)) == 4
        assert practice.criteria["count"] == 50 and practice.criteria["matched"] == 4


def test_questions_are_drawn_in_a_random_order(catalogue, student):
    orders = {
        tuple(
            q.id
            for q in drawn_questions(
                start_session(
                    db.session,
                    student.id,
                    bank_ids=[catalogue["two"].id],
                    count=4,
                    now=NOW,
                    rng=random.Random(seed),
                )
            )
        )
        for seed in range(10)
    }
    assert len(orders) > 1


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({}, "banks"),
        ({"bank_ids": "one", "kinds": []}, "kinds"),
        ({"bank_ids": "one", "kinds": ["poem"]}, "kinds"),
        ({"bank_ids": "one", "count": 0}, "count"),
        ({"bank_ids": "one", "count": 101}, "count"),
        ({"bank_ids": "one", "feedback": "later"}, "feedback"),
        ({"bank_ids": "two", "kinds": ["essay"]}, "banks"),
        ({"bank_ids": "missing"}, "banks"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(catalogue, student, request_, field):
    ids = {"one": [catalogue["one"].id], "two": [catalogue["two"].id], "missing": [999]}
    arguments = {**request_}
    if "bank_ids" in arguments:
        arguments["bank_ids"] = ids[arguments["bank_ids"]]
    with pytest.raises(PracticeError) as error:
        start_session(db.session, student.id, now=NOW, **arguments)
    assert error.value.field == field and error.value.message
    assert db.session.scalar(select(func.count()).select_from(PracticeSession)) == 0
    assert db.session.scalar(select(func.count()).select_from(PracticeItem)) == 0


def test_the_shuffle_is_stored_and_shown_again(catalogue, student):
    practice = start_session(
        db.session,
        student.id,
        bank_ids=[catalogue["two"].id],
        count=4,
        now=NOW,
        rng=random.Random(3),
    )
    db.session.commit()
    for item in practice.items:
        order = item.presentation_order["options"]
        assert sorted(order) == [0, 1, 2, 3]
        shown = [choice.index for choice in presentation(item).options]
        assert shown == order == [c.index for c in presentation(item).options]
    assert len({tuple(i.presentation_order["options"]) for i in practice.items}) > 1


def test_score_is_the_mean_fraction_and_self_grades_count(catalogue, student):
    practice = start_session(
        db.session,
        student.id,
        topic_ids=[catalogue["c"].id],
        kinds=["short_answer", "flashcard"],
        count=4,
        now=NOW,
    )
    scores = {}
    for item in practice.items:
        if item.question.kind == "flashcard":
            response = {"self_score": 0.5}
        else:
            response = RIGHT["short_answer"] if "sa" not in scores else WRONG["short_answer"]
            scores["sa"] = True
        outcome = answer_item(db.session, student.id, practice.id, item.position, response, NOW)
        assert outcome.newly_answered
    assert outcome.finished
    assert practice.finished_at == NOW
    # 1 + 0 + 0.5 + 0.5 out of 4.
    assert practice.score == pytest.approx(0.5)
    assert score_text(practice) == "2 / 4 · 50%"


def test_session_is_not_finished_until_every_question_is_answered(catalogue, student):
    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=3, now=NOW
    )
    for item in practice.items[:2]:
        wrong = samples.WRONG[item.question_kind]
        outcome = answer_item(db.session, student.id, practice.id, item.position, wrong, NOW)
        assert not outcome.finished
    assert practice.finished_at is None and practice.score is None
    assert score_text(practice) == "Not finished"


def test_a_second_submission_does_not_regrade(catalogue, student):
    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=1, now=NOW
    )
    first = answer_item(db.session, student.id, practice.id, 1, RIGHT["multiple_choice"], NOW)
    db.session.commit()
    later = NOW + timedelta(minutes=1)
    again = answer_item(db.session, student.id, practice.id, 1, WRONG["multiple_choice"], later)
    db.session.commit()
    assert first.newly_answered and not again.newly_answered
    item = db.session.get(PracticeItem, first.item.id)
    assert item.fraction == 1.0 and item.response == RIGHT["multiple_choice"]
    assert item.answered_at == NOW
    assert again.result.correct and practice.score == 1.0 and practice.finished_at == NOW


def test_a_self_graded_answer_needs_a_self_score(catalogue, student):
    practice = start_session(
        db.session,
        student.id,
        topic_ids=[catalogue["c"].id],
        kinds=["flashcard"],
        count=1,
        now=NOW,
    )
    with pytest.raises(PracticeError, match="Yes, Partly or No"):
        answer_item(db.session, student.id, practice.id, 1, {}, NOW)
    assert practice.items[0].answered_at is None


def test_retry_holds_exactly_the_missed_questions(catalogue, student):
    practice = start_session(
        db.session,
        student.id,
        bank_ids=[catalogue["one"].id],
        kinds=["multiple_choice", "true_false", "short_answer"],
        count=6,
        now=NOW,
    )
    answer_all(practice, right_positions={1, 3, 5})
    missed = {item.question_id for item in practice.items if item.position in {2, 4, 6}}
    later = NOW + timedelta(hours=1)
    retry = retry_missed(db.session, student.id, practice.id, now=later)
    assert retry.retry_of_id == practice.id
    assert retry.feedback == practice.feedback
    assert {q.id for q in drawn_questions(retry)} == missed
    assert len(retry.items) == 3 and retry.created_at == later
    assert retry.criteria["count"] == 3


def test_partly_right_counts_as_missed(catalogue, student):
    practice = start_session(
        db.session,
        student.id,
        topic_ids=[catalogue["c"].id],
        kinds=["flashcard"],
        count=2,
        now=NOW,
    )
    answer_item(db.session, student.id, practice.id, 1, {"self_score": 0.5}, NOW)
    answer_item(db.session, student.id, practice.id, 2, {"self_score": 1}, NOW)
    retry = retry_missed(db.session, student.id, practice.id, now=NOW)
    assert [q.id for q in drawn_questions(retry)] == [practice.items[0].question_id]


def test_retry_needs_a_finished_session_with_misses(catalogue, student):
    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=2, now=NOW
    )
    with pytest.raises(PracticeError, match="Finish"):
        retry_missed(db.session, student.id, practice.id, now=NOW)
    answer_all(practice, right_positions={1, 2})
    with pytest.raises(PracticeError, match="every question right"):
        retry_missed(db.session, student.id, practice.id, now=NOW)


def test_another_users_session_is_refused(catalogue, student, make_user):
    other = make_user()
    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=2, now=NOW
    )
    db.session.commit()
    with pytest.raises(SessionNotFound):
        load_session(db.session, other.id, practice.id)
    with pytest.raises(SessionNotFound):
        answer_item(db.session, other.id, practice.id, 1, RIGHT["multiple_choice"], NOW)
    with pytest.raises(SessionNotFound):
        session_review(db.session, other.id, practice.id)
    answer_all(practice, right_positions=set())
    with pytest.raises(SessionNotFound):
        retry_missed(db.session, other.id, practice.id, now=NOW)
    with pytest.raises(SessionNotFound):
        add_missed_to_reviews(db.session, other.id, practice.id, NOW)
    assert practice.items[0].response == WRONG["multiple_choice"]


def test_missed_questions_go_to_the_reviews_service(catalogue, student, monkeypatch):
    calls = []

    def fake_add_to_reviews(session, user_id, *, question_ids=None, now, **scope):
        calls.append((user_id, sorted(question_ids), now))
        return len(question_ids) - 1  # one was already in the student's reviews

    monkeypatch.setattr("app.attempts.practice.add_to_reviews", fake_add_to_reviews)
    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=4, now=NOW
    )
    answer_all(practice, right_positions={1})
    missed = sorted(item.question_id for item in practice.items if item.position != 1)
    assert add_missed_to_reviews(db.session, student.id, practice.id, NOW) == 2
    assert calls == [(student.id, missed, NOW)]


def test_missed_questions_become_review_cards(catalogue, student):
    from app.models import ReviewCard

    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=4, now=NOW
    )
    answer_all(practice, right_positions={1, 2})
    assert add_missed_to_reviews(db.session, student.id, practice.id, NOW) == 2
    assert add_missed_to_reviews(db.session, student.id, practice.id, NOW) == 0
    cards = db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == student.id)).all()
    assert {c.question_id for c in cards} == {i.question_id for i in practice.items[2:]}


def test_history_is_newest_first_with_a_summary(catalogue, student, make_user):
    older = start_session(
        db.session,
        student.id,
        bank_ids=[catalogue["two"].id],
        count=2,
        now=NOW,
    )
    newer = start_session(
        db.session,
        student.id,
        topic_ids=[catalogue["ab"].id],
        kinds=["true_false"],
        count=5,
        now=NOW + timedelta(days=1),
    )
    start_session(db.session, make_user().id, bank_ids=[catalogue["two"].id], now=NOW)
    answer_all(newer, right_positions={1})
    entries = session_history(db.session, student.id)
    assert [e.practice.id for e in entries] == [newer.id, older.id]
    assert (entries[0].count, entries[0].answered) == (2, 2)
    assert (entries[1].count, entries[1].answered) == (2, 0)
    assert entries[0].summary == "A › B · True/false"
    assert entries[1].summary == "Bank two · all auto-marked types"


def test_review_lists_each_answer_in_words(catalogue, student):
    practice = start_session(
        db.session, student.id, bank_ids=[catalogue["two"].id], count=2, now=NOW
    )
    answer_all(practice, right_positions={1})
    reviewed = session_review(db.session, student.id, practice.id)
    assert [r.your_answer for r in reviewed] == ["B", "A"]
    assert [r.result.correct for r in reviewed] == [True, False]
    assert all(r.result.answer_text == "B" for r in reviewed)


@pytest.mark.parametrize(
    ("kind", "content", "response", "summary"),
    [
        ("true_false", CONTENT["true_false"], {"answer": False}, "False"),
        ("short_answer", CONTENT["short_answer"], {}, "No answer"),
        ("flashcard", CONTENT["flashcard"], {"self_score": 0.5}, "You said: Partly"),
        (
            "multiple_response",
            {
                "prompt": "Pick",
                "options": [{"text": "*X*", "correct": True}, {"text": "Y", "correct": True}],
            },
            {"choices": [0, 1]},
            "X; Y",
        ),
        (
            "matching",
            {
                "prompt": "Match",
                "pairs": [{"left": "1", "right": "one"}, {"left": "2", "right": "two"}],
            },
            {"pairs": {"0": 1}},
            "1 → two; 2 → (none)",
        ),
        (
            "ordering",
            {"prompt": "Order", "items": ["a", "b", "c"]},
            {"order": [2, 0, 1]},
            "c → a → b",
        ),
        (
            "cloze",
            {
                "prompt": "Fill",
                "text": "{{1}} and {{2}}",
                "gaps": [{"answers": ["x"]}, {"options": ["p", "q"], "correct": 1}],
            },
            {"gaps": ["x", "0"]},
            "x / p",
        ),
    ],
)
def test_answer_summary(kind, content, response, summary):
    assert describe_response(kind, content, response) == summary
