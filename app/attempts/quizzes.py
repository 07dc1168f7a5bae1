"""Quizzes with Moodle's exam rules: a window, a time limit, attempts, overdue handling.

The item-level work (snapshot, frozen shuffle, review) is `app.attempts.items`; this module
builds a quiz's questions, starts and finishes attempts, enforces the deadline, applies the
rule the quiz chose for an attempt still open at its deadline, grades by the quiz's method,
queues essays for the teacher and sends missed questions to the student's reviews.

Nothing here needs a process running at the deadline: `process_overdue` settles every
attempt whose deadline has passed, and is called when an attempt, a quiz page or the
results are read, by `flask quizzes finish-overdue` and by the `quizzes_finish_overdue` job.

No Flask: functions take the SQLAlchemy session and plain values, `now` is passed in, and
nothing is committed (the caller owns the transaction).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict, Invalid, NotFound
from ..models import (
    ClassMember,
    Question,
    QuestionBank,
    Quiz,
    QuizAttempt,
    QuizItem,
    QuizOverride,
    QuizSlot,
    Topic,
)
from ..models.banks import topic_subtree
from ..models.quizzes import (
    GRADING_METHODS,
    MISSED_TIMES,
    OVERDUE_RULES,
    REVIEW_PARTS,
    REVIEW_TIMES,
    GradeOverride,
)
from ..questions import CORRECT_THRESHOLD, QUESTION_TYPES, grade
from ..scheduling import add_to_reviews
from . import items as attempt_items
from .form_checks import answer_problem

# A student cannot mark their own flashcard in an exam; every other type is marked by the
# engine, and essays by the teacher.
QUIZ_KINDS = tuple(kind for kind in QUESTION_TYPES if kind != "flashcard")
TEACHER_GRADED = ("essay",)
MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60
MAX_ATTEMPTS = 100
MAX_POINTS = 1000.0
MAX_RULE_COUNT = 100
OPEN_STATES = ("inprogress", "overdue")

GRADING_LABELS = {
    "highest": "Highest grade",
    "last": "Last attempt",
    "first": "First attempt",
    "average": "Average of the attempts",
}
REVIEW_TIME_LABELS = {
    "immediately": "Immediately after each answer",
    "after_submission": "After submission",
    "after_close": "After the quiz closes",
    "never": "Never",
}
REVIEW_PART_LABELS = {
    "score": "Their score",
    "answers": "Their answers",
    "right_answers": "The right answers",
    "feedback": "Feedback",
}
OVERDUE_LABELS = {
    "autosubmit": "Open attempts are submitted automatically",
    "graceperiod": "A grace period to submit, without changing answers",
    "autoabandon": "Attempts must be submitted before time expires, or they are not counted",
}
MISSED_TIME_LABELS = {"submission": "At submission", "release": "When the quiz closes"}


class QuizError(Invalid):
    """A quiz request that cannot be carried out as given; `field` names the input at fault."""


class QuizNotFound(NotFound):
    """No such quiz, attempt or item for this user."""


class StaleAnswer(Conflict):
    """The page was older than the attempt: another tab, the Back button, a double click."""


# -- time zones ----------------------------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(
    moment: datetime | None, time_zone: str, field: str | None = None
) -> datetime | None:
    """A time entered in the class's time zone (naive), as aware UTC."""
    if moment is None:
        return None
    if not 1900 <= moment.year <= 2999:
        raise QuizError("Give a date between the years 1900 and 2999.", field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(time_zone))
    return moment.astimezone(ZoneInfo("UTC"))


def utc_to_local(moment: datetime | None, time_zone: str) -> datetime | None:
    """A stored UTC time in the class's time zone, naive, for a datetime-local input."""
    if moment is None:
        return None
    return moment.astimezone(zone(time_zone)).replace(tzinfo=None)


# -- settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizSettings:
    title: str
    description: str = ""
    open_at: datetime | None = None
    close_at: datetime | None = None
    time_limit_minutes: int | None = None
    attempts_allowed: int = 1
    grading_method: str = "highest"
    shuffle_questions: bool = False
    shuffle_options: bool = True
    review_score: str = "after_submission"
    review_answers: str = "after_submission"
    review_right_answers: str = "after_close"
    review_feedback: str = "after_close"
    overdue_handling: str = "autosubmit"
    grace_minutes: int = 0
    send_missed_to_reviews: bool = True
    missed_to_reviews_at: str = "submission"


def _check_settings(settings: QuizSettings) -> None:
    title = (settings.title or "").strip()
    if not title:
        raise QuizError("Give the quiz a title.", "title")
    if len(title) > 200:
        raise QuizError("Keep the title under 200 characters.", "title")
    if settings.open_at and settings.close_at and settings.close_at <= settings.open_at:
        raise QuizError("The quiz must close after it opens.", "close_at")
    limit = settings.time_limit_minutes
    if limit is not None and not 1 <= limit <= MAX_TIME_LIMIT_MINUTES:
        raise QuizError(
            f"A time limit is between 1 and {MAX_TIME_LIMIT_MINUTES} minutes, or none.",
            "time_limit_minutes",
        )
    if not 0 <= settings.attempts_allowed <= MAX_ATTEMPTS:
        raise QuizError(
            f"Allow between 1 and {MAX_ATTEMPTS} attempts, or 0 for unlimited.",
            "attempts_allowed",
        )
    if settings.grading_method not in GRADING_METHODS:
        raise QuizError("Choose a grading method from the list.", "grading_method")
    for part in REVIEW_PARTS:
        if getattr(settings, f"review_{part}") not in REVIEW_TIMES:
            raise QuizError("Choose when students see this from the list.", f"review_{part}")
    if settings.overdue_handling not in OVERDUE_RULES:
        raise QuizError("Choose what happens when time runs out.", "overdue_handling")
    if (
        settings.overdue_handling == "graceperiod"
        and not 1 <= settings.grace_minutes <= 7 * 24 * 60
    ):
        raise QuizError("A grace period is at least one minute.", "grace_minutes")
    if settings.missed_to_reviews_at not in MISSED_TIMES:
        raise QuizError("Choose when missed questions go to reviews.", "missed_to_reviews_at")


def _apply_settings(quiz: Quiz, settings: QuizSettings) -> None:
    _check_settings(settings)
    quiz.title = settings.title.strip()
    quiz.description = (settings.description or "").strip()
    quiz.open_at = settings.open_at
    quiz.close_at = settings.close_at
    minutes = settings.time_limit_minutes
    quiz.time_limit_seconds = minutes * 60 if minutes else None
    quiz.attempts_allowed = settings.attempts_allowed
    quiz.grading_method = settings.grading_method
    quiz.shuffle_questions = bool(settings.shuffle_questions)
    quiz.shuffle_options = bool(settings.shuffle_options)
    for part in REVIEW_PARTS:
        setattr(quiz, f"review_{part}", getattr(settings, f"review_{part}"))
    quiz.overdue_handling = settings.overdue_handling
    grace = settings.grace_minutes if settings.overdue_handling == "graceperiod" else 0
    quiz.grace_seconds = grace * 60
    quiz.send_missed_to_reviews = bool(settings.send_missed_to_reviews)
    quiz.missed_to_reviews_at = settings.missed_to_reviews_at


def create_quiz(
    session: Session, class_id: int, user_id: int, settings: QuizSettings, now: datetime
) -> Quiz:
    quiz = Quiz(class_id=class_id, created_by_id=user_id, created_at=now)
    _apply_settings(quiz, settings)
    session.add(quiz)
    session.flush()
    return quiz


def update_quiz(session: Session, quiz: Quiz, settings: QuizSettings, now: datetime) -> Quiz:
    """Change the settings; open attempts follow a changed time limit or close time at once,
    as in Moodle (each under its student's override)."""
    _apply_settings(quiz, settings)
    session.flush()
    _refresh_deadlines(session, quiz, None, None, now)
    return quiz


def set_published(session: Session, quiz: Quiz, published: bool) -> None:  # noqa: FBT001
    if published and not quiz.slots:
        raise QuizError("Add questions before publishing the quiz.")
    quiz.published = published
    session.flush()


# -- slots ---------------------------------------------------------------------------------------


def _check_points(points: Any) -> float:
    try:
        value = float(points)
    except (TypeError, ValueError):
        raise QuizError("Points are a number.", "points") from None
    if not (0 < value <= MAX_POINTS) or value != value:  # noqa: PLR0124 - NaN
        raise QuizError(f"Points are more than 0 and at most {MAX_POINTS:g}.", "points")
    return round(value, 2)


def _next_position(quiz: Quiz) -> int:
    return max((slot.position for slot in quiz.slots), default=0) + 1


def add_questions(
    session: Session, quiz: Quiz, question_ids: Iterable[Any], points: Any = 1
) -> int:
    """Add the chosen questions (each once); how many were new to the quiz."""
    value = _check_points(points)
    try:
        wanted = sorted({int(i) for i in question_ids})
    except (TypeError, ValueError):
        raise QuizError("Pick questions from the list.", "question_ids") from None
    if not wanted:
        raise QuizError("Tick at least one question.", "question_ids")
    found = session.scalars(select(Question).where(Question.id.in_(wanted))).all()
    if len(found) != len(wanted):
        raise QuizError("A question you picked no longer exists; pick again.", "question_ids")
    if any(question.kind not in QUIZ_KINDS for question in found):
        raise QuizError("Flashcards cannot be in a quiz: students would mark themselves.")
    present_ids = {slot.question_id for slot in quiz.slots if slot.question_id}
    added = 0
    for question in sorted(found, key=lambda q: q.id):
        if question.id in present_ids:
            continue
        quiz.slots.append(
            QuizSlot(position=_next_position(quiz), points=value, question_id=question.id)
        )
        added += 1
    session.flush()
    return added


def rule_candidates(
    session: Session,
    bank_id: int,
    topic_id: int | None = None,
    difficulty: int | None = None,
    kind: str | None = None,
) -> list[int]:
    """Ids of the questions a random rule draws from."""
    query = select(Question.id).where(Question.bank_id == bank_id, Question.kind.in_(QUIZ_KINDS))
    if topic_id is not None:
        topic = session.get(Topic, topic_id)
        if topic is None:
            return []
        query = query.where(Question.topic_id.in_(topic_subtree(topic)))
    if difficulty is not None:
        query = query.where(Question.difficulty == difficulty)
    if kind:
        query = query.where(Question.kind == kind)
    return list(session.scalars(query.order_by(Question.id)))


def add_random_rule(
    session: Session,
    quiz: Quiz,
    *,
    bank_id: Any,
    topic_id: Any = None,
    difficulty: Any = None,
    kind: str | None = None,
    count: Any = 1,
    points: Any = 1,
) -> QuizSlot:
    """ "5 questions of topic X, difficulty 2": each student gets their own draw."""
    value = _check_points(points)
    try:
        bank_id = int(bank_id)
        topic_id = int(topic_id) if topic_id not in (None, "", 0) else None
        difficulty = int(difficulty) if difficulty not in (None, "", 0) else None
        count = int(count)
    except (TypeError, ValueError):
        raise QuizError("Pick the bank, topic and difficulty from the lists.", "bank_id") from None
    if session.get(QuestionBank, bank_id) is None:
        raise QuizError("Pick a bank from the list.", "bank_id")
    if topic_id is not None:
        topic = session.get(Topic, topic_id)
        if topic is None or topic.bank_id != bank_id:
            raise QuizError("Pick a topic of that bank.", "topic_id")
    if difficulty is not None and not 1 <= difficulty <= 5:
        raise QuizError("Difficulty is 1 to 5.", "difficulty")
    kind = kind or None
    if kind is not None and kind not in QUIZ_KINDS:
        raise QuizError("Pick a question type from the list.", "kind")
    if not 1 <= count <= MAX_RULE_COUNT:
        raise QuizError(f"Draw between 1 and {MAX_RULE_COUNT} questions.", "count")
    available = len(rule_candidates(session, bank_id, topic_id, difficulty, kind))
    if available < count:
        raise QuizError(
            f"Only {available} question{'s' if available != 1 else ''} match this rule.", "count"
        )
    slot = QuizSlot(
        position=_next_position(quiz),
        points=value,
        bank_id=bank_id,
        topic_id=topic_id,
        difficulty=difficulty,
        kind=kind,
        count=count,
    )
    quiz.slots.append(slot)
    session.flush()
    return slot


def remove_slot(session: Session, quiz: Quiz, slot_id: int) -> None:
    slot = next((slot for slot in quiz.slots if slot.id == slot_id), None)
    if slot is None:
        raise QuizNotFound("That question is not in this quiz.")
    quiz.slots.remove(slot)
    session.flush()


def question_count(quiz: Quiz) -> int:
    return sum(1 if slot.question_id else slot.count for slot in quiz.slots)


def total_points(quiz: Quiz) -> float:
    return sum(slot.points * (1 if slot.question_id else slot.count) for slot in quiz.slots)


# -- overrides and deadlines ---------------------------------------------------------------------


def override_for(session: Session, quiz_id: int, user_id: int) -> QuizOverride | None:
    return session.scalar(
        select(QuizOverride).where(QuizOverride.quiz_id == quiz_id, QuizOverride.user_id == user_id)
    )


def effective_close(quiz: Quiz, override: QuizOverride | None) -> datetime | None:
    if override is not None and override.close_at is not None:
        return override.close_at
    return quiz.close_at


def effective_time_limit(quiz: Quiz, override: QuizOverride | None) -> int | None:
    if override is not None and override.time_limit_seconds is not None:
        return override.time_limit_seconds
    return quiz.time_limit_seconds


def attempts_allowed(quiz: Quiz, override: QuizOverride | None) -> int:
    """0 means unlimited."""
    if quiz.attempts_allowed == 0:
        return 0
    return quiz.attempts_allowed + (override.extra_attempts if override else 0)


def deadline_for(
    quiz: Quiz, override: QuizOverride | None, started_at: datetime
) -> datetime | None:
    """The earlier of the start plus the time limit and the close time, as Moodle computes it."""
    limits = []
    limit = effective_time_limit(quiz, override)
    if limit:
        limits.append(started_at + timedelta(seconds=limit))
    close = effective_close(quiz, override)
    if close is not None:
        limits.append(close)
    return min(limits) if limits else None


def set_override(
    session: Session,
    quiz: Quiz,
    user_id: int,
    *,
    time_limit_minutes: int | None,
    close_at: datetime | None,
    extra_attempts: int,
    now: datetime,
) -> QuizOverride:
    """One student's accommodation; their open attempt's deadline follows it."""
    enrolled_ids = set(
        session.scalars(
            select(ClassMember.user_id).where(
                ClassMember.class_id == quiz.class_id,
                ClassMember.role == "student",
                ClassMember.removed_at.is_(None),
            )
        )
    )
    if user_id not in enrolled_ids:
        raise QuizError("Pick a student of the class.", "user_id")
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
        raise QuizError(
            f"A time limit is between 1 and {MAX_TIME_LIMIT_MINUTES} minutes.",
            "time_limit_minutes",
        )
    if not 0 <= extra_attempts <= MAX_ATTEMPTS:
        raise QuizError(f"Give 0 to {MAX_ATTEMPTS} extra attempts.", "extra_attempts")
    if close_at is not None and quiz.open_at is not None and close_at <= quiz.open_at:
        raise QuizError("The close time must be after the quiz opens.", "close_at")
    if time_limit_minutes is None and close_at is None and not extra_attempts:
        raise QuizError("Give extra time, a later close time or an extra attempt.")
    override = override_for(session, quiz.id, user_id) or QuizOverride(
        quiz_id=quiz.id, user_id=user_id
    )
    override.time_limit_seconds = time_limit_minutes * 60 if time_limit_minutes else None
    override.close_at = close_at
    override.extra_attempts = extra_attempts
    session.add(override)
    session.flush()
    _refresh_deadlines(session, quiz, user_id, override, now)
    return override


def delete_override(session: Session, quiz: Quiz, user_id: int, now: datetime) -> None:
    override = override_for(session, quiz.id, user_id)
    if override is None:
        raise QuizNotFound("That student has no override.")
    session.delete(override)
    session.flush()
    _refresh_deadlines(session, quiz, user_id, None, now)


def _refresh_deadlines(
    session: Session,
    quiz: Quiz,
    user_id: int | None,
    override: QuizOverride | None,
    now: datetime,
) -> None:
    """Recompute the deadlines of open attempts: one student's under `override`, or (with no
    `user_id`) every student's under their own override."""
    query = select(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.state.in_(OPEN_STATES)
    )
    overrides: dict[int, QuizOverride] = {}
    if user_id is not None:
        query = query.where(QuizAttempt.user_id == user_id)
    else:
        overrides = {
            o.user_id: o
            for o in session.scalars(select(QuizOverride).where(QuizOverride.quiz_id == quiz.id))
        }
    for attempt in session.scalars(query):
        given = override if user_id is not None else overrides.get(attempt.user_id)
        attempt.deadline = deadline_for(quiz, given, attempt.started_at)
        # More time given to an attempt in its grace period lets the student answer again.
        if attempt.state == "overdue" and (attempt.deadline is None or attempt.deadline > now):
            attempt.state = "inprogress"
    session.flush()


# -- starting ------------------------------------------------------------------------------------


def is_enrolled(session: Session, class_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            select(ClassMember.id).where(
                ClassMember.class_id == class_id,
                ClassMember.user_id == user_id,
                ClassMember.role == "student",
                ClassMember.removed_at.is_(None),
            )
        )
        is not None
    )


def user_attempts(session: Session, quiz_id: int, user_id: int) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id)
            .order_by(QuizAttempt.number)
        )
    )


def attempts_left(quiz: Quiz, override: QuizOverride | None, attempts: Sequence[Any]) -> int | None:
    """None when unlimited. Every started attempt counts, a not counted one too (as in Moodle)."""
    allowed = attempts_allowed(quiz, override)
    if allowed == 0:
        return None
    return max(0, allowed - len(attempts))


def window_problem(quiz: Quiz, override: QuizOverride | None, now: datetime) -> str | None:
    if not quiz.published:
        return "This quiz is not open to students yet."
    if quiz.open_at is not None and now < quiz.open_at:
        return "This quiz is not open yet."
    close = effective_close(quiz, override)
    if close is not None and now >= close:
        return "This quiz is closed."
    return None


def draw_questions(
    session: Session, quiz: Quiz, rng: random.Random
) -> list[tuple[Question, float]]:
    """The questions of one attempt: the chosen ones, then each rule's draw, none twice."""
    taken: set[int] = {slot.question_id for slot in quiz.slots if slot.question_id}
    chosen: list[tuple[int, float]] = []
    for slot in quiz.slots:
        if slot.question_id is not None:
            chosen.append((slot.question_id, slot.points))
            continue
        candidates = [
            i
            for i in rule_candidates(
                session, slot.bank_id, slot.topic_id, slot.difficulty, slot.kind
            )
            if i not in taken
        ]
        for question_id in attempt_items.draw(candidates, slot.count, rng):
            taken.add(question_id)
            chosen.append((question_id, slot.points))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    ids = [question_id for question_id, _ in chosen]
    by_id = {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(ids)))}
    return [(by_id[i], points) for i, points in chosen if i in by_id]


def start_attempt(
    session: Session, quiz: Quiz, user_id: int, now: datetime, rng: random.Random | None = None
) -> QuizAttempt:
    """The student's open attempt if there is one, else a new one with its own draw.

    The student's class membership row is locked first, so two starts at once (two tabs,
    a double click) make one attempt.
    """
    member = session.scalar(
        select(ClassMember)
        .where(
            ClassMember.class_id == quiz.class_id,
            ClassMember.user_id == user_id,
            ClassMember.role == "student",
        )
        .with_for_update()
    )
    if member is None or member.removed_at is not None:
        raise QuizError("Only the class's students can take this quiz.")
    attempts = user_attempts(session, quiz.id, user_id)
    for attempt in attempts:
        settle_attempt(session, attempt, now)
    for attempt in attempts:
        if attempt.state in OPEN_STATES:
            return attempt
    override = override_for(session, quiz.id, user_id)
    problem = window_problem(quiz, override, now)
    if problem:
        raise QuizError(problem)
    if attempts_left(quiz, override, attempts) == 0:
        raise QuizError("You have used all your attempts at this quiz.")
    rng = rng or random.Random()
    drawn = draw_questions(session, quiz, rng)
    if not drawn:
        raise QuizError("This quiz has no questions yet.")
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        user_id=user_id,
        number=(attempts[-1].number if attempts else 0) + 1,
        started_at=now,
        deadline=deadline_for(quiz, override, now),
        state="inprogress",
        max_points=round(sum(points for _, points in drawn), 2),
    )
    options_rng = rng if quiz.shuffle_options else attempt_items.AuthoredOrder()
    questions = [question for question, _ in drawn]
    for values, (_, points) in zip(
        attempt_items.item_values(questions, options_rng), drawn, strict=True
    ):
        attempt.items.append(QuizItem(**values, points=points))
    session.add(attempt)
    session.flush()
    return attempt


# -- loading -------------------------------------------------------------------------------------


def load_attempt(session: Session, attempt_id: int) -> QuizAttempt:
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise QuizNotFound(f"No attempt {attempt_id}.")
    return attempt


def item_at(attempt: QuizAttempt, position: int) -> QuizItem:
    for item in attempt.items:
        if item.position == position:
            return item
    raise QuizNotFound(f"This attempt has no question {position}.")


# -- answering -----------------------------------------------------------------------------------


def _lock(session: Session, attempt: QuizAttempt) -> None:
    """Answers and the submit of one attempt take turns, so none lands after the submit.

    The locked row is read again in the same statement: its state and deadline are then
    the ones every other request sees."""
    session.execute(
        select(QuizAttempt)
        .where(QuizAttempt.id == attempt.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def can_change_answers(attempt: QuizAttempt, now: datetime) -> bool:
    if attempt.state != "inprogress":
        return False
    return attempt.deadline is None or now < attempt.deadline


def save_answer(
    session: Session,
    attempt: QuizAttempt,
    position: int,
    form: Mapping[str, Any],
    seen_sequence: int,
    now: datetime,
) -> QuizItem:
    """Store the answer as given, in place of the one the page showed.

    Refused (StaleAnswer, the current answer shown again) when the item changed since the
    page was loaded; refused (QuizError) after the deadline or once the attempt is submitted.
    """
    _lock(session, attempt)
    if is_overdue(attempt, now):
        process_overdue(session, now, attempt_id=attempt.id, release=False)
    item = item_at(attempt, position)
    if not can_change_answers(attempt, now):
        if attempt.state == "overdue":
            raise QuizError("Time is up: you can only submit the attempt now.")
        raise QuizError("This attempt is closed: answers can no longer change.")
    problem = answer_problem(item.question_kind, item.content, form)
    if problem:
        raise QuizError(problem, "answer")
    response = attempt_items.read_response(item, form)
    kind = item.question_kind
    if kind in TEACHER_GRADED:
        if not str(response.get("text") or "").strip():
            raise QuizError(attempt_items.BLANK_MESSAGE, "answer")
        fraction = None
    else:
        if attempt_items.is_blank(kind, response):
            raise QuizError(attempt_items.BLANK_MESSAGE, "answer")
        fraction = grade(kind, item.content, response).fraction
    if seen_sequence != item.sequence:
        if item.response == dict(response):
            return item  # the same answer again: a double click
        raise StaleAnswer(
            "This question was answered on another page since this one was loaded "
            "(another tab or the Back button): here is the answer that is saved."
        )
    if not attempt_items.save_response(session, item, response, seen_sequence, fraction, now):
        if item.response == dict(response):
            return item  # the same answer from a double click, saved a moment before
        raise StaleAnswer(
            "This question was answered at the same moment on another page: "
            "here is the answer that is saved."
        )
    return item


# -- finishing and scoring -----------------------------------------------------------------------


def needs_grading(item: Any) -> bool:
    return (
        item.question_kind in TEACHER_GRADED
        and item.answered_at is not None
        and item.fraction is None
    )


def _points(session: Session, attempt_id: int) -> float:
    total = session.scalar(
        select(func.sum(QuizItem.fraction * QuizItem.points)).where(
            QuizItem.attempt_id == attempt_id, QuizItem.fraction.is_not(None)
        )
    )
    return round(float(total or 0.0), 4)


def _score(points: float, max_points: float) -> float:
    return round(points / max_points, 6) if max_points else 0.0


def _close(
    session: Session, attempt: QuizAttempt, to_state: str, finished_at: datetime, now: datetime
) -> bool:
    """Move an open attempt to `to_state` exactly once; False if another request did first."""
    points = _points(session, attempt.id)
    written = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.state.in_(OPEN_STATES))
        .values(
            state=to_state,
            finished_at=finished_at,
            points=points if to_state == "finished" else None,
            score=_score(points, attempt.max_points) if to_state == "finished" else None,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if written.rowcount != 1:
        return False
    if to_state == "finished" and attempt.quiz.missed_to_reviews_at == "submission":
        send_missed_to_reviews(session, attempt, now)
    return True


def finish_attempt(session: Session, attempt: QuizAttempt, now: datetime) -> bool:
    """Submit the attempt: True the first time; False when it was already submitted.

    Past the deadline the quiz's rule decides: autosubmit has closed it at the deadline, a
    grace period still takes the submit, autoabandon refuses it.
    """
    _lock(session, attempt)
    process_overdue(session, now, attempt_id=attempt.id)
    if attempt.state == "finished":
        return False
    if attempt.state == "abandoned":
        raise QuizError("Time ran out before this attempt was submitted: it is not counted.")
    return _close(session, attempt, "finished", now, now)


def is_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    """An open attempt past its deadline: the quiz's rule has yet to apply to it."""
    return attempt.state in OPEN_STATES and attempt.deadline is not None and attempt.deadline <= now


def _missed_due(attempt: QuizAttempt, now: datetime) -> bool:
    """A submitted attempt whose missed questions wait for the quiz's close, now past."""
    quiz = attempt.quiz
    return (
        attempt.state == "finished"
        and attempt.missed_sent_at is None
        and quiz.send_missed_to_reviews
        and quiz.missed_to_reviews_at == "release"
        and quiz.close_at is not None
        and quiz.close_at <= now
    )


def settle_attempt(session: Session, attempt: QuizAttempt, now: datetime) -> bool:
    """`process_overdue` for one loaded attempt, with no statement when nothing is due."""
    if not (is_overdue(attempt, now) or _missed_due(attempt, now)):
        return False
    return process_overdue(session, now, attempt_id=attempt.id) > 0


def process_overdue(
    session: Session,
    now: datetime,
    *,
    quiz_id: int | None = None,
    attempt_id: int | None = None,
    release: bool = True,
) -> int:
    """Apply each quiz's rule to the open attempts whose deadline has passed; how many changed.

    Moodle's three rules: autosubmit finishes the attempt at its deadline with the answers
    saved by then; graceperiod allows only submitting until deadline + grace, after which
    the attempt is not counted; autoabandon never counts an attempt not submitted in time.
    Also sends the missed questions of closed quizzes that release them at the close
    (unless `release` is False: an attempt still being answered has nothing to release).
    """
    query = (
        select(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(QuizAttempt.state.in_(OPEN_STATES), QuizAttempt.deadline <= now)
        .order_by(QuizAttempt.id)
    )
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    if attempt_id is not None:
        query = query.where(QuizAttempt.id == attempt_id)
    changed = 0
    for attempt in session.scalars(query).all():
        rule = attempt.quiz.overdue_handling
        deadline = attempt.deadline
        assert deadline is not None  # noqa: S101 - selected by deadline
        if rule == "autosubmit":
            changed += _close(session, attempt, "finished", deadline, now)
        elif rule == "graceperiod" and now < deadline + timedelta(
            seconds=attempt.quiz.grace_seconds
        ):
            if attempt.state == "inprogress":
                written = session.execute(
                    update(QuizAttempt)
                    .where(QuizAttempt.id == attempt.id, QuizAttempt.state == "inprogress")
                    .values(state="overdue")
                    .execution_options(synchronize_session=False)
                )
                session.refresh(attempt)
                changed += written.rowcount
        else:
            changed += _close(session, attempt, "abandoned", now, now)
    if release:
        changed += _release_missed(session, now, quiz_id=quiz_id, attempt_id=attempt_id)
    return changed


def finish_overdue_job(
    session: Session, params: dict[str, Any], progress: Any, now: datetime
) -> dict[str, Any]:
    """The job-queue form of `flask quizzes finish-overdue`."""
    changed = process_overdue(session, now)
    progress(1.0, f"{changed} attempt{'s' if changed != 1 else ''} settled.")
    return {"settled": changed}


# -- essays --------------------------------------------------------------------------------------


def grading_queue(session: Session, quiz_id: int) -> list[QuizItem]:
    """Answered essays of submitted attempts not graded yet, oldest first."""
    return list(
        session.scalars(
            select(QuizItem)
            .join(QuizAttempt, QuizAttempt.id == QuizItem.attempt_id)
            .where(
                QuizAttempt.quiz_id == quiz_id,
                QuizAttempt.state == "finished",
                QuizItem.question_kind.in_(TEACHER_GRADED),
                QuizItem.answered_at.is_not(None),
                QuizItem.fraction.is_(None),
            )
            .order_by(QuizItem.answered_at, QuizItem.id)
        )
    )


def ungraded_count(session: Session, quiz_ids: Sequence[int]) -> int:
    if not quiz_ids:
        return 0
    return int(
        session.scalar(
            select(func.count(QuizItem.id))
            .join(QuizAttempt, QuizAttempt.id == QuizItem.attempt_id)
            .where(
                QuizAttempt.quiz_id.in_(list(quiz_ids)),
                QuizAttempt.state == "finished",
                QuizItem.question_kind.in_(TEACHER_GRADED),
                QuizItem.answered_at.is_not(None),
                QuizItem.fraction.is_(None),
            )
        )
        or 0
    )


def grade_essay(
    session: Session,
    quiz: Quiz,
    item_id: int,
    points: Any,
    comment: str,
    grader_id: int,
    now: datetime,
) -> QuizItem:
    """The teacher's mark for an essay; the attempt's score follows everywhere it is shown."""
    item = session.get(QuizItem, item_id)
    if item is None or item.attempt.quiz_id != quiz.id or item.question_kind not in TEACHER_GRADED:
        raise QuizNotFound("No such essay in this quiz.")
    if item.attempt.state != "finished":
        raise QuizError("Grade the essay once the attempt is submitted.")
    try:
        given = float(points)
    except (TypeError, ValueError):
        raise QuizError("Give the points as a number.", "points") from None
    if given != given or not 0 <= given <= item.points:  # noqa: PLR0124 - NaN
        raise QuizError(f"Give between 0 and {item.points:g} points.", "points")
    item.fraction = round(given / item.points, 6) if item.points else 0.0
    item.comment = (comment or "").strip()[:5000]
    item.graded_by_id = grader_id
    item.graded_at = now
    session.flush()
    attempt = item.attempt
    attempt.points = _points(session, attempt.id)
    attempt.score = _score(attempt.points, attempt.max_points)
    session.flush()
    if attempt.missed_sent_at is not None and item.fraction < CORRECT_THRESHOLD:
        add_to_reviews(session, attempt.user_id, question_ids=[item.question_id], now=now)
    return item


# -- missed questions to reviews -----------------------------------------------------------------


def _missed(attempt: QuizAttempt) -> list[int]:
    """Unanswered and wrong questions; an essay waiting for its grade is not missed yet."""
    return [
        item.question_id
        for item in attempt.items
        if item.answered_at is None
        or (item.fraction is not None and item.fraction < CORRECT_THRESHOLD)
    ]


def send_missed_to_reviews(session: Session, attempt: QuizAttempt, now: datetime) -> int:
    """Once per attempt, when the quiz says so; how many review cards were added."""
    if not attempt.quiz.send_missed_to_reviews or attempt.state != "finished":
        return 0
    written = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.missed_sent_at.is_(None))
        .values(missed_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if written.rowcount != 1:
        return 0
    missed = _missed(attempt)
    if not missed:
        return 0
    return add_to_reviews(session, attempt.user_id, question_ids=missed, now=now)


def _release_missed(
    session: Session,
    now: datetime,
    *,
    quiz_id: int | None,
    attempt_id: int | None,
) -> int:
    query = (
        select(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            QuizAttempt.state == "finished",
            QuizAttempt.missed_sent_at.is_(None),
            Quiz.send_missed_to_reviews.is_(True),
            Quiz.missed_to_reviews_at == "release",
            Quiz.close_at.is_not(None),
            Quiz.close_at <= now,
        )
    )
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    if attempt_id is not None:
        query = query.where(QuizAttempt.id == attempt_id)
    sent = 0
    for attempt in session.scalars(query).all():
        send_missed_to_reviews(session, attempt, now)
        sent += 1
    return sent


# -- grades, review options and status -----------------------------------------------------------


def time_taken_seconds(attempt: Any) -> int | None:
    """Whole seconds from the start of the attempt to its end; None while it is open.

    Autosubmit already closes an attempt at its deadline. One not counted was closed
    whenever it was next read, possibly days later, so it counts up to its deadline.
    """
    if attempt.state in OPEN_STATES or attempt.finished_at is None:
        return None
    end = attempt.finished_at
    if attempt.state == "abandoned" and attempt.deadline is not None:
        end = min(end, attempt.deadline)
    return max(0, int((end - attempt.started_at).total_seconds()))


def format_seconds(seconds: int) -> str:
    """ "1 h 2 min 5 s", "12 min 5 s", "40 s": the units that are not zero."""
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{value} {unit}" for value, unit in ((hours, "h"), (minutes, "min")) if value]
    if rest or not parts:
        parts.append(f"{rest} s")
    return " ".join(parts)


def time_taken(attempt: Any) -> str:
    """The time an attempt took, in words, or "in progress"."""
    seconds = time_taken_seconds(attempt)
    return "in progress" if seconds is None else format_seconds(seconds)


def quiz_grade(attempts: Iterable[Any], method: str) -> float | None:
    """The student's grade (0..1) over their submitted attempts, by the quiz's method."""
    scores = [a.score for a in sorted(attempts, key=lambda a: a.number) if a.state == "finished"]
    scores = [score for score in scores if score is not None]
    if not scores:
        return None
    if method == "last":
        return scores[-1]
    if method == "first":
        return scores[0]
    if method == "average":
        return sum(scores) / len(scores)
    return max(scores)


def review_visible(quiz: Quiz, part: str, attempt: Any, now: datetime) -> bool:
    """Whether the student sees `part` of the attempt now (Moodle's review options, simplified)."""
    when = getattr(quiz, f"review_{part}")
    finished = attempt.state in ("finished", "abandoned")
    if when == "never":
        return False
    if when == "immediately":
        return True
    if when == "after_submission":
        return finished
    # After the close: a quiz that never closes shows it after submission.
    return finished and (quiz.close_at is None or now >= quiz.close_at)


def attempt_pending(session: Session, attempt: Any) -> int:
    return sum(1 for item in attempt.items if needs_grading(item))


@dataclass(frozen=True)
class QuizStatus:
    code: str  # not_open, open, in_progress, submitted, graded, closed
    label: str
    attempts_left: int | None
    open_attempt: QuizAttempt | None
    grade: float | None
    grade_comment: str = ""


def _grade_overrides(session: Session, quiz_id: int, user_id: int | None = None) -> dict:
    """The teachers' overrides of the quiz's grades, by student."""
    query = select(GradeOverride).where(GradeOverride.quiz_id == quiz_id)
    if user_id is not None:
        query = query.where(GradeOverride.user_id == user_id)
    return {o.user_id: o for o in session.scalars(query)}


def student_status(session: Session, quiz: Quiz, user_id: int, now: datetime) -> QuizStatus:
    attempts = user_attempts(session, quiz.id, user_id)
    override = override_for(session, quiz.id, user_id)
    left = attempts_left(quiz, override, attempts)
    grade_value = quiz_grade(attempts, quiz.grading_method)
    given = _grade_overrides(session, quiz.id, user_id).get(user_id)
    if given is not None:
        return _status_with_override(
            _status(quiz, attempts, override, left, grade_value, now), given
        )
    return _status(quiz, attempts, override, left, grade_value, now)


def _status_with_override(status: QuizStatus, given: Any) -> QuizStatus:
    return QuizStatus(
        status.code,
        status.label,
        status.attempts_left,
        status.open_attempt,
        given.grade,
        given.comment,
    )


def _status(
    quiz: Quiz,
    attempts: Sequence[QuizAttempt],
    override: QuizOverride | None,
    left: int | None,
    grade_value: float | None,
    now: datetime,
) -> QuizStatus:
    open_attempt = next((a for a in attempts if a.state in OPEN_STATES), None)
    if open_attempt is not None:
        return QuizStatus("in_progress", "In progress", left, open_attempt, grade_value)
    if quiz.open_at is not None and now < quiz.open_at:
        return QuizStatus("not_open", "Not yet open", left, None, grade_value)
    finished = [a for a in attempts if a.state == "finished"]
    can_start = window_problem(quiz, override, now) is None and left != 0
    if can_start:
        label = (
            "Open: unlimited attempts"
            if left is None
            else f"Open: {left} attempt{'s' if left != 1 else ''} left"
        )
        return QuizStatus("open", label, left, None, grade_value)
    if finished:
        if any(needs_grading(item) for a in finished for item in a.items):
            return QuizStatus("submitted", "Submitted", left, None, grade_value)
        return QuizStatus("graded", "Graded", left, None, grade_value)
    return QuizStatus("closed", "Closed", left, None, grade_value)


@dataclass(frozen=True)
class StudentResult:
    user: Any
    attempts: list[QuizAttempt]
    grade: float | None


def results(session: Session, quiz: Quiz) -> list[StudentResult]:
    """Every student of the class (removed ones who attempted too) with their attempts."""
    attempts = session.scalars(
        select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id).order_by(QuizAttempt.number)
    ).all()
    by_user: dict[int, list[QuizAttempt]] = {}
    for attempt in attempts:
        by_user.setdefault(attempt.user_id, []).append(attempt)
    given = _grade_overrides(session, quiz.id)
    students = session.scalars(
        select(ClassMember)
        .where(ClassMember.class_id == quiz.class_id, ClassMember.role == "student")
        .options(selectinload(ClassMember.user))
    )
    members = [m for m in students if m.removed_at is None or m.user_id in by_user]
    rows = [
        StudentResult(
            m.user,
            by_user.get(m.user_id, []),
            given[m.user_id].grade
            if m.user_id in given
            else quiz_grade(by_user.get(m.user_id, []), quiz.grading_method),
        )
        for m in members
    ]
    return sorted(rows, key=lambda row: (row.user.display_name.lower(), row.user.id))


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def quizzes_for_student(session: Session, user_id: int) -> list[Quiz]:
    """Published quizzes of the classes the student is in now, by close time."""
    return list(
        session.scalars(
            select(Quiz)
            .join(ClassMember, ClassMember.class_id == Quiz.class_id)
            .where(
                ClassMember.user_id == user_id,
                ClassMember.role == "student",
                ClassMember.removed_at.is_(None),
                Quiz.published.is_(True),
            )
            .order_by(Quiz.close_at.is_(None), Quiz.close_at, Quiz.id)
        )
    )


def attempts_in_classes_left(session: Session, user_id: int) -> list[QuizAttempt]:
    """The student's closed attempts in classes they were removed from: their history stays."""
    return list(
        session.scalars(
            select(QuizAttempt)
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .join(
                ClassMember,
                (ClassMember.class_id == Quiz.class_id) & (ClassMember.user_id == user_id),
            )
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.state.not_in(OPEN_STATES),
                ClassMember.role == "student",
                ClassMember.removed_at.is_not(None),
            )
            .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
        )
    )


def class_quizzes(session: Session, class_id: int, *, published_only: bool) -> list[Quiz]:
    query = select(Quiz).where(Quiz.class_id == class_id).order_by(Quiz.created_at, Quiz.id)
    if published_only:
        query = query.where(Quiz.published.is_(True))
    return list(session.scalars(query))
