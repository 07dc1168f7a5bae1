"""Quiz rules with a fixed `now`: window, time limit, overdue rules, overrides, grading."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.attempts import quizzes as rules
from app.extensions import db
from app.models import ReviewCard, Role
from tests.factories import CLOCK_START, make_bank, make_class, make_question, make_quiz

NOW = CLOCK_START
TRUE_FALSE = {"prompt": "The sky is green.", "answer": False}


@pytest.fixture
def people(make_user):
    return make_user(Role.TEACHER), make_user(Role.STUDENT), make_user(Role.STUDENT)


@pytest.fixture
def klass(people):
    teacher, one, two = people
    return make_class(teacher, students=[one, two])


def tf_bank(n: int = 3, topic: str = "A"):
    bank = make_bank("TF", topics=(topic,))
    questions = [
        make_question(
            bank, "true_false", content={**TRUE_FALSE, "prompt": f"Claim {i}"}, topic=topic
        )
        for i in range(n)
    ]
    return bank, questions


def answer_all(attempt, value="false", now=NOW):
    for item in attempt.items:
        rules.save_answer(db.session, attempt, item.position, {"answer": value}, item.sequence, now)


def test_start_is_refused_outside_the_window_and_beyond_the_attempts(people, klass):
    _, student, _ = people
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass,
        questions=questions,
        open_at=NOW + timedelta(hours=1),
        close_at=NOW + timedelta(hours=2),
        attempts_allowed=1,
    )
    with pytest.raises(rules.QuizError, match="not open yet"):
        rules.start_attempt(db.session, quiz, student.id, NOW)
    inside = NOW + timedelta(minutes=90)
    attempt = rules.start_attempt(db.session, quiz, student.id, inside)
    assert rules.start_attempt(db.session, quiz, student.id, inside) is attempt  # resumed
    assert rules.finish_attempt(db.session, attempt, inside)
    with pytest.raises(rules.QuizError, match="used all your attempts"):
        rules.start_attempt(db.session, quiz, student.id, inside)
    with pytest.raises(rules.QuizError, match="closed"):
        rules.start_attempt(db.session, quiz, people[2].id, NOW + timedelta(hours=3))


def test_removed_students_and_outsiders_cannot_start(make_user, people):
    teacher, student, _ = people
    gone = make_user(Role.STUDENT)
    outsider = make_user(Role.STUDENT)
    klass = make_class(teacher, students=[student], removed=[gone])
    _, questions = tf_bank(1)
    quiz = make_quiz(klass, questions=questions)
    for user in (gone, outsider):
        with pytest.raises(rules.QuizError, match="Only the class's students"):
            rules.start_attempt(db.session, quiz, user.id, NOW)


def test_unpublished_quiz_cannot_be_started(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(klass, questions=questions, published=False)
    with pytest.raises(rules.QuizError, match="not open to students"):
        rules.start_attempt(db.session, quiz, people[1].id, NOW)


def test_random_draws_differ_between_students_and_never_repeat(people, klass):
    bank, questions = tf_bank(12)
    fixed = questions[0]
    quiz = make_quiz(
        klass,
        questions=[fixed],
        draws=[{"bank_id": bank.id, "count": 5}, {"bank_id": bank.id, "count": 5}],
    )
    one = rules.start_attempt(db.session, quiz, people[1].id, NOW, random.Random(1))
    two = rules.start_attempt(db.session, quiz, people[2].id, NOW, random.Random(2))
    for attempt in (one, two):
        ids = [item.question_id for item in attempt.items]
        assert len(ids) == 11 and len(set(ids)) == 11
        assert fixed.id in ids
    assert [i.question_id for i in one.items] != [i.question_id for i in two.items]


def test_a_question_edit_never_changes_a_started_attempt(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(klass, questions=questions)
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    question = questions[0]
    question.content = {"prompt": "Edited", "answer": True}
    question.version += 1
    db.session.commit()
    item = attempt.items[0]
    assert item.content["prompt"] == "Claim 0" and item.question_version == 1
    rules.save_answer(db.session, attempt, 1, {"answer": "false"}, 0, NOW)
    assert item.fraction == 1.0  # graded on the snapshot, where the answer is False


def test_a_stale_page_is_refused_and_a_double_click_is_harmless(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(klass, questions=questions)
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    rules.save_answer(db.session, attempt, 1, {"answer": "true"}, 0, NOW)
    rules.save_answer(db.session, attempt, 1, {"answer": "true"}, 0, NOW)  # same click again
    rules.save_answer(db.session, attempt, 1, {"answer": "false"}, 1, NOW)  # changed, current
    with pytest.raises(rules.StaleAnswer, match="another tab or the Back button"):
        rules.save_answer(db.session, attempt, 1, {"answer": "true"}, 1, NOW)
    item = attempt.items[0]
    assert item.response == {"answer": False} and item.sequence == 2


def test_the_server_enforces_the_time_limit_and_autosubmits_with_the_saved_answers(people, klass):
    _, questions = tf_bank(2)
    quiz = make_quiz(klass, questions=questions, time_limit_seconds=600)
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    assert attempt.deadline == NOW + timedelta(minutes=10)
    rules.save_answer(db.session, attempt, 1, {"answer": "false"}, 0, NOW + timedelta(minutes=5))
    late = NOW + timedelta(minutes=11)
    with pytest.raises(rules.QuizError, match="closed"):
        rules.save_answer(db.session, attempt, 2, {"answer": "false"}, 0, late)
    assert attempt.state == "finished"
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == 0.5


def test_the_close_time_cuts_the_time_limit(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass, questions=questions, time_limit_seconds=3600, close_at=NOW + timedelta(minutes=20)
    )
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    assert attempt.deadline == NOW + timedelta(minutes=20)


def test_grace_period_allows_only_submitting_then_the_attempt_is_not_counted(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass,
        questions=questions,
        time_limit_seconds=600,
        overdue_handling="graceperiod",
        grace_seconds=300,
    )
    first = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    in_grace = NOW + timedelta(minutes=12)
    with pytest.raises(rules.QuizError, match="only submit"):
        rules.save_answer(db.session, first, 1, {"answer": "false"}, 0, in_grace)
    assert first.state == "overdue"
    assert rules.finish_attempt(db.session, first, in_grace)
    assert first.state == "finished"

    second = rules.start_attempt(db.session, quiz, people[2].id, NOW)
    assert rules.process_overdue(db.session, NOW + timedelta(minutes=16)) == 1
    assert second.state == "abandoned" and second.score is None
    with pytest.raises(rules.QuizError, match="not counted"):
        rules.finish_attempt(db.session, second, NOW + timedelta(minutes=17))


def test_autoabandon_never_counts_an_attempt_not_submitted_in_time(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass,
        questions=questions,
        time_limit_seconds=60,
        overdue_handling="autoabandon",
        attempts_allowed=2,
    )
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    answer_all(attempt)
    rules.process_overdue(db.session, NOW + timedelta(minutes=2))
    assert attempt.state == "abandoned"
    assert rules.quiz_grade([attempt], "highest") is None
    status = rules.student_status(db.session, quiz, people[1].id, NOW + timedelta(minutes=2))
    assert status.attempts_left == 1  # the abandoned attempt still used one


def test_overrides_give_one_student_more_time_a_later_close_and_an_extra_attempt(people, klass):
    _, one, two = people
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass, questions=questions, time_limit_seconds=600, close_at=NOW + timedelta(hours=1)
    )
    attempt = rules.start_attempt(db.session, quiz, one.id, NOW)
    rules.set_override(
        db.session,
        quiz,
        one.id,
        time_limit_minutes=30,
        close_at=NOW + timedelta(hours=3),
        extra_attempts=1,
        now=NOW,
    )
    assert attempt.deadline == NOW + timedelta(minutes=30)
    rules.finish_attempt(db.session, attempt, NOW + timedelta(minutes=20))
    late = NOW + timedelta(hours=2)
    assert rules.start_attempt(db.session, quiz, one.id, late).number == 2
    with pytest.raises(rules.QuizError, match="closed"):
        rules.start_attempt(db.session, quiz, two.id, late)
    with pytest.raises(rules.QuizError, match="student of the class"):
        rules.set_override(
            db.session,
            quiz,
            people[0].id,
            time_limit_minutes=5,
            close_at=None,
            extra_attempts=0,
            now=NOW,
        )


def test_changing_the_time_limit_moves_the_deadlines_of_open_attempts(people, klass):
    """As in Moodle: a longer time limit gives every open attempt the time at once, an
    overdue one in its grace period becomes answerable again, and an override still wins."""
    _, one, two = people
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass,
        questions=questions,
        time_limit_seconds=600,
        overdue_handling="graceperiod",
        grace_seconds=600,
    )
    first = rules.start_attempt(db.session, quiz, one.id, NOW)
    second = rules.start_attempt(db.session, quiz, two.id, NOW)
    rules.set_override(
        db.session, quiz, two.id, time_limit_minutes=15, close_at=None, extra_attempts=0, now=NOW
    )
    later = NOW + timedelta(minutes=12)
    rules.process_overdue(db.session, later)
    assert first.state == "overdue"  # past its 10 minutes, in the grace period

    settings = rules.QuizSettings(
        title=quiz.title,
        time_limit_minutes=30,
        overdue_handling="graceperiod",
        grace_minutes=10,
    )
    rules.update_quiz(db.session, quiz, settings, later)
    assert first.deadline == NOW + timedelta(minutes=30)
    assert first.state == "inprogress"
    rules.save_answer(db.session, first, 1, {"answer": "false"}, 0, later)
    assert second.deadline == NOW + timedelta(minutes=15)  # the override's limit

    shorter = rules.QuizSettings(title=quiz.title, time_limit_minutes=5)
    rules.update_quiz(db.session, quiz, shorter, later)
    assert first.deadline == NOW + timedelta(minutes=5)
    rules.process_overdue(db.session, later)
    assert first.state == "finished" and first.finished_at == NOW + timedelta(minutes=5)
    assert first.points == 1.0  # the answer saved by then counts
    assert second.state == "inprogress"  # the override still gives 15 minutes


@pytest.mark.parametrize(
    ("method", "expected"), [("highest", 1.0), ("last", 0.0), ("first", 0.5), ("average", 0.5)]
)
def test_grading_methods(method, expected):
    class A:
        def __init__(self, number, score):
            self.number, self.score, self.state = number, score, "finished"

    assert rules.quiz_grade([A(1, 0.5), A(2, 1.0), A(3, 0.0)], method) == expected


def test_essays_wait_for_the_teacher_and_the_grade_updates_the_score(people, klass):
    teacher, student, _ = people
    bank = make_bank("Essays")
    essay = make_question(bank, "essay")
    _, questions = tf_bank(1)
    quiz = make_quiz(klass, questions=[questions[0], essay])
    attempt = rules.start_attempt(db.session, quiz, student.id, NOW)
    rules.save_answer(db.session, attempt, 1, {"answer": "false"}, 0, NOW)
    rules.save_answer(db.session, attempt, 2, {"text": "Because."}, 0, NOW)
    rules.finish_attempt(db.session, attempt, NOW)
    assert attempt.score == 0.5
    queue = rules.grading_queue(db.session, quiz.id)
    assert [item.position for item in queue] == [2]
    assert rules.student_status(db.session, quiz, student.id, NOW).code == "submitted"
    with pytest.raises(rules.QuizError, match="between 0 and 1"):
        rules.grade_essay(db.session, quiz, queue[0].id, "2", "", teacher.id, NOW)
    rules.grade_essay(db.session, quiz, queue[0].id, "1", "Good", teacher.id, NOW)
    db.session.refresh(attempt)
    assert attempt.score == 1.0
    assert rules.grading_queue(db.session, quiz.id) == []
    assert rules.student_status(db.session, quiz, student.id, NOW).code == "graded"


def test_missed_questions_go_to_reviews_at_submission(people, klass):
    _, student, _ = people
    _, questions = tf_bank(3)
    quiz = make_quiz(klass, questions=questions)
    attempt = rules.start_attempt(db.session, quiz, student.id, NOW)
    rules.save_answer(db.session, attempt, 1, {"answer": "false"}, 0, NOW)  # right
    rules.save_answer(db.session, attempt, 2, {"answer": "true"}, 0, NOW)  # wrong
    rules.finish_attempt(db.session, attempt, NOW)  # question 3 unanswered
    cards = db.session.scalars(
        select(ReviewCard.question_id).where(ReviewCard.user_id == student.id)
    )
    expected = {attempt.items[1].question_id, attempt.items[2].question_id}
    assert set(cards) == expected


def test_missed_questions_wait_for_the_close_when_released_then(people, klass):
    _, student, _ = people
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass,
        questions=questions,
        close_at=NOW + timedelta(hours=1),
        missed_to_reviews_at="release",
    )
    attempt = rules.start_attempt(db.session, quiz, student.id, NOW)
    rules.finish_attempt(db.session, attempt, NOW)

    def cards():
        return db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == student.id)).all()

    assert cards() == []
    rules.process_overdue(db.session, NOW + timedelta(hours=2), quiz_id=quiz.id)
    assert len(cards()) == 1


def test_no_reviews_when_the_quiz_says_so(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(klass, questions=questions, send_missed_to_reviews=False)
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    rules.finish_attempt(db.session, attempt, NOW)
    assert db.session.scalars(select(ReviewCard)).all() == []


def test_review_options_follow_the_matrix(people, klass):
    _, questions = tf_bank(1)
    quiz = make_quiz(
        klass,
        questions=questions,
        close_at=NOW + timedelta(hours=1),
        review_score="after_submission",
        review_right_answers="after_close",
        review_feedback="never",
        review_answers="immediately",
    )
    attempt = rules.start_attempt(db.session, quiz, people[1].id, NOW)
    assert rules.review_visible(quiz, "answers", attempt, NOW)
    assert not rules.review_visible(quiz, "score", attempt, NOW)
    rules.finish_attempt(db.session, attempt, NOW)
    assert rules.review_visible(quiz, "score", attempt, NOW)
    assert not rules.review_visible(quiz, "right_answers", attempt, NOW)
    assert rules.review_visible(quiz, "right_answers", attempt, NOW + timedelta(hours=2))
    assert not rules.review_visible(quiz, "feedback", attempt, NOW + timedelta(hours=2))


def test_settings_are_checked(people, klass):
    bad = rules.QuizSettings(title="T", open_at=NOW, close_at=NOW)
    with pytest.raises(rules.QuizError, match="close after it opens"):
        rules.create_quiz(db.session, klass.id, people[0].id, bad, NOW)
    with pytest.raises(rules.QuizError, match="grace period"):
        rules.create_quiz(
            db.session,
            klass.id,
            people[0].id,
            rules.QuizSettings(title="T", overdue_handling="graceperiod"),
            NOW,
        )


def test_a_random_rule_needs_enough_questions(people, klass):
    bank, _ = tf_bank(2)
    quiz = make_quiz(klass)
    with pytest.raises(rules.QuizError, match="Only 2 questions match"):
        rules.add_random_rule(db.session, quiz, bank_id=bank.id, count=3)
    slot = rules.add_random_rule(db.session, quiz, bank_id=bank.id, count=2, points="2.5")
    assert slot.points == 2.5 and rules.total_points(quiz) == 5.0
