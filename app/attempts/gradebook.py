"""A class's gradebook: every student × every quiz, each grade by the quiz's grading method,
the teachers' overrides in place of it, and the exports of it (CSV and .xlsx).

A teacher's override replaces the computed grade wherever a grade is shown; the computed
grade at the time of the override is kept beside it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session, selectinload

from ..analytics.class_memory import CardMemory, StudentMemory, class_memory
from ..analytics.item_analysis import AttemptMarks, ItemQuestion, item_analysis, select_attempts
from ..errors import Invalid
from ..models import (
    ClassBank,
    ClassMember,
    GradeOverride,
    Question,
    Quiz,
    QuizAttempt,
    QuizItem,
    QuizOverride,
    QuizSlot,
    ReviewCard,
    StudySettings,
    Topic,
)
from ..models.classes import SchoolClass
from ..questions import describe_response, render_plain
from ..questions.shared import NO_ANSWER
from .quizzes import (
    OPEN_STATES,
    TEACHER_GRADED,
    effective_close,
    quiz_grade,
    time_taken,
    time_taken_seconds,
)

MAX_COMMENT = 2000
BOM = "\ufeff"


@dataclass(frozen=True)
class Cell:
    """One student's standing in one quiz."""

    attempts: list[QuizAttempt]
    computed: float | None
    override: GradeOverride | None
    overdue: bool
    ungraded: int
    in_progress: bool

    @property
    def grade(self) -> float | None:
        return self.override.grade if self.override is not None else self.computed

    @property
    def status(self) -> str:
        if self.ungraded:
            return "ungraded"
        if self.in_progress:
            return "in progress"
        if self.overdue:
            return "overdue"
        return ""


@dataclass(frozen=True)
class Row:
    user: Any
    cells: list[Cell]
    removed: bool = False


@dataclass(frozen=True)
class Gradebook:
    school_class: SchoolClass
    quizzes: list[Quiz]
    rows: list[Row]
    means: list[float | None] = field(default_factory=list)


class GradeProblem(Invalid):
    pass


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def overrides_of(session: Session, quiz_ids: Sequence[int]) -> dict[tuple[int, int], GradeOverride]:
    if not quiz_ids:
        return {}
    found = session.scalars(select(GradeOverride).where(GradeOverride.quiz_id.in_(list(quiz_ids))))
    return {(o.quiz_id, o.user_id): o for o in found}


def override_of(session: Session, quiz_id: int, user_id: int) -> GradeOverride | None:
    return session.scalar(
        select(GradeOverride).where(
            GradeOverride.quiz_id == quiz_id, GradeOverride.user_id == user_id
        )
    )


def shown_grade(session: Session, quiz: Quiz, user_id: int, computed: float | None) -> float | None:
    """The grade a page shows: the teacher's override if there is one, else `computed`."""
    override = override_of(session, quiz.id, user_id)
    return override.grade if override is not None else computed


def gradebook(
    session: Session,
    school_class: SchoolClass,
    now: datetime,
    *,
    user_id: int | None = None,
    published_only: bool = False,
) -> Gradebook:
    """The gradebook of the class; with `user_id`, that student's row alone."""
    query = select(Quiz).where(Quiz.class_id == school_class.id).order_by(Quiz.created_at, Quiz.id)
    if published_only:
        query = query.where(Quiz.published.is_(True))
    quizzes = list(session.scalars(query))
    quiz_ids = [q.id for q in quizzes]
    attempts_query = (
        select(QuizAttempt).where(QuizAttempt.quiz_id.in_(quiz_ids)).order_by(QuizAttempt.number)
    )
    if user_id is not None:
        attempts_query = attempts_query.where(QuizAttempt.user_id == user_id)
    attempts: dict[tuple[int, int], list[QuizAttempt]] = {}
    for attempt in session.scalars(attempts_query) if quiz_ids else []:
        attempts.setdefault((attempt.quiz_id, attempt.user_id), []).append(attempt)
    # Counted in the database: the items themselves (their snapshots) are not needed here.
    ungraded_query = (
        select(QuizItem.attempt_id, func.count())
        .join(QuizAttempt, QuizAttempt.id == QuizItem.attempt_id)
        .where(
            QuizAttempt.quiz_id.in_(quiz_ids),
            QuizAttempt.state == "finished",
            QuizItem.question_kind.in_(TEACHER_GRADED),
            QuizItem.answered_at.is_not(None),
            QuizItem.fraction.is_(None),
        )
        .group_by(QuizItem.attempt_id)
    )
    if user_id is not None:
        ungraded_query = ungraded_query.where(QuizAttempt.user_id == user_id)
    ungraded = dict(session.execute(ungraded_query).all()) if quiz_ids else {}
    accommodations = {
        (o.quiz_id, o.user_id): o
        for o in (
            session.scalars(select(QuizOverride).where(QuizOverride.quiz_id.in_(quiz_ids)))
            if quiz_ids
            else []
        )
    }
    overrides = overrides_of(session, quiz_ids)
    attempted = {uid for _, uid in attempts}
    members_query = select(ClassMember).where(
        ClassMember.class_id == school_class.id, ClassMember.role == "student"
    )
    if user_id is not None:
        members_query = members_query.where(ClassMember.user_id == user_id)
    members = [
        m
        for m in session.scalars(members_query.options(selectinload(ClassMember.user)))
        if m.removed_at is None or m.user_id in attempted
    ]
    members.sort(key=lambda m: (m.user.display_name.lower(), m.user_id))
    rows = []
    for member in members:
        cells = []
        for quiz in quizzes:
            own = attempts.get((quiz.id, member.user_id), [])
            close = effective_close(quiz, accommodations.get((quiz.id, member.user_id)))
            finished = [a for a in own if a.state == "finished"]
            cells.append(
                Cell(
                    attempts=own,
                    computed=quiz_grade(own, quiz.grading_method),
                    override=overrides.get((quiz.id, member.user_id)),
                    overdue=bool(close is not None and now >= close and not finished),
                    ungraded=sum(ungraded.get(a.id, 0) for a in finished),
                    in_progress=any(a.state in OPEN_STATES for a in own),
                )
            )
        rows.append(Row(member.user, cells, removed=member.removed_at is not None))
    means = [
        _mean([row.cells[i].grade for row in rows if row.cells[i].grade is not None])
        for i in range(len(quizzes))
    ]
    return Gradebook(school_class, quizzes, rows, means)


def parse_percent(text: Any) -> float:
    """A grade typed as a percentage (0–100, a decimal point or comma) → 0..1."""
    raw = str(text or "").strip().rstrip("%").strip().replace(",", ".")
    if not raw:
        raise GradeProblem("Give the grade as a percentage from 0 to 100.")
    try:
        value = float(raw)
    except ValueError:
        raise GradeProblem("Give the grade as a percentage from 0 to 100.") from None
    if not 0 <= value <= 100:  # NaN fails this too
        raise GradeProblem("Give the grade as a percentage from 0 to 100.")
    return value / 100


def set_grade_override(
    session: Session,
    quiz: Quiz,
    user_id: int,
    grade_value: float,
    comment: str,
    by_id: int,
    now: datetime,
) -> GradeOverride:
    """Give the student `grade_value` (0..1) in the quiz, keeping the computed grade."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise GradeProblem(f"Keep the comment under {MAX_COMMENT} characters.")
    if not comment:
        raise GradeProblem("Say why the grade is overridden: the student sees the comment.")
    if not 0 <= grade_value <= 1:
        raise GradeProblem("Give the grade as a percentage from 0 to 100.")
    member = session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == quiz.class_id,
            ClassMember.user_id == user_id,
            ClassMember.role == "student",
        )
    )
    if member is None:
        raise GradeProblem("That student is not in the class.")
    attempts = session.scalars(
        select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user_id)
    ).all()
    override = override_of(session, quiz.id, user_id)
    if override is None:
        override = GradeOverride(quiz_id=quiz.id, user_id=user_id)
        session.add(override)
    override.grade = grade_value
    override.original_grade = quiz_grade(attempts, quiz.grading_method)
    override.comment = comment
    override.by_id = by_id
    override.at = now
    session.flush()
    return override


def clear_grade_override(session: Session, quiz: Quiz, user_id: int) -> bool:
    override = override_of(session, quiz.id, user_id)
    if override is None:
        return False
    session.delete(override)
    session.flush()
    return True


# -- exports -------------------------------------------------------------------------------------


def _percent_value(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def gradebook_table(book: Gradebook) -> list[list[Any]]:
    """Header and one row per student, then the class mean: the figures of every export.
    Grades are percentages; an override is noted in the column after the grade."""
    header: list[Any] = ["Student", "Email"]
    for quiz in book.quizzes:
        header += [f"{quiz.title} (%)", f"{quiz.title}: note"]
    table = [header]
    for row in book.rows:
        line: list[Any] = [row.user.display_name, row.user.email]
        for cell in row.cells:
            note = cell.status
            if cell.override is not None:
                was = _percent_value(cell.override.original_grade)
                note = f"overridden (computed {'none' if was is None else was}): "
                note += cell.override.comment
            line += [_percent_value(cell.grade), note]
        table.append(line)
    mean_line: list[Any] = ["Class mean", ""]
    for mean in book.means:
        mean_line += [_percent_value(mean), ""]
    table.append(mean_line)
    return table


def _safe(value: Any) -> Any:
    """A cell a spreadsheet would take for a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def to_csv(table: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in table:
        writer.writerow([_safe(value) for value in line])
    return (BOM + out.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or "Gradebook")[:31].translate({ord(c): " " for c in "[]:*?/\\"})
    for line in table:
        sheet.append([_safe(value) if isinstance(value, str) else value for value in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def responses_table(session: Session, school_class: SchoolClass) -> list[list[Any]]:
    """One row per response of every submitted or open attempt at the class's quizzes,
    with its attempt's start, finish and time taken (empty seconds while in progress)."""
    header = [
        "Student",
        "Email",
        "Quiz",
        "Attempt",
        "State",
        "Started at",
        "Finished at",
        "Time taken",
        "Time taken (s)",
        "Question",
        "Type",
        "Answer",
        "Points",
        "Max points",
        "Answered at",
    ]
    table: list[list[Any]] = [header]
    items = session.execute(
        select(QuizItem, QuizAttempt, Quiz)
        .join(QuizAttempt, QuizAttempt.id == QuizItem.attempt_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.class_id == school_class.id)
        .options(selectinload(QuizAttempt.user))
        .order_by(
            Quiz.created_at, Quiz.id, QuizAttempt.user_id, QuizAttempt.number, QuizItem.position
        )
    ).all()
    for item, attempt, quiz in items:
        answer = (
            describe_response(item.question_kind, item.content, item.response)
            if item.response
            else ""
        )
        points = None if item.fraction is None else round(item.fraction * item.points, 4)
        table.append(
            [
                attempt.user.display_name,
                attempt.user.email,
                quiz.title,
                attempt.number,
                attempt.state,
                attempt.started_at.isoformat(),
                attempt.finished_at.isoformat() if attempt.finished_at else "",
                time_taken(attempt),
                time_taken_seconds(attempt),
                item.position,
                item.question_kind,
                answer,
                points,
                item.points,
                item.answered_at.isoformat() if item.answered_at else "",
            ]
        )
    return table


# -- item analysis -------------------------------------------------------------------------------


def _response_value(kind: str, text: str) -> Any:
    if text == NO_ANSWER or not text:
        return None
    if kind == "multiple_response":
        return [part for part in text.split("; ") if part]
    return text


def quiz_item_analysis(session: Session, quiz: Quiz, choice: str = "first") -> tuple[Any, dict]:
    """The item analysis of the quiz's submitted attempts (`choice`: first, all, highest
    or last of each student), and each question's label and prompt by key.

    Items are read as plain columns, without their snapshots: a question's snapshot is the
    same for every item of one version of it, so it is read once per version, and each
    distinct answer to it is put in words once.
    """
    attempts = session.execute(
        select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.number)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == "finished")
        .order_by(QuizAttempt.user_id, QuizAttempt.number)
    ).all()
    finished = select(QuizAttempt.id).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == "finished"
    )
    items: dict[int, list[tuple[Any, ...]]] = {}
    for row in session.execute(
        select(
            QuizItem.attempt_id,
            QuizItem.question_id,
            QuizItem.question_version,
            QuizItem.question_kind,
            QuizItem.position,
            QuizItem.fraction,
            QuizItem.points,
            # As text: the same answer comes back hundreds of times, and is parsed once.
            cast(QuizItem.response, Text),
        )
        .where(QuizItem.attempt_id.in_(finished))
        .order_by(QuizItem.attempt_id, QuizItem.position)
    ):
        items.setdefault(row[0], []).append(row[1:])
    one_per_version = (
        select(func.min(QuizItem.id))
        .where(QuizItem.attempt_id.in_(finished))
        .group_by(QuizItem.question_id, QuizItem.question_version, QuizItem.question_kind)
    )
    contents = {
        (question_id, version, kind): content or {}
        for question_id, version, kind, content in session.execute(
            select(
                QuizItem.question_id,
                QuizItem.question_version,
                QuizItem.question_kind,
                QuizItem.content,
            ).where(QuizItem.id.in_(one_per_version))
        )
    }
    # Each distinct answer of each question version, in words: (version, text) → value.
    described: dict[tuple[Any, ...], Any] = {}
    firsts: dict[int, tuple[int, int, int, str]] = {}  # question → position, id, version, kind
    marks = []
    for attempt_id, user_id, number in attempts:
        own: dict[str, tuple[float, float]] = {}
        responses: dict[str, Any] = {}
        for question_id, version, kind, position, fraction, points, raw in items.get(
            attempt_id, ()
        ):
            if question_id not in firsts:
                firsts[question_id] = (position, question_id, version, kind)
            key = str(question_id)
            own[key] = ((fraction or 0.0) * points, points)
            if raw is None:
                responses[key] = None
                continue
            answer = (question_id, version, kind, raw)
            if answer not in described:
                response = json.loads(raw)
                text = (
                    describe_response(kind, contents[question_id, version, kind], response)
                    if response
                    else ""
                )
                described[answer] = _response_value(kind, text)
            responses[key] = described[answer]
        marks.append(AttemptMarks(user_id, number, own, responses))
    chosen = select_attempts(marks, choice)  # type: ignore[arg-type]
    questions = []
    prompts = {}
    for n, (_, question_id, version, kind) in enumerate(sorted(firsts.values()), start=1):
        key = str(question_id)
        content = contents[question_id, version, kind]
        questions.append(ItemQuestion(key, kind, f"Q{n}", _options(kind, content)))
        prompts[key] = render_plain(str(content.get("prompt") or content.get("text") or ""))[:160]
    return item_analysis(questions, chosen), prompts


def analysis_version(session: Session, quiz: Quiz) -> tuple[Any, ...]:
    """What the item analysis depends on: it changes when an attempt is finished, or an
    item graded or regraded."""
    row = session.execute(
        select(
            func.count(func.distinct(QuizAttempt.id)),
            func.max(QuizAttempt.id),
            func.sum(QuizItem.question_id),
            func.max(QuizAttempt.finished_at),
            func.max(QuizItem.graded_at),
            func.sum(QuizItem.fraction),
        )
        .select_from(QuizAttempt)
        .outerjoin(QuizItem, QuizItem.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == "finished")
    ).one()
    return tuple(row)


def _options(kind: str, content: dict[str, Any]) -> tuple[str, ...]:
    if kind == "true_false":
        return ("True", "False")
    if kind in ("multiple_choice", "multiple_response"):
        return tuple(str(o.get("text", "")) for o in content.get("options", []))
    if kind == "matching":
        return tuple(str(p.get("right", "")) for p in content.get("pairs", []))
    return ()


# -- class memory --------------------------------------------------------------------------------


def class_memory_of(session: Session, school_class: SchoolClass, now: datetime) -> Any:
    """What the class is forgetting: the review cards its current students hold for the
    questions of its quizzes and of the banks shared with it (see app.analytics.class_memory).
    A student who opted out counts only as opted out."""
    quiz_ids = select(Quiz.id).where(Quiz.class_id == school_class.id)
    questions = (
        select(QuizSlot.question_id)
        .where(QuizSlot.quiz_id.in_(quiz_ids), QuizSlot.question_id.is_not(None))
        .union(
            select(QuizItem.question_id)
            .join(QuizAttempt, QuizAttempt.id == QuizItem.attempt_id)
            .where(QuizAttempt.quiz_id.in_(quiz_ids)),
            select(Question.id)
            .join(ClassBank, ClassBank.bank_id == Question.bank_id)
            .where(ClassBank.class_id == school_class.id),
        )
        .subquery()
    )
    members = session.scalars(
        select(ClassMember)
        .where(
            ClassMember.class_id == school_class.id,
            ClassMember.role == "student",
            ClassMember.removed_at.is_(None),
        )
        .options(selectinload(ClassMember.user))
    ).all()
    sharing_ids = [m.user_id for m in members if m.user.share_reviews_with_classes]
    cards: dict[int, list[CardMemory]] = {uid: [] for uid in sharing_ids}
    if sharing_ids:
        rows = session.execute(
            select(ReviewCard, Topic.path)
            .join(Question, Question.id == ReviewCard.question_id)
            .outerjoin(Topic, Topic.id == Question.topic_id)
            .where(
                ReviewCard.user_id.in_(sharing_ids),
                ReviewCard.question_id.in_(select(questions.c[0])),
            )
        ).all()
        for card, path in rows:
            cards[card.user_id].append(
                CardMemory(
                    card_id=card.id,
                    question_id=card.question_id,
                    topic=path,
                    stability=card.stability,
                    difficulty=card.difficulty,
                    last_review=card.last_review,
                    due=card.due,
                    lapses=card.lapses,
                )
            )
    settings = {
        s.user_id: s
        for s in (
            session.scalars(select(StudySettings).where(StudySettings.user_id.in_(sharing_ids)))
            if sharing_ids
            else []
        )
    }
    students = []
    for member in members:
        shares = member.user.share_reviews_with_classes
        own = settings.get(member.user_id)
        extra = {}
        if own is not None:
            extra = {"desired_retention": own.desired_retention, "parameters": own.parameters}
        students.append(
            StudentMemory(
                student_id=member.user_id,
                shares=shares,
                cards=cards.get(member.user_id, []) if shares else [],
                **extra,
            )
        )
    return class_memory(students, now)


def question_prompts(session: Session, question_ids: Sequence[int]) -> dict[int, str]:
    if not question_ids:
        return {}
    found = session.scalars(select(Question).where(Question.id.in_(list(question_ids))))
    return {
        q.id: render_plain(str(q.content.get("prompt") or q.content.get("text") or ""))[:160]
        for q in found
    }
