"""A class's gradebook, its exports, teachers' grade overrides and a quiz's item analysis."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import openpyxl
import pytest

from app.attempts import quizzes as rules
from app.extensions import db
from app.models import GradeOverride, Role
from tests.factories import CLOCK_START, make_bank, make_class, make_question, make_quiz

TF = {"prompt": "The sky is green.", "answer": False}


def attempt(quiz, user, answers, *, at=CLOCK_START):
    """A submitted attempt of `user` answering each position's form in `answers`."""
    made = rules.start_attempt(db.session, quiz, user.id, at)
    for position, form in answers.items():
        rules.save_answer(db.session, made, position, form, 0, at)
    rules.finish_attempt(db.session, made, at)
    db.session.commit()
    return made


@pytest.fixture
def world(make_user):
    people = SimpleNamespace(
        owner=make_user(Role.TEACHER, display_name="Owner"),
        co_teacher=make_user(Role.TEACHER),
        other_teacher=make_user(Role.TEACHER),
        ada=make_user(Role.STUDENT, display_name="Ada"),
        bob=make_user(Role.STUDENT, display_name="=Bob"),
        other_student=make_user(Role.STUDENT),
    )
    klass = make_class(
        people.owner, co_teachers=[people.co_teacher], students=[people.ada, people.bob]
    )
    bank = make_bank("Bank")
    first = make_question(bank, "true_false", content={**TF, "prompt": "First"})
    second = make_question(bank, "true_false", content={**TF, "prompt": "Second"})
    essay = make_question(bank, "essay")
    quiz = make_quiz(klass, questions=[first, second], attempts_allowed=0, title="Weekly")
    late = make_quiz(
        klass,
        questions=[essay],
        title="Essay",
        close_at=CLOCK_START + timedelta(hours=1),
    )
    # Ada: 50% then 100% (highest: 100%); Bob: 0%. Ada's essay waits for grading.
    attempt(quiz, people.ada, {1: {"answer": "false"}, 2: {"answer": "true"}})
    attempt(quiz, people.ada, {1: {"answer": "false"}, 2: {"answer": "false"}})
    attempt(quiz, people.bob, {1: {"answer": "true"}, 2: {"answer": "true"}})
    attempt(late, people.ada, {1: {"text": "My essay."}})
    return SimpleNamespace(people=people, klass=klass, quiz=quiz, late=late)


def login(client, auth, user):
    auth.logout()
    assert auth.login(user).status_code == 302


def test_teachers_see_the_gradebook_with_grades_means_and_marks(client, auth, world, clock):
    clock.set(CLOCK_START + timedelta(hours=2))  # the essay quiz has closed
    for teacher in (world.people.owner, world.people.co_teacher):
        login(client, auth, teacher)
        page = client.get(f"/quizzes/classes/{world.klass.id}/gradebook")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Weekly" in html and "Essay" in html
        assert "100%" in html and "0%" in html
        assert "50%" in html  # the class mean of Weekly: (100 + 0) / 2
        assert "ungraded" in html  # Ada's essay
        assert "overdue" in html  # Bob never submitted the closed essay quiz
        assert "/review" in html


@pytest.mark.parametrize("who", ["other_teacher", "other_student"])
def test_outsiders_do_not_find_the_gradebook(client, auth, world, who):
    login(client, auth, getattr(world.people, who))
    base = f"/quizzes/classes/{world.klass.id}"
    for path in ("/gradebook", "/gradebook.csv", "/gradebook.xlsx", "/responses.csv"):
        assert client.get(base + path).status_code == 404, path
    assert client.get(f"/quizzes/{world.quiz.id}/item-analysis").status_code == 404
    assert client.get(f"/quizzes/{world.quiz.id}/grades/{world.people.ada.id}").status_code == 404


def test_a_student_sees_only_their_own_grades(client, auth, world):
    login(client, auth, world.people.ada)
    base = f"/quizzes/classes/{world.klass.id}"
    html = client.get(base + "/gradebook").get_data(as_text=True)
    assert "Ada" in html and "=Bob" not in html and "Class mean" not in html
    for path in ("/gradebook.csv", "/gradebook.xlsx", "/responses.csv"):
        assert client.get(base + path).status_code == 403, path
    assert client.get(f"/quizzes/{world.quiz.id}/item-analysis").status_code == 403
    assert client.get(f"/quizzes/{world.quiz.id}/grades/{world.people.ada.id}").status_code == 403


def test_an_override_keeps_the_original_and_shows_everywhere(client, auth, world):
    people, quiz = world.people, world.quiz
    login(client, auth, people.co_teacher)
    path = f"/quizzes/{quiz.id}/grades/{people.bob.id}"
    refused = client.post(path, data={"grade": "120", "comment": "Too much"})
    assert refused.status_code == 422
    assert "percentage from 0 to 100" in refused.get_data(as_text=True)
    refused = client.post(path, data={"grade": "80", "comment": ""})
    assert refused.status_code == 422
    assert db.session.query(GradeOverride).count() == 0
    done = client.post(path, data={"grade": "72,5", "comment": "Oral exam instead"})
    assert done.status_code == 302
    override = db.session.query(GradeOverride).one()
    assert (override.grade, override.original_grade) == (0.725, 0.0)
    assert override.comment == "Oral exam instead" and override.by_id == people.co_teacher.id
    gradebook = client.get(f"/quizzes/classes/{world.klass.id}/gradebook").get_data(as_text=True)
    assert "overridden" in gradebook and "Oral exam instead" in gradebook
    assert "86%" in gradebook  # the mean: (100 + 72.5) / 2
    results = client.get(f"/quizzes/{quiz.id}/results").get_data(as_text=True)
    assert "72%" in results or "73%" in results
    login(client, auth, people.bob)
    own = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "set by your teacher" in own and "Oral exam instead" in own
    login(client, auth, people.owner)
    cleared = client.post(f"{path}/clear", data={})
    assert cleared.status_code == 302
    assert db.session.query(GradeOverride).count() == 0


def test_no_override_for_someone_outside_the_class(client, auth, world):
    login(client, auth, world.people.owner)
    path = f"/quizzes/{world.quiz.id}/grades/{world.people.other_student.id}"
    assert client.get(path).status_code == 404
    assert client.post(path, data={"grade": "50", "comment": "x"}).status_code == 404


def test_gradebook_csv_and_xlsx_read_back(client, auth, world):
    login(client, auth, world.people.owner)
    db.session.add(
        GradeOverride(
            quiz_id=world.quiz.id,
            user_id=world.people.bob.id,
            grade=0.5,
            original_grade=0.0,
            comment="Retake",
            at=CLOCK_START,
        )
    )
    db.session.commit()
    base = f"/quizzes/classes/{world.klass.id}"
    response = client.get(base + "/gradebook.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Student", "Email", "Weekly (%)", "Weekly: note", "Essay (%)", "Essay: note"]
    bob, ada, mean = rows[1], rows[2], rows[3]  # by name: "=" sorts before letters
    assert ada[0] == "Ada" and ada[2] == "100.0"
    assert ada[4] == "0.0" and ada[5] == "ungraded"  # the score so far, the essay pending
    assert bob[0] == "'=Bob"  # no formula reaches a spreadsheet
    assert bob[2] == "50.0" and bob[3].startswith("overridden (computed 0.0)")
    assert mean[0] == "Class mean" and mean[2] == "75.0"
    xlsx = client.get(base + "/gradebook.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Student", "Email", "Weekly (%)"]
    assert values[2][0] == "Ada" and values[2][2] == 100
    assert values[1][2] == 50 and values[3][2] == 75


def test_responses_csv_has_one_row_per_response(client, auth, world):
    login(client, auth, world.people.co_teacher)
    response = client.get(f"/quizzes/classes/{world.klass.id}/responses.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2 * 2 + 2 + 1  # Ada 2 × 2, Bob 2, Ada's essay 1
    weekly = [r for r in rows if r["Quiz"] == "Weekly" and r["Student"] == "Ada"]
    assert [(r["Attempt"], r["Question"], r["Answer"]) for r in weekly] == [
        ("1", "1", "False"),
        ("1", "2", "True"),
        ("2", "1", "False"),
        ("2", "2", "False"),
    ]
    assert weekly[1]["Points"] == "0.0" and weekly[0]["Points"] == "1.0"
    essay = next(r for r in rows if r["Quiz"] == "Essay")
    assert essay["Answer"].startswith("My essay.") and essay["Points"] == ""


def test_item_analysis_from_first_attempts_by_default(client, auth, world):
    login(client, auth, world.people.owner)
    path = f"/quizzes/{world.quiz.id}/item-analysis"
    html = client.get(path).get_data(as_text=True)
    # First attempts: Ada 1 + 0, Bob 0 + 0. Q1 facility 50%, Q2 0% (too hard, and its
    # marks do not vary: no discrimination index).
    assert "<svg" in html
    assert "<td>50%</td>" in html and "too hard" in html
    assert "<td>—</td>" in html  # Q1's rest of test (Q2) never varies
    assert "Chosen: True (2); False (0)" in html
    # Last attempts: Ada 1 + 1, Bob 0 + 0: nothing too hard any more.
    last = client.get(path + "?attempts=last").get_data(as_text=True)
    assert "too hard" not in last and "Chosen: True (1); False (1)" in last
    assert client.get(path + "?attempts=bogus").status_code == 200
    assert client.get(f"/quizzes/{world.late.id}/item-analysis").status_code == 200


def test_a_student_sees_a_grade_only_as_the_quiz_allows(client, auth, world):
    world.quiz.review_score = "never"
    db.session.commit()
    login(client, auth, world.people.ada)
    html = client.get(f"/quizzes/classes/{world.klass.id}/gradebook").get_data(as_text=True)
    assert "Shown later" in html and "100%" not in html


def test_item_analysis_is_cached_until_an_attempt_is_finished(client, auth, world, monkeypatch):
    from app.attempts import gradebook

    login(client, auth, world.people.owner)
    path = f"/quizzes/{world.quiz.id}/item-analysis?attempts=all"
    calls = []
    compute = gradebook.quiz_item_analysis
    monkeypatch.setattr(
        gradebook, "quiz_item_analysis", lambda *a, **k: calls.append(1) or compute(*a, **k)
    )
    client.get(path)
    client.get(path)
    assert len(calls) == 1
    attempt(world.quiz, world.people.bob, {1: {"answer": "false"}, 2: {"answer": "false"}})
    html = client.get(path).get_data(as_text=True)
    assert len(calls) == 2
    assert '<dd class="col-sm-8">4</dd>' in html  # four attempts now


def test_time_taken_shows_in_the_review_the_gradebook_results_and_responses(
    client, auth, world, clock, make_user
):
    student = world.people.ada
    timed = make_quiz(
        world.klass,
        questions=[make_question(make_bank("Timed"), "true_false", content=TF)],
        title="Timed",
        attempts_allowed=0,
        time_limit_seconds=600,
    )
    taken = rules.start_attempt(db.session, timed, student.id, CLOCK_START)
    rules.finish_attempt(db.session, taken, CLOCK_START + timedelta(minutes=7, seconds=5))
    timed_out = rules.start_attempt(db.session, timed, student.id, CLOCK_START + timedelta(hours=1))
    db.session.commit()
    login(client, auth, world.people.owner)
    clock.set(CLOCK_START + timedelta(hours=1, minutes=2))
    gradebook = client.get(f"/quizzes/classes/{world.klass.id}/gradebook").get_data(as_text=True)
    assert "(7 min 5 s)" in gradebook and "(in progress)" in gradebook
    # Read three hours later, the second attempt was submitted by the rule at its deadline.
    clock.set(CLOCK_START + timedelta(hours=4))
    review = client.get(f"/quizzes/attempts/{timed_out.id}/review").get_data(as_text=True)
    assert "Time taken: 10 min" in review
    results = client.get(f"/quizzes/{timed.id}/results").get_data(as_text=True)
    assert "(7 min 5 s)" in results and "(10 min)" in results
    response = client.get(f"/quizzes/classes/{world.klass.id}/responses.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    mine = [r for r in rows if r["Quiz"] == "Timed"]
    assert [(r["Time taken"], r["Time taken (s)"]) for r in mine] == [
        ("7 min 5 s", "425"),
        ("10 min", "600"),
    ]
    assert mine[0]["Started at"] == CLOCK_START.isoformat()
    login(client, auth, student)
    own = client.get(f"/quizzes/attempts/{taken.id}/review").get_data(as_text=True)
    assert "Time taken: 7 min 5 s" in own
