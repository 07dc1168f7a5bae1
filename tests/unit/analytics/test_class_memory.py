"""What a class forgets, against a review history made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from app.analytics.class_memory import (
    MIN_SHARING_STUDENTS,
    CardMemory,
    StudentMemory,
    class_memory,
)

approx = pytest.approx
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

# FSRS 6 with the default parameters: R(t, S) = (1 + F t / S)^D, D = −w20 = −0.1542,
# F = 0.9^(1/D) − 1 = 0.980346; by construction R = 0.9 when t = S.
# With S = 7: R(0) = 1, R(7) = 0.9, R(14) = 2.960693^−0.1542 = 0.845885,
# R(21) = 3.941039^−0.1542 = 0.809388.
R7, R14 = 0.9, 0.845885


def card(card_id, question_id, topic, reviewed_days_ago, lapses=0, stability=7.0):
    last = None if reviewed_days_ago is None else NOW - timedelta(days=reviewed_days_ago)
    return CardMemory(
        card_id=card_id,
        question_id=question_id,
        topic=topic,
        stability=stability if last else None,
        difficulty=5.0 if last else None,
        last_review=last,
        due=(last or NOW) + timedelta(days=7),
        lapses=lapses,
    )


def history() -> list[StudentMemory]:
    """Six sharing students and one who opted out.

    Cells/101: everyone reviewed 7 days ago (R 0.9 today, R14 in a week); lapses 2, 0, 1.
    Cells/102: reviewed today (R 1, 0.9 in a week), but student 3 14 days ago (R14, R21).
    Student 4 also has a new card (103) that was never reviewed: it counts nowhere.
    Genes/201: only students 1 to 3, too few to show.
    Student 2 wants a retention of 0.97. Student 7 opted out, with a long-forgotten,
    much-lapsed history that would change every figure if it were counted.
    """
    lapses_101 = {1: 2, 3: 1}
    students = []
    for n in range(1, 7):
        cards = [
            card(n * 10 + 1, 101, "Cells", 7, lapses=lapses_101.get(n, 0)),
            card(n * 10 + 2, 102, "Cells", 14 if n == 3 else 0),
        ]
        if n == 4:
            cards.append(card(n * 10 + 3, 103, "Cells", None))
        if n <= 3:
            cards.append(card(n * 10 + 4, 201, "Genes", 7, lapses=4))
        students.append(StudentMemory(n, True, cards, desired_retention=0.97 if n == 2 else 0.9))
    forgotten = [card(71, 101, "Cells", 365, lapses=10), card(72, 102, "Cells", 365, lapses=10)]
    students.append(StudentMemory(7, False, forgotten))
    return students


def test_topic_retrievability_today_and_in_a_week():
    memory = class_memory(history(), NOW)
    assert (memory.sharing, memory.opted_out, memory.too_few_students) == (6, 1, False)
    (cells,) = memory.topics
    assert (cells.topic, cells.students, cells.cards) == ("Cells", 6, 12)
    # Today: 101 is 0.9 × 6; 102 is 1 × 5 + R14. (5.4 + 5 + 0.845885) / 12.
    assert cells.retrievability_today == approx(0.937157, abs=1e-6)
    # In a week: 101 is R14 × 6; 102 is 0.9 × 5 + R21. (6 R14 + 4.5 + R21) / 12.
    assert cells.retrievability_in_week == approx(0.865391, abs=1e-6)


def test_genes_is_studied_by_too_few_to_show():
    memory = class_memory(history(), NOW)
    assert [t.topic for t in memory.topics] == ["Cells"]
    assert memory.hidden_topics == 1
    assert 201 not in [q.question_id for q in memory.most_forgotten]


def test_students_at_risk_against_their_own_retention_or_a_threshold():
    # Each student's mean in Cells: (0.9 + 1) / 2 = 0.95, student 3 (0.9 + R14) / 2 = 0.873.
    # Below their desired retention: student 2 (0.95 < 0.97) and student 3 (0.873 < 0.9).
    assert class_memory(history(), NOW).topics[0].students_at_risk == 2
    # A threshold of 0.96 for everyone: all six are below it.
    assert class_memory(history(), NOW, threshold=0.96).topics[0].students_at_risk == 6
    assert class_memory(history(), NOW, threshold=0.8).topics[0].students_at_risk == 0


def test_the_questions_forgotten_most():
    memory = class_memory(history(), NOW)
    # 101: lapses 2 + 1 = 3 (student 7's 10 not counted), R 0.9; 102: no lapses,
    # R (5 + R14) / 6. 103 was never reviewed, 201 has three students.
    first, second = memory.most_forgotten
    assert (first.question_id, first.lapses, first.students) == (101, 3, 6)
    assert first.retrievability_today == approx(R7)
    assert (second.question_id, second.lapses) == (102, 0)
    assert second.retrievability_today == approx((5 + R14) / 6, abs=1e-6)
    assert class_memory(history(), NOW, most_forgotten=1).most_forgotten == (first,)


def test_fewer_than_five_sharing_students_show_nothing_per_student():
    students = history()
    # Students 5 and 6 opt out as well: four share.
    students = [
        StudentMemory(s.student_id, False, s.cards) if s.student_id in (5, 6) else s
        for s in students
    ]
    memory = class_memory(students, NOW)
    assert MIN_SHARING_STUDENTS == 5
    assert (memory.sharing, memory.opted_out, memory.too_few_students) == (4, 3, True)
    assert memory.topics == () and memory.most_forgotten == ()
    # Exactly five is enough.
    five = class_memory(history()[1:], NOW)
    assert (five.sharing, five.too_few_students) == (5, False)
    assert five.topics[0].students == 5


def test_an_empty_class():
    memory = class_memory([], NOW)
    assert (memory.sharing, memory.opted_out, memory.too_few_students) == (0, 0, True)


def test_each_student_is_read_with_their_own_parameters():
    # A decay w20 = 0.5: F = 0.9^(1/−0.5) − 1 = 1/0.81 − 1 = 0.234568, and after 14 days
    # at S = 7: R = (1 + 2F)^−0.5 = 1.469136^−0.5 = 0.825029 (0.845885 with the defaults).
    parameters = list(DEFAULT_PARAMETERS)
    parameters[20] = 0.5
    students = [
        StudentMemory(n, True, [card(n, 101, "Cells", 14)], parameters=parameters)
        for n in range(1, 6)
    ]
    (cells,) = class_memory(students, NOW).topics
    assert cells.retrievability_today == approx(0.825029, abs=1e-6)
