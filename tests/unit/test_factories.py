"""The shared builders make the rows tests expect."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionBank, ReviewCard, ReviewLog
from app.questions import validate_content
from tests.factories import (
    make_bank,
    make_card,
    make_document,
    make_log,
    make_question,
    make_topics,
    topics_of,
)
from tests.samples import SAMPLES

NOW = datetime(2025, 1, 15, 12, tzinfo=UTC)


def test_a_bank_gets_its_topics_with_missing_parents(app):
    bank = make_bank("History", topics=("Timeline/1950s", "Geography"), description="d")
    db.session.expire_all()
    stored = db.session.get(QuestionBank, bank.id)
    assert (stored.title, stored.description, stored.owner_id) == ("History", "d", None)
    topics = topics_of(stored)
    assert sorted(topics) == ["Geography", "Timeline", "Timeline/1950s"]
    assert topics["Timeline/1950s"].parent_id == topics["Timeline"].id
    assert topics["Timeline/1950s"].name == "1950s"
    assert topics["Timeline"].parent_id is None and topics["Geography"].parent_id is None


def test_make_topics_reuses_existing_topics(app):
    bank = make_bank(topics=("A",))
    first = topics_of(bank)["A"]
    topics = make_topics(bank, "A", "A/B")
    assert topics["A"].id == first.id and topics["A/B"].parent_id == first.id
    assert len(topics_of(bank)) == 2


def test_questions_get_sample_content_unique_ids_and_a_topic_by_path(app):
    bank = make_bank()
    questions = [make_question(bank, kind, topic="Cells") for kind in SAMPLES]
    db.session.expire_all()
    stored = list(db.session.scalars(select(Question).order_by(Question.id)))
    assert [q.kind for q in stored] == list(SAMPLES)
    assert [q.external_id for q in stored] == [f"q{n}" for n in range(1, len(SAMPLES) + 1)]
    assert {q.topic.path for q in stored} == {"Cells"}
    for question in stored:
        assert question.content == SAMPLES[question.kind]
        validate_content(question.kind, question.content)
    questions[0].content["prompt"] = "changed in place"
    assert SAMPLES[questions[0].kind]["prompt"] != "changed in place"


def test_a_question_takes_given_content_and_fields(app):
    bank = make_bank()
    document = make_document()
    question = make_question(
        bank,
        "true_false",
        content={"prompt": "?", "answer": True},
        external_id="tf",
        difficulty=3,
        source_document_id=document.id,
        source_section="background",
    )
    db.session.expire_all()
    stored = db.session.get(Question, question.id)
    assert stored.content == {"prompt": "?", "answer": True}
    assert (stored.external_id, stored.difficulty) == ("tf", 3)
    assert stored.source_document.slug == "thaw-notes"
    assert [s["slug"] for s in stored.source_document.sections] == ["background", "secret-speech"]


def test_cards_and_logs(app, student):
    question = make_question(make_bank())
    new = make_card(student.id, question, due=NOW)
    db.session.expire_all()
    new = db.session.get(ReviewCard, new.id)
    assert (new.user_id, new.question_id, new.due) == (student.id, question.id, NOW)
    assert (new.state, new.reps, new.version, new.suspended) == (1, 0, 1, False)
    make_log(new, NOW, rating=1)
    log = db.session.scalars(select(ReviewLog)).one()
    assert (log.card_id, log.user_id, log.question_id) == (new.id, student.id, question.id)
    assert (log.rating, log.reviewed_at, log.state_before, log.card_before) == (1, NOW, 2, {})


def test_commit_false_leaves_the_transaction_open(app):
    bank = make_bank(commit=False)
    make_question(bank, commit=False)
    assert bank.id is not None
    db.session.rollback()
    assert db.session.scalars(select(QuestionBank)).all() == []
    kept = make_bank()
    db.session.rollback()
    assert db.session.get(QuestionBank, kept.id) is not None
