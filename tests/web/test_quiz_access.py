"""Who may open and change what in a quiz: every quiz route as every kind of user."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from app.attempts import quizzes as rules
from app.extensions import db
from app.models import QuizOverride, Role
from app.scheduling import set_class_exam_date
from tests.factories import CLOCK_START, make_bank, make_class, make_question, make_quiz

PEOPLE = [
    "owner",
    "co_teacher",
    "other_teacher",
    "student",
    "removed_student",
    "other_student",
    "anonymous",
    "admin",
]
OK, LOGIN = "ok", "login"

TEACHERS = {
    "owner": OK,
    "co_teacher": OK,
    "other_teacher": 404,
    "student": 403,
    "removed_student": 404,
    "other_student": 404,
    "anonymous": LOGIN,
    "admin": OK,
}
MEMBERS = {**TEACHERS, "student": OK}
TAKERS = {key: (404 if value == OK else value) for key, value in TEACHERS.items()} | {
    "owner": 403,
    "co_teacher": 403,
    "admin": 403,
    "student": OK,
}
# An attempt is its student's alone: to anyone else it does not exist.
OWN_ATTEMPT = {person: 404 for person in PEOPLE} | {"student": OK, "anonymous": LOGIN}
REVIEWERS = {**OWN_ATTEMPT, "owner": OK, "co_teacher": OK, "admin": OK}

QUIZ_FORM = {
    "title": "Renamed",
    "attempts_allowed": "2",
    "grading_method": "highest",
    "review_score": "after_submission",
    "review_answers": "after_submission",
    "review_right_answers": "after_close",
    "review_feedback": "after_close",
    "overdue_handling": "autosubmit",
    "missed_to_reviews_at": "submission",
}

ROUTES = [
    ("GET", "/quizzes/classes/{klass}/new", TEACHERS),
    ("POST", "/quizzes/classes/{klass}/new", TEACHERS),
    ("GET", "/quizzes/{quiz}", MEMBERS),
    ("GET", "/quizzes/{quiz}/edit", TEACHERS),
    ("POST", "/quizzes/{quiz}/edit", TEACHERS),
    ("POST", "/quizzes/{quiz}/publish", TEACHERS),
    ("GET", "/quizzes/{quiz}/questions", TEACHERS),
    ("POST", "/quizzes/{quiz}/questions", TEACHERS),
    ("POST", "/quizzes/{quiz}/rules", TEACHERS),
    ("POST", "/quizzes/{quiz}/slots/{slot}/delete", TEACHERS),
    ("GET", "/quizzes/{quiz}/preview", TEACHERS),
    ("GET", "/quizzes/{quiz}/results", TEACHERS),
    ("GET", "/quizzes/{quiz}/grading", TEACHERS),
    ("POST", "/quizzes/{quiz}/grading/{essay_item}", TEACHERS),
    ("GET", "/quizzes/{quiz}/overrides", TEACHERS),
    ("POST", "/quizzes/{quiz}/overrides", TEACHERS),
    ("POST", "/quizzes/{quiz}/overrides/{student}/delete", TEACHERS),
    ("POST", "/quizzes/{quiz}/exam", TEACHERS),
    ("POST", "/quizzes/{quiz}/exam/delete", TEACHERS),
    ("POST", "/quizzes/{quiz}/start", TAKERS),
    ("GET", "/quizzes/attempts/{open_attempt}", OWN_ATTEMPT),
    ("GET", "/quizzes/attempts/{open_attempt}/1", OWN_ATTEMPT),
    ("POST", "/quizzes/attempts/{open_attempt}/1", OWN_ATTEMPT),
    ("GET", "/quizzes/attempts/{open_attempt}/submit", OWN_ATTEMPT),
    ("POST", "/quizzes/attempts/{open_attempt}/submit", OWN_ATTEMPT),
    ("GET", "/quizzes/attempts/{done_attempt}/review", REVIEWERS),
]


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        owner=make_user(Role.TEACHER),
        co_teacher=make_user(Role.TEACHER),
        other_teacher=make_user(Role.TEACHER),
        student=make_user(Role.STUDENT),
        removed_student=make_user(Role.STUDENT),
        other_student=make_user(Role.STUDENT),
        admin=make_user(Role.ADMIN),
    )


def build(people):
    """A class and a quiz with a submitted attempt (an essay to grade), an open one and an
    override, all of `people.student`."""
    klass = make_class(
        people.owner,
        co_teachers=[people.co_teacher],
        students=[people.student],
        removed=[people.removed_student],
    )
    bank = make_bank("Bank")
    tf = make_question(bank, "true_false")
    essay = make_question(bank, "essay")
    quiz = make_quiz(klass, questions=[tf, essay], attempts_allowed=0)
    done = rules.start_attempt(db.session, quiz, people.student.id, CLOCK_START)
    rules.save_answer(db.session, done, 2, {"text": "An answer."}, 0, CLOCK_START)
    rules.finish_attempt(db.session, done, CLOCK_START)
    opened = rules.start_attempt(db.session, quiz, people.student.id, CLOCK_START)
    db.session.add(QuizOverride(quiz_id=quiz.id, user_id=people.student.id, extra_attempts=1))
    set_class_exam_date(
        db.session, quiz, exam_on=CLOCK_START.date() + timedelta(days=30), today=CLOCK_START.date()
    )
    db.session.commit()
    ids = SimpleNamespace(
        klass=klass.id,
        quiz=quiz.id,
        slot=quiz.slots[0].id,
        essay_item=done.items[1].id,
        open_attempt=opened.id,
        done_attempt=done.id,
        student=people.student.id,
        bank=bank.id,
        tf=tf.id,
    )
    return ids


def form_for(path: str, ids) -> dict:
    if path.endswith("/new") or path.endswith("/edit"):
        return QUIZ_FORM
    if path.endswith("/publish"):
        return {"published": "1"}
    if path.endswith("/questions"):
        return {"pick-question_ids": str(ids.tf), "pick-points": "1"}
    if path.endswith("/rules"):
        return {
            "rule-bank_id": str(ids.bank),
            "rule-topic_id": "0",
            "rule-difficulty": "0",
            "rule-kind": "",
            "rule-count": "1",
            "rule-points": "1",
        }
    if "/grading/" in path:
        return {"points": "1"}
    if path.endswith("/exam"):
        return {"exam_on": (date.today() + timedelta(days=30)).isoformat(), "label": "Finals"}
    if path.endswith("/overrides"):
        return {"user_id": str(ids.student), "extra_attempts": "2"}
    if path.endswith("/1"):
        return {"answer": "false", "sequence": "0"}
    return {}


@pytest.mark.parametrize("person", PEOPLE)
def test_every_quiz_route_answers_each_person_as_the_rules_say(app, client, auth, people, person):
    if person != "anonymous":
        assert auth.login(getattr(people, person)).status_code == 302
    for method, template, expected in ROUTES:
        ids = build(people)
        path = template.format(**vars(ids))
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=form_for(path, ids))
        want = expected[person]
        where = f"{person} {method} {path}"
        if want == LOGIN:
            assert response.status_code == 302, where
            assert "/auth/login" in response.headers["Location"], where
        elif want == OK:
            assert response.status_code in (200, 302), where
            if response.status_code == 302:
                assert "/auth/login" not in response.headers["Location"], where
            with client.session_transaction() as flask_session:
                errors = [m for c, m in flask_session.get("_flashes", []) if c == "error"]
            assert errors == [], (where, errors)
        else:
            assert response.status_code == want, where
