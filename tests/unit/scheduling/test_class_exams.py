"""A class quiz's exam date: every current student of the class prepares its questions."""

from __future__ import annotations

from datetime import date, timedelta

import fsrs
import pytest

from app.classes import roster
from app.extensions import db
from app.models import ExamDate, Role
from app.scheduling import (
    ExamError,
    ExamNotFound,
    active_exam_dates,
    day_bounds,
    delete_class_exam_date,
    delete_exam_date,
    exam_candidates,
    exam_overview,
    get_settings,
    scheduler_for,
    set_class_exam_date,
    set_exam_date,
    set_exam_target,
    to_fsrs_card,
)
from tests import factories

from .helpers import T0, answer, reload, review_card, set_settings

TODAY = date(2024, 6, 3)  # T0's study day for a UTC student
EXAM_DAY = TODAY + timedelta(days=10)
EXAM_STARTS = day_bounds(EXAM_DAY, "UTC", 4)[0]
EVE_STARTS = day_bounds(EXAM_DAY - timedelta(days=1), "UTC", 4)[0]
DAY = timedelta(days=1)
ON_THE_EVE = T0 + 9 * DAY


def predicted(user_id, card, moment=EXAM_STARTS) -> float:
    scheduler = scheduler_for(get_settings(db.session, user_id))
    return scheduler.get_card_retrievability(to_fsrs_card(card), moment)


@pytest.fixture
def setting(app, make_user):
    """A class whose quiz has one chosen question and a rule drawing from Geography; the
    bank has a question in neither (out) and a flashcard in Geography (never drawn)."""
    teacher = make_user(Role.TEACHER)
    student, outsider = make_user(), make_user()
    bank = factories.make_bank("History", topics=("Timeline", "Geography"))
    topics = factories.topics_of(bank)

    def question(topic, n):
        return factories.make_question(
            bank,
            "true_false",
            topic=topics[topic],
            content={"prompt": f"Statement {n}", "answer": True},
        )

    picked, pool, out = question("Timeline", 1), question("Geography", 2), question("Timeline", 3)
    flashcard = factories.make_question(bank, "flashcard", topic=topics["Geography"])
    school_class = factories.make_class(teacher, students=[student])
    quiz = factories.make_quiz(
        school_class,
        questions=[picked],
        draws=[{"bank_id": bank.id, "topic_id": topics["Geography"].id, "count": 1}],
    )
    set_settings(student.id, new_per_day=0)
    set_settings(outsider.id, new_per_day=0)
    cards = {}
    for user in (student, outsider):
        for name, q in (("picked", picked), ("pool", pool), ("out", out), ("flash", flashcard)):
            # Due after the exam, below 0.95 on the day: an exam would add a review.
            cards[user.id, name] = review_card(
                user.id, q, stability=15, last_review=T0 - 25 * DAY, due=T0 + 15 * DAY
            )
            assert predicted(user.id, cards[user.id, name]) < 0.95
    return {
        "class": school_class,
        "quiz": quiz,
        "student": student,
        "outsider": outsider,
        "cards": cards,
        "bank": bank,
        "topics": topics,
    }


def class_exam(quiz, exam_on=EXAM_DAY, label=""):
    made = set_class_exam_date(db.session, quiz, exam_on=exam_on, today=TODAY, label=label, now=T0)
    db.session.commit()
    return made


def candidate_ids(user_id, now=ON_THE_EVE):
    return {entry.card.id for entry in exam_candidates(db.session, user_id, now)}


def test_a_class_exam_brings_the_quizs_questions_only_to_its_students(setting):
    student, outsider, cards = setting["student"], setting["outsider"], setting["cards"]
    assert candidate_ids(student.id) == set()
    exam = class_exam(setting["quiz"], label="End of term")
    assert exam.user_id is None and exam.quiz_id == setting["quiz"].id
    entries = exam_candidates(db.session, student.id, ON_THE_EVE)
    assert {entry.card.id for entry in entries} == {
        cards[student.id, "picked"].id,
        cards[student.id, "pool"].id,
    }
    assert {entry.reason for entry in entries} == {"exam"}
    assert candidate_ids(student.id, T0) == set()  # not before the last days
    assert candidate_ids(outsider.id) == set()
    assert active_exam_dates(db.session, student.id, TODAY) == [exam]
    assert active_exam_dates(db.session, outsider.id, TODAY) == []
    (overview,) = exam_overview(db.session, student.id, T0)
    assert overview.exam == exam and overview.cards == 2 and overview.days_left == 10


def test_it_acts_as_the_students_own_exam_would(setting):
    """The same plan as a personal exam over the same cards: the outsider's exam on the
    Geography topic gives their pool card what the class exam gives the student's."""
    student, outsider, cards = setting["student"], setting["outsider"], setting["cards"]
    class_exam(setting["quiz"])
    db.session.delete(setting["quiz"])  # its exam goes with it
    db.session.delete(cards[outsider.id, "flash"])  # a topic exam would cover it
    db.session.commit()
    assert candidate_ids(student.id) == set()
    geography = setting["topics"]["Geography"]
    quiz = factories.make_quiz(
        setting["class"], draws=[{"bank_id": setting["bank"].id, "topic_id": geography.id}]
    )
    class_exam(quiz)
    set_exam_date(
        db.session, outsider.id, topic_id=geography.id, exam_on=EXAM_DAY, today=TODAY, now=T0
    )
    db.session.commit()
    mine = exam_candidates(db.session, student.id, ON_THE_EVE)
    theirs = exam_candidates(db.session, outsider.id, ON_THE_EVE)
    assert [e.card.id for e in mine] == [cards[student.id, "pool"].id]
    assert [e.card.id for e in theirs] == [cards[outsider.id, "pool"].id]
    assert mine[0].retrievability == pytest.approx(theirs[0].retrievability)


def test_an_answer_in_scope_is_capped_to_the_eve_as_with_an_own_exam(setting):
    student = setting["student"]
    quiz = setting["quiz"]
    # The chosen question's card, due before the exam, is the only one of the scope.
    db.session.delete(setting["cards"][student.id, "picked"])
    db.session.delete(setting["cards"][student.id, "pool"])
    db.session.commit()
    soon = review_card(
        student.id, quiz.slots[0].question, stability=3, last_review=T0 - DAY, due=T0 + 2 * DAY
    )
    class_exam(quiz)
    soon = reload(soon)
    answer(student.id, soon, fsrs.Rating.Good, soon.due)
    assert reload(soon).due == EVE_STARTS


def test_removal_ends_it_and_letting_back_in_or_joining_later_brings_it(setting, make_user):
    student, school_class = setting["student"], setting["class"]
    class_exam(setting["quiz"])
    assert len(candidate_ids(student.id)) == 2
    roster.remove_student(db.session, school_class, student.id, T0)
    db.session.commit()
    assert candidate_ids(student.id) == set()
    assert active_exam_dates(db.session, student.id, TODAY) == []
    assert exam_overview(db.session, student.id, T0) == []
    roster.readmit_student(db.session, school_class, student.id)
    db.session.commit()
    assert len(candidate_ids(student.id)) == 2

    outsider, cards = setting["outsider"], setting["cards"]
    roster.join_class(db.session, school_class, outsider, T0 + DAY)
    db.session.commit()
    assert candidate_ids(outsider.id) == {
        cards[outsider.id, "picked"].id,
        cards[outsider.id, "pool"].id,
    }


def test_setting_again_moves_it_and_removing_it_ends_it(setting):
    student, quiz = setting["student"], setting["quiz"]
    first = class_exam(quiz)
    moved = class_exam(quiz, exam_on=EXAM_DAY + 20 * DAY, label="Moved")
    assert moved.id == first.id
    assert db.session.query(ExamDate).filter_by(quiz_id=quiz.id).count() == 1
    assert candidate_ids(student.id) == set()  # the eve is now three weeks later
    delete_class_exam_date(db.session, quiz.id)
    db.session.commit()
    assert active_exam_dates(db.session, student.id, TODAY) == []
    with pytest.raises(ExamNotFound):
        delete_class_exam_date(db.session, quiz.id)


def test_a_student_cannot_change_or_remove_the_class_exam(setting):
    student = setting["student"]
    exam = class_exam(setting["quiz"])
    with pytest.raises(ExamNotFound):
        delete_exam_date(db.session, student.id, exam.id)
    with pytest.raises(ExamNotFound):
        set_exam_target(db.session, student.id, exam.id, 0.97)


def test_refusals(setting):
    quiz = setting["quiz"]
    with pytest.raises(ExamError, match="in the past"):
        set_class_exam_date(db.session, quiz, exam_on=TODAY - DAY, today=TODAY)
    with pytest.raises(ExamError, match="years away"):
        set_class_exam_date(db.session, quiz, exam_on=TODAY + 6 * 366 * DAY, today=TODAY)
    with pytest.raises(ExamError, match="label"):
        set_class_exam_date(db.session, quiz, exam_on=EXAM_DAY, today=TODAY, label="x" * 121)
    db.session.rollback()
    assert db.session.query(ExamDate).count() == 0
