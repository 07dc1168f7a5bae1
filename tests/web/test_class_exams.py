"""A quiz's exam date for the whole class: who may set it, what students see."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ExamDate, Role
from tests.factories import make_bank, make_class, make_question, make_quiz

EXAM_ON = date(2025, 2, 20)  # the clock starts at 2025-01-15


@pytest.fixture
def setting(app, make_user, clock):
    owner, co_teacher = make_user(Role.TEACHER), make_user(Role.TEACHER)
    student = make_user()
    klass = make_class(owner, co_teachers=[co_teacher], students=[student], name="Year 9")
    bank = make_bank("History")
    quiz = make_quiz(klass, questions=[make_question(bank, "true_false")], title="Cold War test")
    return {"owner": owner, "co_teacher": co_teacher, "student": student, "quiz": quiz}


def exams() -> list[ExamDate]:
    return list(db.session.scalars(select(ExamDate)))


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as flask_session:
        return list(flask_session.get("_flashes", []))


@pytest.mark.parametrize("who", ["owner", "co_teacher"])
def test_a_teacher_sets_moves_and_removes_the_class_exam(client, auth, setting, who):
    quiz = setting["quiz"]
    auth.login(setting[who])
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Exam date for the class" in page and "Set exam date" in page
    response = client.post(
        f"/quizzes/{quiz.id}/exam", data={"exam_on": EXAM_ON.isoformat(), "label": "Finals"}
    )
    assert response.status_code == 302
    (exam,) = exams()
    assert (exam.quiz_id, exam.user_id, exam.exam_on, exam.label) == (
        quiz.id,
        None,
        EXAM_ON,
        "Finals",
    )
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Exam on Thu 20 Feb 2025 (Finals)" in page and "Move exam date" in page
    client.post(f"/quizzes/{quiz.id}/exam", data={"exam_on": "2025-03-01", "label": ""})
    (exam,) = exams()
    assert exam.exam_on == date(2025, 3, 1) and exam.label == ""
    assert client.post(f"/quizzes/{quiz.id}/exam/delete").status_code == 302
    assert exams() == []
    assert client.post(f"/quizzes/{quiz.id}/exam/delete").status_code == 404


def test_bad_input_says_why_and_writes_nothing(client, auth, setting):
    quiz = setting["quiz"]
    auth.login(setting["owner"])
    for data, message in (
        ({"exam_on": "2025-01-14"}, "in the past"),
        ({"exam_on": ""}, "Give the exam date."),
        ({"exam_on": "not a date"}, "Not a valid date value."),
        ({"exam_on": "2025-02-20", "label": "x" * 121}, "under 120 characters"),
        ({"exam_on": "9999-12-31"}, "years away"),
    ):
        response = client.post(f"/quizzes/{quiz.id}/exam", data=data)
        assert response.status_code == 302
        assert [m for c, m in flashes(client) if c == "error" and message in m], data
        assert exams() == []


def test_other_teachers_and_students_are_refused(client, auth, make_user, setting):
    quiz = setting["quiz"]
    data = {"exam_on": EXAM_ON.isoformat()}
    auth.login(setting["student"])
    assert client.post(f"/quizzes/{quiz.id}/exam", data=data).status_code == 403
    assert exams() == []
    auth.logout()
    auth.login(make_user(Role.TEACHER))
    assert client.post(f"/quizzes/{quiz.id}/exam", data=data).status_code == 404
    assert exams() == []
    auth.logout()

    auth.login(setting["owner"])
    client.post(f"/quizzes/{quiz.id}/exam", data=data)
    auth.logout()
    auth.login(make_user(Role.TEACHER))
    assert client.post(f"/quizzes/{quiz.id}/exam/delete").status_code == 404
    auth.logout()
    auth.login(setting["student"])
    assert client.post(f"/quizzes/{quiz.id}/exam/delete").status_code == 403
    (exam,) = exams()
    # Nor through the study pages, where a student's own exams are changed.
    assert client.post(f"/study/exams/{exam.id}/delete").status_code == 404
    assert client.post(
        f"/study/exams/{exam.id}/target", data={"target_retention": "0.97"}
    ).status_code in (302, 303, 404)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExamDate)) == 1
    assert db.session.get(ExamDate, exam.id).target_retention == 0.95


def test_students_see_the_class_exam_with_their_own(client, auth, make_user, setting):
    quiz = setting["quiz"]
    auth.login(setting["owner"])
    client.post(f"/quizzes/{quiz.id}/exam", data={"exam_on": EXAM_ON.isoformat()})
    auth.logout()
    auth.login(setting["student"])
    page = client.get("/study/exams").get_data(as_text=True)
    assert "Cold War test (Year 9)" in page and "Set by your class's teacher" in page
    study = client.get("/study/").get_data(as_text=True)
    assert "Coming exams" in study and "set by your class: Cold War test" in study
    auth.logout()
    auth.login(make_user())  # not in the class
    assert "Cold War test" not in client.get("/study/exams").get_data(as_text=True)
