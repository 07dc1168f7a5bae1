"""Item-level logic shared by every kind of attempt (a practice session now, a quiz attempt later).

An attempt is a row with `id`, `finished_at` and `score`, and ordered items. An item is a row
with `id`, `question_id`, `position`, the question snapshot (`question_version`,
`question_kind`, `content`: the validated content when the item was drawn), the frozen
shuffle (`presentation_order`), and the answer (`response`, `fraction`, `answered_at`).
Everything a student sees or is graded on comes from the snapshot, never from the live
question, so editing a question never changes an item that was drawn.

No Flask and no models here: functions take the SQLAlchemy session, the rows and plain
values, `now` is passed in, and nothing is committed (the caller owns the transaction).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.attributes import set_committed_value

from ..questions import (
    CORRECT_THRESHOLD,
    QUESTION_TYPES,
    GradeResult,
    Presentation,
    describe_response,
    grade,
    parse_response,
    present,
    validate_content,
)
from .errors import AttemptError


@dataclass(frozen=True)
class AnswerOutcome:
    item: Any
    result: GradeResult
    # False when the item had been answered already: a resubmit or a double click.
    newly_answered: bool


@dataclass(frozen=True)
class ReviewedItem:
    item: Any
    kind: str
    presentation: Presentation
    result: GradeResult | None
    your_answer: str

    @property
    def question(self) -> Any:
        """The live question, for what is not part of the snapshot (explanation, source)."""
        return self.item.question


# -- drawing -----------------------------------------------------------------------------------


def draw(candidates: Sequence[int], count: int, rng: random.Random) -> list[int]:
    """Up to `count` distinct ids from `candidates`, in a random order."""
    return rng.sample(list(candidates), min(count, len(candidates)))


class AuthoredOrder(random.Random):
    """A random source that never shuffles: options stay in the order they were written."""

    def shuffle(self, x: Any, *args: Any) -> None:  # noqa: ARG002
        return None


def snapshot(question: Any) -> dict[str, Any]:
    """The columns an item keeps of its question: id, version, kind and validated content."""
    return {
        "question_id": question.id,
        "question_version": question.version,
        "question_kind": question.kind,
        "content": validate_content(question.kind, question.content),
    }


def item_values(
    questions: Sequence[Any], rng: random.Random, *, start: int = 1
) -> list[dict[str, Any]]:
    """Column values of one item per question, numbered from `start`, shuffle frozen now."""
    values = []
    for position, question in enumerate(questions, start=start):
        frozen = snapshot(question)
        # The shuffle is fixed now and stored, so a reload shows the same option order.
        order = present(frozen["question_kind"], frozen["content"], rng=rng).order
        values.append({**frozen, "position": position, "presentation_order": order})
    return values


# -- showing and grading from the snapshot -----------------------------------------------------


def presentation(item: Any) -> Presentation:
    return present(item.question_kind, item.content, order=item.presentation_order)


def read_response(item: Any, form: Mapping[str, Any]) -> dict[str, Any]:
    """The answer in a submitted form, read against the item's snapshot."""
    return parse_response(item.question_kind, item.content, form)


def needs_self_score(kind: str, response: Mapping[str, Any]) -> bool:
    """A self-graded answer is shown first; the student then says how well they did."""
    return QUESTION_TYPES[kind].self_graded and "self_score" not in response


def stored_result(item: Any) -> GradeResult | None:
    """The grade given when the item was answered, with the engine's feedback for it."""
    if item.answered_at is None or item.fraction is None:
        return None
    regraded = grade(item.question_kind, item.content, item.response or {})
    # The stored fraction stands; the snapshot makes the feedback agree with it.
    return GradeResult(item.fraction, regraded.feedback, regraded.answer_text)


def your_answer(item: Any) -> str:
    if item.answered_at is None:
        return "Not answered"
    return describe_response(item.question_kind, item.content, item.response or {})


# -- answering ---------------------------------------------------------------------------------

BLANK_MESSAGE = "Give an answer first: a blank answer is not recorded."


def is_blank(kind: str, response: Mapping[str, Any]) -> bool:
    """No answer could be read from the form (a question the student grades is never blank)."""
    if QUESTION_TYPES[kind].self_graded:
        return False
    return _blank(dict(response))


def _blank(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_blank(part) for part in value.values())
    if isinstance(value, list | tuple):
        return all(_blank(part) for part in value)
    return value is None or (isinstance(value, str) and not value.strip())


def answer(
    session: Session, item: Any, response: Mapping[str, Any], now: datetime
) -> AnswerOutcome:
    """Grade and store an answer once; a second submission changes nothing."""
    if item.answered_at is not None:
        return AnswerOutcome(item, stored_result(item), False)
    if needs_self_score(item.question_kind, response):
        raise AttemptError("Say whether you got it right: Yes, Partly or No.", "self_score")
    if is_blank(item.question_kind, response):
        raise AttemptError(BLANK_MESSAGE, "answer")
    result = grade(item.question_kind, item.content, response)
    model = type(item)
    # Only an unanswered row is written, so two requests racing (a double click) grade once.
    written = session.execute(
        update(model)
        .where(model.id == item.id, model.answered_at.is_(None))
        .values(response=dict(response), fraction=result.fraction, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    if written.rowcount == 0:
        return AnswerOutcome(item, stored_result(item), False)
    return AnswerOutcome(item, result, True)


def save_response(
    session: Session,
    item: Any,
    response: Mapping[str, Any],
    seen_sequence: int,
    fraction: float | None,
    now: datetime,
) -> bool:
    """Store an answer that replaces the one the student saw; False if it changed meanwhile.

    An item that can be answered again (a quiz before it is submitted) counts its saves in
    `sequence`. The page posts the sequence it showed, and only a row still at that sequence
    is written, so a stale tab, the Back button or a double click cannot overwrite a later
    answer, on either database: the condition is checked by the UPDATE itself.
    """
    model = type(item)
    written = session.execute(
        update(model)
        .where(model.id == item.id, model.sequence == seen_sequence)
        .values(
            response=dict(response),
            fraction=fraction,
            answered_at=now,
            sequence=model.sequence + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        session.refresh(item)  # what the other page saved
        return False
    # The row now holds what was written: no need to read it back.
    for name, value in (
        ("response", dict(response)),
        ("fraction", fraction),
        ("answered_at", now),
        ("sequence", seen_sequence + 1),
    ):
        set_committed_value(item, name, value)
    return True


def can_override(item: Any) -> bool:
    """Whether "I was right" applies: an automatically graded answer short of full credit."""
    return (
        item.answered_at is not None
        and item.fraction is not None
        and not QUESTION_TYPES[item.question_kind].self_graded
        and item.fraction < CORRECT_THRESHOLD
    )


def override(session: Session, item: Any, now: datetime) -> bool:
    """The student says their answer was right: full credit, the engine's grade kept in the log.

    False when there is nothing to override (already full credit, or already overridden);
    AttemptError for an unanswered or self-graded item.
    """
    if item.answered_at is None:
        raise AttemptError("Answer the question first.")
    if QUESTION_TYPES[item.question_kind].self_graded:
        raise AttemptError("You scored this answer yourself; there is no grade to override.")
    if not can_override(item):
        return False
    model = type(item)
    written = session.execute(
        update(model)
        .where(
            model.id == item.id, model.overridden_from.is_(None), model.fraction == item.fraction
        )
        .values(fraction=1.0, overridden_from=item.fraction, overridden_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    return written.rowcount == 1


def rescore(session: Session, attempt: Any, attempt_column: InstrumentedAttribute) -> None:
    """Bring a finished attempt's score up to date after a grade changed."""
    if attempt.finished_at is None:
        return
    _, _, mean = tally(session, attempt_column, attempt.id)
    model = type(attempt)
    session.execute(
        update(model)
        .where(model.id == attempt.id)
        .values(score=round(float(mean or 0.0), 6))
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)


# -- scoring and finishing ---------------------------------------------------------------------


def tally(session: Session, attempt_column: InstrumentedAttribute, attempt_id: int):
    """(items, answered, mean fraction) of one attempt, read from the database.

    An unanswered item counts as 0 in the mean: an attempt ended early scores what was answered
    out of everything asked.
    """
    model = attempt_column.class_
    return session.execute(
        select(
            func.count(model.id),
            func.count(model.answered_at),
            func.avg(func.coalesce(model.fraction, 0.0)),
        ).where(attempt_column == attempt_id)
    ).one()


def finish(session: Session, attempt: Any, score: float, now: datetime) -> bool:
    """Close the attempt with its score, exactly once; False if it was already closed."""
    model = type(attempt)
    written = session.execute(
        update(model)
        .where(model.id == attempt.id, model.finished_at.is_(None))
        .values(finished_at=now, score=round(float(score), 6))
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    return written.rowcount == 1


def finish_if_done(
    session: Session, attempt: Any, attempt_column: InstrumentedAttribute, now: datetime
) -> bool:
    """Finish the attempt when every item is answered; whether it is finished now.

    The attempt's row is locked first, so of two answers committing at the same moment
    the later one counts both and finishes it: exactly once, whichever commits last.
    """
    model = type(attempt)
    session.execute(select(model.id).where(model.id == attempt.id).with_for_update())
    total, answered, mean = tally(session, attempt_column, attempt.id)
    if total == 0 or answered < total:
        return False
    if attempt.finished_at is None:
        finish(session, attempt, float(mean or 0.0), now)
    return True


def next_unanswered(items: Sequence[Any], after: int = 0) -> Any | None:
    """The first unanswered item after position `after`, else the first unanswered one."""
    waiting = [item for item in items if item.answered_at is None]
    later = [item for item in waiting if item.position > after]
    return (later or waiting or [None])[0]


# -- after the attempt -------------------------------------------------------------------------


def is_missed(item: Any) -> bool:
    return item.fraction is None or item.fraction < CORRECT_THRESHOLD


def missed_question_ids(items: Iterable[Any]) -> list[int]:
    return [item.question_id for item in items if is_missed(item)]


def review(items: Iterable[Any]) -> list[ReviewedItem]:
    """Every item with its prompt, grade and the student's answer in words, from its snapshot."""
    return [
        ReviewedItem(
            item, item.question_kind, presentation(item), stored_result(item), your_answer(item)
        )
        for item in items
    ]


def format_points(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:.1f}"


def score_text(score: float | None, total: int) -> str:
    """The points (partial credit counts) out of the questions asked: "7 / 10 · 70%"."""
    if score is None or total == 0:
        return "Not finished"
    points = round(score * total, 1)
    return f"{format_points(points)} / {total} · {round(score * 100)}%"
