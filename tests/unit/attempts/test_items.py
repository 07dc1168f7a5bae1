"""The attempts package: snapshots, answering once, finishing once, errors, and no Flask."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.attempts import (
    AttemptError,
    ItemNotFound,
    answer,
    draw,
    finish,
    item_values,
    missed_question_ids,
    presentation,
    read_response,
    review,
    score_text,
    snapshot,
    stored_result,
)
from app.attempts.practice import (
    PracticeError,
    SessionNotFound,
    answer_item,
    load_item,
    matching_question_ids,
    retry_missed,
    session_review,
    start_session,
)
from app.errors import Invalid, NotFound
from app.extensions import db
from app.models import PracticeItem, PracticeSession, Question, QuestionBank, Topic

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]
PICK_B = {
    "prompt": "Pick B",
    "options": [
        {"text": "A", "correct": False},
        {"text": "B", "correct": True},
        {"text": "C", "correct": False},
    ],
}
PICK_A = {
    "prompt": "Pick A now",
    "options": [
        {"text": "A", "correct": True},
        {"text": "B", "correct": False},
        {"text": "C", "correct": False},
    ],
}


@pytest.fixture
def bank(app):
    bank = QuestionBank(title="Bank")
    db.session.add(bank)
    db.session.flush()
    db.session.add(
        Question(
            bank_id=bank.id, kind="multiple_choice", external_id="q1", content=PICK_B, version=3
        )
    )
    db.session.commit()
    return bank


def start(bank, user_id, count=1):
    return start_session(
        db.session, user_id, bank_ids=[bank.id], count=count, now=NOW, rng=random.Random(2)
    )


def edit(question: Question, content: dict) -> None:
    question.content = content
    question.version += 1
    db.session.commit()


def test_an_item_records_the_question_version_kind_and_content(bank, make_user):
    practice = start(bank, make_user().id)
    db.session.commit()
    item = practice.items[0]
    assert item.question_version == 3
    assert item.question_kind == "multiple_choice"
    assert item.content["prompt"] == "Pick B"
    assert item.content == snapshot(item.question)["content"]


def test_an_edit_after_the_draw_changes_neither_the_grade_nor_the_feedback(bank, make_user):
    student = make_user()
    practice = start(bank, student.id)
    db.session.commit()
    item = practice.items[0]
    edit(item.question, PICK_A)
    # Shown and graded as drawn: B is still the right answer for this item.
    assert presentation(item).prompt_html.count("Pick B") == 1
    choice_b = next(c for c in presentation(item).options if "B" in c.html)
    response = read_response(item, {"choice": str(choice_b.index)})
    outcome = answer_item(db.session, student.id, practice.id, 1, response, NOW)
    db.session.commit()
    assert outcome.result.correct and item.fraction == 1.0
    assert practice.score == 1.0
    assert item.question_version == 3 and item.question.version == 4
    again = stored_result(item)
    assert again.correct and again.answer_text == "B"
    [reviewed] = session_review(db.session, student.id, practice.id)
    assert reviewed.your_answer == "B" and reviewed.result.answer_text == "B"
    assert reviewed.kind == "multiple_choice" and "Pick B" in reviewed.presentation.prompt_html


def test_an_edit_after_the_answer_leaves_the_feedback_agreeing_with_the_score(bank, make_user):
    student = make_user()
    practice = start(bank, student.id)
    answer_item(db.session, student.id, practice.id, 1, {"choice": 0}, NOW)  # A: wrong
    db.session.commit()
    edit(practice.items[0].question, PICK_A)  # A would be right now
    db.session.expire_all()
    item = load_item(db.session, student.id, practice.id, 1)
    result = stored_result(item)
    assert item.fraction == 0.0 and not result.correct
    assert result.answer_text == "B"
    assert missed_question_ids(item.session.items) == [item.question_id]


def test_a_retry_snapshots_the_question_as_it_is_then(bank, make_user):
    student = make_user()
    practice = start(bank, student.id)
    answer_item(db.session, student.id, practice.id, 1, {"choice": 0}, NOW)
    edit(practice.items[0].question, PICK_A)
    retry = retry_missed(db.session, student.id, practice.id, now=NOW)
    assert retry.items[0].question_version == 4
    assert retry.items[0].content["prompt"] == "Pick A now"
    assert practice.items[0].content["prompt"] == "Pick B"


def test_answer_counts_once_and_finish_happens_once(bank, make_user):
    student = make_user()
    practice = start(bank, student.id)
    db.session.commit()
    item = practice.items[0]
    first = answer(db.session, item, {"choice": 1}, NOW)
    second = answer(db.session, item, {"choice": 0}, NOW + timedelta(minutes=1))
    assert first.newly_answered and not second.newly_answered
    assert second.result.correct and item.response == {"choice": 1}
    assert finish(db.session, practice, 1.0, NOW)
    assert not finish(db.session, practice, 0.0, NOW + timedelta(hours=1))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(PracticeSession, practice.id)
    assert stored.score == 1.0 and stored.finished_at == NOW


def test_a_racing_second_answer_is_not_written(bank, make_user):
    """The row was answered by another request after this one loaded it."""
    student = make_user()
    practice = start(bank, student.id)
    db.session.commit()
    item = practice.items[0]
    db.session.execute(
        PracticeItem.__table__.update()
        .where(PracticeItem.id == item.id)
        .values(response={"choice": 0}, fraction=0.0, answered_at=NOW)
    )
    assert item.answered_at is None  # this request still sees it unanswered
    outcome = answer(db.session, item, {"choice": 1}, NOW + timedelta(seconds=1))
    assert not outcome.newly_answered
    assert item.fraction == 0.0 and item.response == {"choice": 0}
    assert not outcome.result.correct


def test_a_self_graded_item_needs_a_self_score(app):
    bank = QuestionBank(title="Cards")
    db.session.add(bank)
    db.session.flush()
    card = Question(
        bank_id=bank.id, kind="flashcard", external_id="c", content={"prompt": "F", "back": "B"}
    )
    db.session.add(card)
    db.session.flush()
    [values] = item_values([card], random.Random(0))
    item = PracticeItem(**values)
    with pytest.raises(AttemptError) as error:
        answer(db.session, item, {}, NOW)
    assert error.value.field == "self_score"


def test_item_values_number_items_and_freeze_each_shuffle(bank):
    question = db.session.scalar(select(Question))
    values = item_values([question, question], random.Random(5), start=4)
    assert [v["position"] for v in values] == [4, 5]
    assert all(sorted(v["presentation_order"]["options"]) == [0, 1, 2] for v in values)
    assert sorted(draw([1, 2, 3], 10, random.Random(0))) == [1, 2, 3]
    assert len(draw(list(range(20)), 5, random.Random(0))) == 5


def test_review_of_unanswered_items_and_the_score_text(bank, make_user):
    practice = start(bank, make_user().id)
    [entry] = review(practice.items)
    assert entry.your_answer == "Not answered" and entry.result is None
    assert score_text(None, 1) == "Not finished"
    assert score_text(0.75, 2) == "1.5 / 2 · 75%"


def test_errors_are_the_shared_domain_kinds():
    assert issubclass(PracticeError, Invalid) and issubclass(AttemptError, Invalid)
    assert issubclass(SessionNotFound, NotFound) and issubclass(ItemNotFound, NotFound)
    error = PracticeError("Pick a bank.", "banks")
    assert (error.message, error.field, str(error)) == ("Pick a bank.", "banks", "Pick a bank.")


def test_a_missing_item_is_not_found(bank, make_user):
    student = make_user()
    practice = start(bank, student.id)
    with pytest.raises(ItemNotFound):
        load_item(db.session, student.id, practice.id, 9)


def test_a_topic_covers_its_sub_topics_only(app):
    bank = QuestionBank(title="Topics")
    db.session.add(bank)
    db.session.flush()
    a = Topic(bank_id=bank.id, name="A", path="A")
    ab = Topic(bank_id=bank.id, name="AB", path="AB")  # a prefix, not a sub-topic
    under = Topic(bank_id=bank.id, name="x_y", path="A/x_y")
    db.session.add_all([a, ab, under])
    db.session.flush()
    for n, topic in enumerate([a, ab, under]):
        db.session.add(
            Question(
                bank_id=bank.id,
                topic_id=topic.id,
                kind="true_false",
                external_id=f"t{n}",
                content={"prompt": "T?", "answer": True},
            )
        )
    db.session.flush()
    found = matching_question_ids(db.session, topic_ids=[a.id])
    expected = db.session.scalars(
        select(Question.id).where(Question.topic_id.in_([a.id, under.id]))
    ).all()
    assert sorted(found) == sorted(expected)
    with pytest.raises(PracticeError) as error:
        matching_question_ids(db.session, topic_ids=[a.id, 9999])
    assert error.value.field == "topics"


def test_importing_attempts_loads_neither_flask_nor_a_view():
    code = (
        "import sys, app.attempts\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_wtf', 'wtforms')"
        " or m.endswith('.views')]\n"
        "print(loaded)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


def test_another_users_item_is_not_found(bank, make_user):
    practice = start(bank, make_user().id)
    with pytest.raises(SessionNotFound):
        load_item(db.session, make_user().id, practice.id, 1)
