"""What a class is forgetting, from its students' review cards, over plain data.

Per topic: the mean predicted retrievability today and in a week, and how many students
have the topic at risk; per question: the ones the class forgets most. Only students who
share their review data count. No figure describes fewer than MIN_SHARING_STUDENTS
students (k-anonymity): with fewer sharing students in the class there are no topic or
question figures at all, and a topic or question fewer of them study is left out.

Retrievability is FSRS's, computed as the study queue and Progress compute it: the
student's own scheduler (`scheduler_for`) and `get_card_retrievability`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import fsrs

from ..models import StudySettings
from ..models.reviews import STUDY_DEFAULTS
from ..scheduling import scheduler_for
from ..scheduling.days import as_utc

MIN_SHARING_STUDENTS = 5
AHEAD = timedelta(days=7)
MOST_FORGOTTEN = 10


@dataclass(frozen=True)
class CardMemory:
    """One review card's FSRS state. A card never reviewed (no last review or stability)
    has no retrievability and counts nowhere."""

    card_id: int
    question_id: int
    topic: str | None  # the topic path, None for questions under no topic
    stability: float | None
    difficulty: float | None
    last_review: datetime | None
    due: datetime
    lapses: int = 0


@dataclass(frozen=True)
class StudentMemory:
    student_id: int
    shares: bool  # False: the student opted out of sharing review data with the class
    cards: Sequence[CardMemory]
    desired_retention: float = STUDY_DEFAULTS["desired_retention"]
    parameters: Sequence[float] | None = None  # personal FSRS parameters, if optimized


@dataclass(frozen=True)
class TopicMemory:
    topic: str | None
    students: int  # sharing students with a reviewed card in the topic
    cards: int
    retrievability_today: float
    retrievability_in_week: float
    students_at_risk: int  # whose mean retrievability today is below the threshold


@dataclass(frozen=True)
class QuestionMemory:
    question_id: int
    topic: str | None
    students: int
    lapses: int  # summed over the students
    retrievability_today: float  # mean over the students


@dataclass(frozen=True)
class ClassMemory:
    sharing: int
    opted_out: int
    too_few_students: bool  # fewer than MIN_SHARING_STUDENTS share: nothing below
    topics: tuple[TopicMemory, ...]
    most_forgotten: tuple[QuestionMemory, ...]
    hidden_topics: int  # topics left out: too few students study them


@dataclass
class _Reading:
    student_id: int
    card: CardMemory
    today: float
    in_week: float


def class_memory(
    students: Sequence[StudentMemory],
    now: datetime,
    *,
    threshold: float | None = None,
    most_forgotten: int = MOST_FORGOTTEN,
) -> ClassMemory:
    """The class's memory at `now`. A topic is at risk for a student when their mean
    retrievability in it is below `threshold`, or below their own desired retention
    when no threshold is given."""
    sharing = [s for s in students if s.shares]
    opted_out = len(students) - len(sharing)
    if len(sharing) < MIN_SHARING_STUDENTS:
        return ClassMemory(len(sharing), opted_out, True, (), (), 0)
    readings: list[_Reading] = []
    targets: dict[int, float] = {}
    for student in sharing:
        targets[student.student_id] = (
            threshold if threshold is not None else student.desired_retention
        )
        readings += _readings(student, now)
    topics, hidden = _topics(readings, targets)
    questions = _questions(readings)[: max(most_forgotten, 0)]
    return ClassMemory(len(sharing), opted_out, False, topics, tuple(questions), hidden)


def _scheduler(student: StudentMemory) -> fsrs.Scheduler:
    # A settings row that is never saved: the student's retention and parameters with
    # the app's defaults for the rest, so that the fallback for unusable parameters
    # stays the one every other part of the app uses.
    values = {name: copy.copy(value) for name, value in STUDY_DEFAULTS.items()}
    values["desired_retention"] = student.desired_retention
    settings = StudySettings(
        user_id=student.student_id,
        parameters=list(student.parameters) if student.parameters else None,
        **values,
    )
    return scheduler_for(settings)


def _readings(student: StudentMemory, now: datetime) -> list[_Reading]:
    scheduler = _scheduler(student)
    now = as_utc(now)
    readings = []
    for card in student.cards:
        if card.last_review is None or not card.stability:
            continue
        # A card_id: without one fsrs.Card sleeps a millisecond to make a unique id.
        state = fsrs.Card(
            card_id=card.card_id,
            state=fsrs.State.Review,
            stability=card.stability,
            difficulty=card.difficulty,
            last_review=as_utc(card.last_review),
            due=as_utc(card.due),
        )
        readings.append(
            _Reading(
                student.student_id,
                card,
                scheduler.get_card_retrievability(state, now),
                scheduler.get_card_retrievability(state, now + AHEAD),
            )
        )
    return readings


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _topics(
    readings: list[_Reading], targets: dict[int, float]
) -> tuple[tuple[TopicMemory, ...], int]:
    by_topic: dict[str | None, list[_Reading]] = {}
    for reading in readings:
        by_topic.setdefault(reading.card.topic, []).append(reading)
    topics, hidden = [], 0
    for topic, group in by_topic.items():
        per_student: dict[int, list[float]] = {}
        for reading in group:
            per_student.setdefault(reading.student_id, []).append(reading.today)
        if len(per_student) < MIN_SHARING_STUDENTS:
            hidden += 1
            continue
        at_risk = sum(
            1 for student, values in per_student.items() if _mean(values) < targets[student]
        )
        topics.append(
            TopicMemory(
                topic=topic,
                students=len(per_student),
                cards=len(group),
                retrievability_today=_mean([r.today for r in group]),
                retrievability_in_week=_mean([r.in_week for r in group]),
                students_at_risk=at_risk,
            )
        )
    # The least remembered first; topics under no topic path after the named ones on ties.
    topics.sort(key=lambda t: (t.retrievability_today, t.topic is None, t.topic or ""))
    return tuple(topics), hidden


def _questions(readings: list[_Reading]) -> list[QuestionMemory]:
    by_question: dict[int, list[_Reading]] = {}
    for reading in readings:
        by_question.setdefault(reading.card.question_id, []).append(reading)
    questions = []
    for question_id, group in by_question.items():
        if len({r.student_id for r in group}) < MIN_SHARING_STUDENTS:
            continue
        questions.append(
            QuestionMemory(
                question_id=question_id,
                topic=group[0].card.topic,
                students=len({r.student_id for r in group}),
                lapses=sum(r.card.lapses for r in group),
                retrievability_today=_mean([r.today for r in group]),
            )
        )
    # Forgotten most: the most lapses, then the lowest retrievability.
    questions.sort(key=lambda q: (-q.lapses, q.retrievability_today, q.question_id))
    return questions
