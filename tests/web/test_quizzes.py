"""Quiz pages end to end: setting up, taking with a moved clock, grading, the home page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.attempts import quizzes as rules
from app.extensions import db
from app.jobs import job_function
from app.models import Quiz, QuizAttempt, QuizItem, Role
from tests.factories import (
    CLOCK_START,
    make_bank,
    make_class,
    make_question,
    make_quiz,
    topics_of,
)

TF = {"prompt": "The sky is green.", "answer": False}


@pytest.fixture
def people(make_user):
    teacher = make_user(Role.TEACHER)
    student = make_user(Role.STUDENT)
    return teacher, student


def flashes(client) -> list[str]:
    with client.session_transaction() as flask_session:
        return [message for _, message in flask_session.get("_flashes", [])]


def login(client, auth, user):
    auth.logout()
    assert auth.login(user).status_code == 302


def test_a_teacher_builds_a_quiz_with_the_forms_and_a_student_takes_it(client, auth, people, clock):
    teacher, student = people
    klass = make_class(teacher, students=[student], time_zone="Europe/Paris", name="9B")
    bank = make_bank("History", topics=("War",))
    picked = make_question(bank, "true_false", content={**TF, "prompt": "Picked"})
    for n in range(4):
        make_question(bank, "true_false", content={**TF, "prompt": f"Drawn {n}"}, topic="War")
    login(client, auth, teacher)
    response = client.post(
        f"/quizzes/classes/{klass.id}/new",
        data={
            "title": "Cold War test",
            "open_at": "2025-01-15T13:00",  # noon UTC in Paris
            "close_at": "2025-01-16T13:00",
            "time_limit_minutes": "20",
            "attempts_allowed": "2",
            "grading_method": "highest",
            "review_score": "after_submission",
            "review_answers": "after_submission",
            "review_right_answers": "after_submission",
            "review_feedback": "after_submission",
            "overdue_handling": "autosubmit",
            "send_missed_to_reviews": "y",
            "missed_to_reviews_at": "submission",
        },
    )
    assert response.status_code == 302
    quiz = db.session.scalar(select(Quiz))
    assert quiz.open_at == CLOCK_START and quiz.time_limit_seconds == 1200
    page = client.get(f"/quizzes/{quiz.id}/questions?bank={bank.id}").get_data(as_text=True)
    assert "Picked" in page
    client.post(
        f"/quizzes/{quiz.id}/questions",
        data={"bank": bank.id, "pick-question_ids": str(picked.id), "pick-points": "2"},
    )
    war = topics_of(bank)["War"]
    client.post(
        f"/quizzes/{quiz.id}/rules",
        data={
            "rule-bank_id": str(bank.id),
            "rule-topic_id": str(war.id),
            "rule-difficulty": "0",
            "rule-kind": "true_false",
            "rule-count": "2",
            "rule-points": "1",
        },
    )
    assert client.post(f"/quizzes/{quiz.id}/publish", data={"published": "1"}).status_code == 302
    db.session.refresh(quiz)
    assert quiz.published and len(quiz.slots) == 2
    assert rules.question_count(quiz) == 3
    assert client.get(f"/quizzes/{quiz.id}/preview").status_code == 200

    login(client, auth, student)
    home = client.get("/").get_data(as_text=True)
    assert "Cold War test" in home and "Open: 2 attempts left" in home
    response = client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt.id}/1")
    page = client.get(f"/quizzes/attempts/{attempt.id}/1").get_data(as_text=True)
    assert 'data-seconds-left="1200"' in page and "quiz-timer.js" in page
    client.post(f"/quizzes/attempts/{attempt.id}/1", data={"answer": "false", "sequence": "0"})
    client.post(f"/quizzes/attempts/{attempt.id}/2", data={"answer": "true", "sequence": "0"})
    page = client.get(f"/quizzes/attempts/{attempt.id}/submit").get_data(as_text=True)
    assert "1 question is not answered" in page and "Question 3" in page
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/review")
    db.session.refresh(attempt)
    first_points = attempt.items[0].points  # picked, 2 points
    assert attempt.state == "finished" and first_points == 2.0
    assert attempt.points == 2.0 and attempt.max_points == 4.0
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "2 / 4 · 50%" in review
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Your grade (highest grade): <strong>50%</strong>" in page
    assert "Open: 1 attempt left" in page
    # Answers cannot change once submitted.
    client.post(f"/quizzes/attempts/{attempt.id}/3", data={"answer": "false", "sequence": "0"})
    db.session.refresh(attempt)
    assert attempt.items[2].answered_at is None

    login(client, auth, teacher)
    results = client.get(f"/quizzes/{quiz.id}/results").get_data(as_text=True)
    assert student.display_name in results and "50%" in results


def _quiz(people, n=2, **settings):
    teacher, student = people
    klass = make_class(teacher, students=[student])
    bank = make_bank("TF")
    questions = [
        make_question(bank, "true_false", content={**TF, "prompt": f"Claim {i}"}) for i in range(n)
    ]
    return make_quiz(klass, questions=questions, **settings)


def test_a_stale_tab_is_refused_and_shows_the_saved_answer(client, auth, people, clock):
    quiz = _quiz(people)
    login(client, auth, people[1])
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    url = f"/quizzes/attempts/{attempt.id}/1"
    client.post(url, data={"answer": "true", "sequence": "0"})
    response = client.post(url, data={"answer": "false", "sequence": "0"})  # the old tab
    assert response.headers["Location"].endswith(url)
    assert any("another tab or the Back button" in m for m in flashes(client))
    page = client.get(url).get_data(as_text=True)
    assert "Saved answer: True" in page
    item = db.session.scalar(select(QuizItem).where(QuizItem.position == 1))
    assert item.response == {"answer": True}


def test_time_runs_out_and_the_attempt_is_submitted_at_the_deadline(client, auth, people, clock):
    quiz = _quiz(people, time_limit_seconds=600)
    login(client, auth, people[1])
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    client.post(f"/quizzes/attempts/{attempt.id}/1", data={"answer": "false", "sequence": "0"})
    clock.advance(minutes=11)
    response = client.post(
        f"/quizzes/attempts/{attempt.id}/2", data={"answer": "false", "sequence": "0"}
    )
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/review")
    db.session.refresh(attempt)
    assert attempt.state == "finished"
    assert attempt.finished_at == CLOCK_START + timedelta(minutes=10)
    assert attempt.score == 0.5


def test_in_the_grace_period_the_student_may_only_submit(client, auth, people, clock):
    quiz = _quiz(people, time_limit_seconds=600, overdue_handling="graceperiod", grace_seconds=300)
    login(client, auth, people[1])
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    clock.advance(minutes=12)
    response = client.get(f"/quizzes/attempts/{attempt.id}/1")
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/submit")
    page = client.get(f"/quizzes/attempts/{attempt.id}/submit").get_data(as_text=True)
    assert "Time is up" in page and "3 min" in page
    client.post(f"/quizzes/attempts/{attempt.id}/1", data={"answer": "false", "sequence": "0"})
    assert any("only submit" in m for m in flashes(client))
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.items[0].answered_at is None


def test_the_command_and_the_job_settle_overdue_attempts(app, runner, people, clock):
    quiz = _quiz(people, time_limit_seconds=60, overdue_handling="autoabandon")
    attempt = rules.start_attempt(db.session, quiz, people[1].id, CLOCK_START)
    db.session.commit()
    clock.advance(minutes=5)
    result = runner.invoke(args=["quizzes", "finish-overdue"])
    assert result.exit_code == 0 and "1 attempt settled" in result.output
    db.session.refresh(attempt)
    assert attempt.state == "abandoned"
    assert job_function("quizzes_finish_overdue") is rules.finish_overdue_job
    assert rules.finish_overdue_job(db.session, {}, lambda *a: None, clock.now) == {"settled": 0}


def test_an_essay_graded_by_the_teacher_updates_the_score_and_the_home_page(
    client, auth, people, clock
):
    teacher, student = people
    klass = make_class(teacher, students=[student], name="Essays 9B")
    essay = make_question(make_bank("E"), "essay")
    quiz = make_quiz(klass, questions=[essay], review_score="after_submission")
    login(client, auth, student)
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    client.post(f"/quizzes/attempts/{attempt.id}/1", data={"text": "My essay", "sequence": "0"})
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert "Submitted" in client.get("/").get_data(as_text=True)

    login(client, auth, teacher)
    assert "1 essay to grade" in client.get("/").get_data(as_text=True)
    page = client.get(f"/quizzes/{quiz.id}/grading").get_data(as_text=True)
    assert "My essay" in page
    item = db.session.scalar(select(QuizItem))
    response = client.post(f"/quizzes/{quiz.id}/grading/{item.id}", data={"points": "5"})
    assert response.status_code == 302 and any("between 0 and 1" in m for m in flashes(client))
    client.post(f"/quizzes/{quiz.id}/grading/{item.id}", data={"points": "0.5", "comment": "Ok"})
    assert "0 essays to grade" in client.get("/").get_data(as_text=True)

    login(client, auth, student)
    assert "Graded" in client.get("/").get_data(as_text=True)
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "50%" in review


def test_bad_settings_show_a_message_and_write_nothing(client, auth, people):
    teacher, _ = people
    klass = make_class(teacher)
    login(client, auth, teacher)
    response = client.post(
        f"/quizzes/classes/{klass.id}/new",
        data={
            "title": "Backwards",
            "open_at": "2025-02-01T10:00",
            "close_at": "2025-01-01T10:00",
            "attempts_allowed": "1",
            "grading_method": "highest",
            "review_score": "never",
            "review_answers": "never",
            "review_right_answers": "never",
            "review_feedback": "never",
            "overdue_handling": "autosubmit",
            "missed_to_reviews_at": "submission",
        },
    )
    assert response.status_code == 422
    assert "The quiz must close after it opens." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_an_override_gives_one_student_an_extra_attempt(client, auth, people, clock):
    teacher, student = people
    quiz = _quiz(people, n=1, attempts_allowed=1)
    attempt = rules.start_attempt(db.session, quiz, student.id, CLOCK_START)
    rules.finish_attempt(db.session, attempt, CLOCK_START)
    db.session.commit()
    login(client, auth, teacher)
    response = client.post(
        f"/quizzes/{quiz.id}/overrides", data={"user_id": str(student.id), "extra_attempts": "1"}
    )
    assert response.status_code == 302
    login(client, auth, student)
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Open: 1 attempt left" in page
    assert client.post(f"/quizzes/{quiz.id}/start").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 2


def test_class_page_lists_published_quizzes_to_students_only(client, auth, people):
    teacher, student = people
    klass = make_class(teacher, students=[student])
    make_quiz(klass, title="Visible quiz", close_at=datetime(2025, 2, 1, tzinfo=UTC))
    make_quiz(klass, title="Draft quiz", published=False)
    login(client, auth, student)
    page = client.get(f"/classes/{klass.id}").get_data(as_text=True)
    assert "Visible quiz" in page and "Draft quiz" not in page
    login(client, auth, teacher)
    page = client.get(f"/classes/{klass.id}").get_data(as_text=True)
    assert "Visible quiz" in page and "Draft quiz" in page and "New quiz" in page


def test_a_removed_student_keeps_their_attempts_with_a_way_back(client, auth, people, clock):
    teacher, student = people
    quiz = _quiz(people, title="Thaw quiz")
    login(client, auth, student)
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    for position in (1, 2):
        client.post(
            f"/quizzes/attempts/{attempt.id}/{position}", data={"answer": "false", "sequence": "0"}
        )
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    review_url = f"/quizzes/attempts/{attempt.id}/review"
    assert f'href="/quizzes/{quiz.id}"' in client.get(review_url).get_data(as_text=True)

    login(client, auth, teacher)
    client.post(f"/classes/{quiz.class_id}/students/{student.id}/remove")
    login(client, auth, student)
    assert client.get(f"/quizzes/{quiz.id}").status_code == 404
    page = client.get(review_url).get_data(as_text=True)
    assert f'href="/quizzes/{quiz.id}"' not in page  # no link to a page they cannot open
    assert f'href="/classes/{quiz.class_id}"' not in page
    assert "Back to your home page" in page
    home = client.get("/").get_data(as_text=True)
    assert "Attempts in classes you have left" in home
    assert f'href="{review_url}"' in home and "Thaw quiz, attempt 1" in home


def test_editing_the_time_limit_gives_open_attempts_the_new_time(client, auth, people, clock):
    teacher, student = people
    quiz = _quiz(people, time_limit_seconds=600)
    login(client, auth, student)
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(QuizAttempt))
    login(client, auth, teacher)
    response = client.post(
        f"/quizzes/{quiz.id}/edit",
        data={
            "title": quiz.title,
            "time_limit_minutes": "40",
            "attempts_allowed": "1",
            "grading_method": "highest",
            "review_score": "after_submission",
            "review_answers": "after_submission",
            "review_right_answers": "after_submission",
            "review_feedback": "after_submission",
            "overdue_handling": "autosubmit",
            "missed_to_reviews_at": "submission",
        },
    )
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.deadline == CLOCK_START + timedelta(minutes=40)
    clock.advance(minutes=20)
    login(client, auth, student)
    response = client.post(
        f"/quizzes/attempts/{attempt.id}/1", data={"answer": "false", "sequence": "0"}
    )
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}/2")
