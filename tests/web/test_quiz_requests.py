"""What a quiz page costs: the statements of a question page, an answer and a start."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import QuizAttempt, QuizItem, Role
from tests.factories import make_bank, make_class, make_question, make_quiz
from tests.web.test_study_requests import counted_statements

TF = {"prompt": "The sky is green.", "answer": False}


def _quiz(make_user, n=4, **settings):
    teacher = make_user(Role.TEACHER)
    student = make_user(Role.STUDENT)
    klass = make_class(teacher, students=[student, make_user(Role.STUDENT)])
    bank = make_bank("TF")
    questions = [
        make_question(bank, "true_false", content={**TF, "prompt": f"Claim {i}"}) for i in range(n)
    ]
    return make_quiz(klass, questions=questions, **settings), student


def test_a_question_page_and_an_answer_run_few_statements(client, auth, make_user, clock):
    quiz, student = _quiz(make_user, time_limit_seconds=3600)
    auth.login(student)
    client.get(f"/quizzes/{quiz.id}")  # warm: templates, compiled statements
    with counted_statements() as started:
        response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302
    # The items' INSERT is one statement on PostgreSQL, one per item on SQLite.
    reads = [s for s in started if not s.startswith("INSERT INTO quiz_items")]
    assert len(reads) <= 9, "\n\n".join(reads)
    attempt = db.session.scalar(select(QuizAttempt))
    url = f"/quizzes/attempts/{attempt.id}/1"
    with counted_statements() as page_statements:
        page = client.get(url)
    assert page.status_code == 200 and "Claim" in page.get_data(as_text=True)
    # the user; the attempt with its quiz, class and membership; its items
    assert len(page_statements) <= 3, "\n\n".join(page_statements)
    with counted_statements() as answer_statements:
        response = client.post(url, data={"answer": "false", "sequence": "0"})
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/2")
    # the user; the attempt; its lock; its items; the conditional UPDATE
    assert len(answer_statements) <= 5, "\n\n".join(answer_statements)
    item = db.session.scalar(select(QuizItem).where(QuizItem.position == 1))
    assert item.response == {"answer": False} and item.sequence == 1 and item.fraction == 1.0


def test_an_overdue_attempt_is_still_settled_when_its_page_is_read(client, auth, make_user, clock):
    quiz, student = _quiz(make_user, time_limit_seconds=600)
    auth.login(student)
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    client.post(f"/quizzes/attempts/{attempt.id}/1", data={"answer": "false", "sequence": "0"})
    clock.advance(minutes=11)
    response = client.get(f"/quizzes/attempts/{attempt.id}/2")
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/review")
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.points == 1.0


def test_an_answer_to_a_question_the_attempt_lacks_is_not_found(client, auth, make_user, clock):
    quiz, student = _quiz(make_user, n=2)
    auth.login(student)
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    url = f"/quizzes/attempts/{attempt.id}/9"
    assert client.post(url, data={"answer": "false", "sequence": "0"}).status_code == 404
    assert client.get(url).status_code == 404


def test_with_script_a_start_and_each_answer_are_one_request(client, auth, make_user, clock):
    """inline=y (set by the page's script): the response is the next question's page, with
    the address the script puts in the history; the answer is stored all the same."""
    quiz, student = _quiz(make_user, n=3, time_limit_seconds=3600)
    auth.login(student)
    client.get(f"/quizzes/{quiz.id}")
    with counted_statements() as started:
        response = client.post(f"/quizzes/{quiz.id}/start", data={"inline": "y"})
    assert response.status_code == 200
    attempt = db.session.scalar(select(QuizAttempt))
    page = response.get_data(as_text=True)
    assert "question 1 of 3" in page
    assert f'data-page-url="/quizzes/attempts/{attempt.id}/1"' in page
    reads = [s for s in started if not s.startswith("INSERT INTO quiz_items")]
    assert len(reads) <= 9, "\n\n".join(reads)
    url = f"/quizzes/attempts/{attempt.id}/1"
    with counted_statements() as answer_statements:
        response = client.post(url, data={"answer": "false", "sequence": "0", "inline": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "question 2 of 3" in page
    assert f'data-page-url="/quizzes/attempts/{attempt.id}/2"' in page
    assert 'aria-current="page">2<' in page
    # one more than the answer alone: nothing is read again for the page
    assert len(answer_statements) <= 5, "\n\n".join(answer_statements)
    item = db.session.scalar(select(QuizItem).where(QuizItem.position == 1))
    assert item.response == {"answer": False} and item.fraction == 1.0
    # The page shows question 1 as answered in the map.
    assert "1<span class=\"visually-hidden\">, answered" in page
    # Sent again (a resubmitted POST): refused as out of sequence, stored once.
    again = client.post(url, data={"answer": "true", "sequence": "0", "inline": "y"})
    assert again.status_code == 302
    db.session.refresh(item)
    assert item.response == {"answer": False} and item.sequence == 1
    # The last answer goes on to the submit page, as without script.
    form = {"answer": "false", "sequence": "0", "inline": "y"}
    client.post(f"/quizzes/attempts/{attempt.id}/2", data=form)
    last = client.post(f"/quizzes/attempts/{attempt.id}/3", data=form)
    assert last.headers["Location"].endswith(f"/attempts/{attempt.id}/submit")
