"""Practice sessions through the browser's eyes: start, answer, score, retry, reviews."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import PracticeItem, PracticeSession, Question, QuestionBank, Topic
from app.questions import validate_content
from app.seeding import load_seed_data

OBJECTIVE = ["multiple_choice", "true_false", "short_answer", "numerical"]
ITEM_URL = re.compile(r"/practice/(\d+)/(\d+)$")


@pytest.fixture
def seeded(app):
    load_seed_data(db.session, Path(app.config["SEED_DATA_DIR"]))
    db.session.commit()


@pytest.fixture
def bank(seeded) -> QuestionBank:
    return db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "article"))


def sessions() -> list[PracticeSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(PracticeSession).order_by(PracticeSession.id)))


def start(client, **fields):
    data = {"kinds": OBJECTIVE, "count": "10", "feedback": "now", **fields}
    return client.post("/practice/", data=data)


def started(response) -> tuple[int, int]:
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id, position = ITEM_URL.search(response.headers["Location"]).groups()
    return int(session_id), int(position)


def right_answer(question: Question) -> dict:
    content = validate_content(question.kind, question.content)
    if question.kind == "multiple_choice":
        return {"choice": str(next(i for i, o in enumerate(content["options"]) if o["correct"]))}
    if question.kind == "true_false":
        return {"answer": "true" if content["answer"] else "false"}
    if question.kind == "short_answer":
        return {"text": next(a["text"] for a in content["answers"] if a["credit"] >= 1)}
    if question.kind == "numerical":
        answer = next(a for a in content["answers"] if a["credit"] >= 1)
        return {"value": str(answer["value"] if "value" in answer else answer["min"])}
    if question.kind in ("flashcard", "essay"):
        return {"text": "My essay", "self_score": "1"}
    raise AssertionError(question.kind)


def wrong_answer(question: Question) -> dict:
    content = validate_content(question.kind, question.content)
    if question.kind == "multiple_choice":
        return {
            "choice": str(next(i for i, o in enumerate(content["options"]) if not o["correct"]))
        }
    if question.kind == "true_false":
        return {"answer": "false" if content["answer"] else "true"}
    if question.kind == "short_answer":
        return {"text": "zzz not an answer"}
    if question.kind == "numerical":
        return {"value": "-987654321"}
    if question.kind in ("flashcard", "essay"):
        return {"self_score": "0"}
    raise AssertionError(question.kind)


def test_student_practises_a_bank_retries_and_sends_misses_to_reviews(bank, student_client):
    page = student_client.get("/practice/").get_data(as_text=True)
    assert bank.title in page and 'name="banks"' in page and "autofocus" in page
    # Self-graded types are offered but not ticked.
    assert re.search(r'id="kinds-essay" value="essay">', page)
    assert re.search(r'id="kinds-true_false" value="true_false" checked>', page)

    session_id, position = started(start(student_client, banks=[str(bank.id)], count="6"))
    assert position == 1
    practice = db.session.get(PracticeSession, session_id)
    assert practice.criteria["bank_ids"] == [bank.id] and practice.feedback == "now"
    assert len(practice.items) == 6
    assert {item.question.bank_id for item in practice.items} == {bank.id}
    assert {item.question.kind for item in practice.items} <= set(OBJECTIVE)

    right_positions = {1, 3, 5}
    for item in practice.items:
        url = f"/practice/{session_id}/{item.position}"
        page = student_client.get(url).get_data(as_text=True)
        assert f"Question {item.position} of 6" in page
        assert f'<progress class="w-100 mb-3" max="6" value="{item.position - 1}"' in page
        answer = right_answer if item.position in right_positions else wrong_answer
        response = student_client.post(url, data=answer(item.question))
        assert response.status_code == 302 and response.headers["Location"].endswith(url)
        page = student_client.get(url).get_data(as_text=True)
        assert ("Correct" if item.position in right_positions else "Not right") in page
        if item.question.explanation:
            assert "Explanation" in page
        assert "Read the passage in context" in page
        assert ("See your score" if item.position == 6 else ">Next<") in page

    db.session.expire_all()
    assert practice.finished_at is not None and practice.score == pytest.approx(0.5)
    assert [i.fraction for i in practice.items] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    results = student_client.get(f"/practice/{session_id}/results").get_data(as_text=True)
    assert "3 / 6 · 50%" in results
    assert results.count("Your answer") == 6 and "Correct answer" in results
    assert "Retry the missed ones (3)" in results
    assert "Add missed questions to my reviews" in results

    missed = {item.question_id for item in practice.items if item.position not in right_positions}
    response = student_client.post(f"/practice/{session_id}/retry")
    retry_id, position = started(response)
    retry = db.session.get(PracticeSession, retry_id)
    assert retry.retry_of_id == session_id and retry.feedback == "now"
    assert {item.question_id for item in retry.items} == missed and len(retry.items) == 3


def finished_session(client, bank, right_positions: set[int], count: int = 4) -> PracticeSession:
    session_id, _ = started(start(client, banks=[str(bank.id)], count=str(count)))
    practice = db.session.get(PracticeSession, session_id)
    for item in practice.items:
        answer = right_answer if item.position in right_positions else wrong_answer
        client.post(f"/practice/{session_id}/{item.position}", data=answer(item.question))
    db.session.expire_all()
    assert practice.finished_at is not None
    return practice


def test_missed_questions_are_added_to_reviews(bank, student_client):
    from app.models import ReviewCard

    practice = finished_session(student_client, bank, right_positions={1})
    missed = {item.question_id for item in practice.items[1:]}
    url = f"/practice/{practice.id}/reviews"
    page = student_client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Added 3 questions to your reviews." in page
    cards = db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == practice.user_id))
    assert {card.question_id for card in cards} == missed
    again = student_client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "already in your reviews" in again


def test_feedback_at_the_end_and_self_graded_questions(bank, student_client):
    topic = db.session.scalar(select(Topic).where(Topic.bank_id == bank.id).order_by(Topic.path))
    response = start(
        student_client,
        topics=[str(topic.id)],
        kinds=["true_false", "flashcard", "essay"],
        feedback="end",
        count="100",
    )
    session_id, _ = started(response)
    practice = db.session.get(PracticeSession, session_id)
    expected = db.session.scalar(
        select(func.count())
        .select_from(Question)
        .where(
            Question.topic_id == topic.id,
            Question.kind.in_(["true_false", "flashcard", "essay"]),
        )
    )
    assert len(practice.items) == expected < 100
    assert f"Only {expected} question" in student_client.get("/practice/").get_data(True)

    for item in practice.items:
        url = f"/practice/{session_id}/{item.position}"
        question = item.question
        if question.kind in ("flashcard", "essay"):
            first = {"text": "My essay"} if question.kind == "essay" else {}
            page = student_client.post(url, data=first).get_data(as_text=True)
            assert "Did you get it right?" in page
            assert all(f">{label}</button>" in page for label in ("Yes", "Partly", "No"))
            if question.kind == "essay":
                assert 'name="text" value="My essay"' in page and "Model answer" in page
            db.session.expire_all()
            assert item.answered_at is None  # showing the answer grades nothing
            data = {**first, "self_score": "0.5"}
        else:
            data = right_answer(question)
        response = student_client.post(url, data=data)
        following = (
            f"/practice/{session_id}/{item.position + 1}"
            if item.position < len(practice.items)
            else f"/practice/{session_id}/results"
        )
        assert response.headers["Location"].endswith(following)
        # Going back shows the saved answer read-only, not its grade, before the end.
        page = student_client.get(url).get_data(as_text=True)
        assert "data-answer-form" not in page
        if item.position < len(practice.items):
            assert "Your answer (saved)" in page
            assert "Correct" not in page and "Not right" not in page
        else:  # the last answer finished the session: its grades are out
            assert "Your answer (saved)" not in page and "See your score" in page

    db.session.expire_all()
    self_graded = [i for i in practice.items if i.question.kind in ("flashcard", "essay")]
    assert all(i.fraction == 0.5 for i in self_graded)
    essays = [i for i in self_graded if i.question.kind == "essay"]
    assert all(i.response == {"text": "My essay", "self_score": 0.5} for i in essays)
    page = student_client.get(f"/practice/{session_id}/results").get_data(as_text=True)
    assert f"{round(practice.score * 100)}%" in page and "You said: Partly" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Pick at least one bank or topic to practise."),
        ({"banks": "BANK", "count": "0"}, "Ask for between 1 and 100 questions."),
        ({"banks": "BANK", "count": "101"}, "Ask for between 1 and 100 questions."),
        ({"banks": "BANK", "count": ""}, "Ask for between 1 and 100 questions."),
        ({"banks": "BANK", "kinds": []}, "Pick at least one question type."),
        ({"banks": "BANK", "feedback": "never"}, "Choose after each question or at the end."),
        ({"banks": "99999"}, "is not a valid choice"),
        ({"topics": "TOPIC", "kinds": ["ordering"]}, "No questions match"),
    ],
)
def test_invalid_start_form_writes_nothing(bank, student_client, fields, message):
    no_ordering = db.session.scalar(
        select(Topic)
        .where(Topic.bank_id == bank.id)
        .where(
            ~Topic.id.in_(
                select(Question.topic_id).where(Question.kind == "ordering").scalar_subquery()
            )
        )
    )
    replace = {"BANK": str(bank.id), "TOPIC": str(no_ordering.id)}
    data = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    response = start(student_client, **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "invalid-feedback" in page
    assert sessions() == []
    assert db.session.scalar(select(func.count()).select_from(PracticeItem)) == 0


def test_another_student_gets_404(app, auth, bank, student_client, make_user):
    session_id, _ = started(start(student_client, banks=[str(bank.id)], count="2"))
    student_client.post(f"/practice/{session_id}/1", data={})
    other, stranger = app.test_client(), make_user()
    # A fresh app context, hence a fresh `g`: Flask-Login caches the signed-in user there.
    with app.app_context():
        assert auth.login(stranger, client=other).status_code == 302
        for url in ("", "/1", "/2", "/results"):
            assert other.get(f"/practice/{session_id}{url}").status_code == 404
        for url in ("/2", "/retry", "/reviews"):
            response = other.post(f"/practice/{session_id}{url}", data={"choice": "0"})
            assert response.status_code == 404
        history = other.get("/practice/history").get_data(as_text=True)
        assert f"/practice/{session_id}" not in history and "No practice sessions yet" in history
    assert len(sessions()) == 1
    assert db.session.get(PracticeSession, session_id).items[1].answered_at is None
    assert student_client.get(f"/practice/{session_id}/2").status_code == 200
    assert student_client.get(f"/practice/{session_id}/3").status_code == 404


def test_reload_shows_the_same_option_order(bank, student_client):
    session_id, _ = started(
        start(student_client, banks=[str(bank.id)], kinds=["multiple_choice"], count="5")
    )
    practice = db.session.get(PracticeSession, session_id)
    pattern = re.compile(r'name="choice"\s+id="opt-(\d+)"')
    for item in practice.items:
        url = f"/practice/{session_id}/{item.position}"
        shown = pattern.findall(student_client.get(url).get_data(as_text=True))
        again = pattern.findall(student_client.get(url).get_data(as_text=True))
        assert shown == again == [str(i) for i in item.presentation_order["options"]]
    orders = {tuple(item.presentation_order["options"]) for item in practice.items}
    assert len(orders) > 1  # shuffled, not written order every time


def test_a_double_submit_changes_nothing(bank, student_client):
    session_id, _ = started(
        start(student_client, banks=[str(bank.id)], kinds=["true_false"], count="2")
    )
    item = db.session.get(PracticeSession, session_id).items[0]
    url = f"/practice/{session_id}/1"
    student_client.post(url, data=right_answer(item.question))
    student_client.post(url, data=wrong_answer(item.question))
    db.session.expire_all()
    assert item.fraction == 1.0
    assert "Correct" in student_client.get(url).get_data(as_text=True)


def test_results_wait_for_the_last_answer_and_history_lists_sessions(bank, student_client):
    first, _ = started(start(student_client, banks=[str(bank.id)], count="1"))
    response = student_client.get(f"/practice/{first}/results")
    assert response.headers["Location"].endswith(f"/practice/{first}/1")
    only = db.session.get(PracticeSession, first).items[0]
    student_client.post(f"/practice/{first}/1", data=wrong_answer(only.question))
    second, _ = started(start(student_client, banks=[str(bank.id)], count="2"))
    assert (
        student_client.get(f"/practice/{second}")
        .headers["Location"]
        .endswith(f"/practice/{second}/1")
    )
    page = student_client.get("/practice/history").get_data(as_text=True)
    assert page.index(f'/practice/{second}"') < page.index(f"/practice/{first}/results")
    assert "0 / 1 · 0%" in page and "0 of 2 answered" in page
    assert f"{bank.title} · Multiple choice, True/false, Short answer, Numerical" in page


def test_forms_carry_a_csrf_token(app, bank, student_client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = student_client.get("/practice/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert start(student_client, banks=[str(bank.id)]).status_code == 400
    assert sessions() == []
    session_id, _ = started(start(student_client, banks=[str(bank.id)], csrf_token=token))
    page = student_client.get(f"/practice/{session_id}/1").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert student_client.post(f"/practice/{session_id}/1", data={}).status_code == 400


def test_practice_needs_login(client):
    response = client.get("/practice/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_an_edit_after_the_draw_does_not_change_the_item(bank, student_client):
    session_id, _ = started(
        start(student_client, banks=[str(bank.id)], kinds=["true_false"], count="1")
    )
    item = db.session.get(PracticeSession, session_id).items[0]
    question = item.question
    right = right_answer(question)
    question.content = {**question.content, "answer": not question.content["answer"]}
    question.version += 1
    db.session.commit()
    url = f"/practice/{session_id}/1"
    student_client.post(url, data=right)
    assert "Correct" in student_client.get(url).get_data(as_text=True)
    results = student_client.get(f"/practice/{session_id}/results").get_data(as_text=True)
    assert "1 / 1 · 100%" in results
    db.session.expire_all()
    assert item.fraction == 1.0 and item.question_version == question.version - 1
