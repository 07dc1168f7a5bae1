"""Practice sessions: draw questions at random, grade the answers, score, retry the missed ones.

No Flask here: every function takes the SQLAlchemy session and plain values, `now` is passed
in so tests can fix the clock, and nothing is committed (the caller owns the transaction).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..models import PracticeItem, PracticeSession, Question, QuestionBank, Topic
from ..questions import (
    CORRECT_THRESHOLD,
    QUESTION_TYPES,
    GradeResult,
    Presentation,
    grade,
    matching_rights,
    present,
    render_plain,
    validate_content,
)

FEEDBACK_MODES = {"now": "After each question", "end": "At the end"}
MIN_QUESTIONS = 1
MAX_QUESTIONS = 100
DEFAULT_COUNT = 10
# Self-graded types need the student to judge their own answer, so they are opt-in.
DEFAULT_KINDS = tuple(kind for kind, qtype in QUESTION_TYPES.items() if not qtype.self_graded)
SELF_SCORES = {1.0: "Yes", 0.5: "Partly", 0.0: "No"}


class PracticeError(ValueError):
    """A practice request that cannot be carried out; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ReviewsUnavailable(PracticeError):
    """The scheduling package (review cards) is not installed in this build."""


class SessionNotFound(LookupError):
    """No such practice session for this user (another user's session included)."""


class ItemNotFound(LookupError):
    """No question at that position in the session."""


@dataclass(frozen=True)
class AnswerOutcome:
    item: PracticeItem
    result: GradeResult
    # False when the item had been answered already: a resubmit or a double click.
    newly_answered: bool
    finished: bool


@dataclass(frozen=True)
class ReviewedItem:
    item: PracticeItem
    question: Question
    presentation: Presentation
    result: GradeResult | None
    your_answer: str


@dataclass(frozen=True)
class HistoryEntry:
    practice: PracticeSession
    count: int
    answered: int
    summary: str


# -- starting a session ------------------------------------------------------------------------


def _ids(values: Iterable[Any] | None) -> list[int]:
    try:
        return sorted({int(value) for value in values or ()})
    except (TypeError, ValueError):
        raise PracticeError("Pick banks and topics from the lists.") from None


def _expand_topics(session: Session, topic_ids: Sequence[int]) -> set[int]:
    """The topics asked for and their sub-topics ("A" includes "A/B")."""
    if not topic_ids:
        return set()
    chosen = session.scalars(select(Topic).where(Topic.id.in_(topic_ids))).all()
    if len(chosen) != len(topic_ids):
        raise PracticeError("A topic you picked no longer exists; pick again.", "topics")
    siblings = session.scalars(
        select(Topic).where(Topic.bank_id.in_(sorted({topic.bank_id for topic in chosen})))
    ).all()
    return {
        other.id
        for topic in chosen
        for other in siblings
        if other.bank_id == topic.bank_id
        and (other.path == topic.path or other.path.startswith(topic.path + "/"))
    }


def matching_question_ids(
    session: Session,
    *,
    bank_ids: Sequence[int] = (),
    topic_ids: Sequence[int] = (),
    kinds: Sequence[str] = DEFAULT_KINDS,
) -> list[int]:
    """Ids of the questions of the given types in any picked bank or any picked topic."""
    bank_ids, topic_ids = _ids(bank_ids), _ids(topic_ids)
    if bank_ids:
        found = session.scalars(select(QuestionBank.id).where(QuestionBank.id.in_(bank_ids)))
        if len(found.all()) != len(bank_ids):
            raise PracticeError("A bank you picked no longer exists; pick again.", "banks")
    scopes = []
    if bank_ids:
        scopes.append(Question.bank_id.in_(bank_ids))
    if topic_ids:
        scopes.append(Question.topic_id.in_(sorted(_expand_topics(session, topic_ids))))
    if not scopes or not kinds:
        return []
    query = (
        select(Question.id)
        .where(or_(*scopes), Question.kind.in_(list(kinds)))
        .order_by(Question.id)
    )
    return list(session.scalars(query))


def _check_request(
    bank_ids: list[int], topic_ids: list[int], kinds: list[str], count: Any, feedback: str
) -> None:
    if not bank_ids and not topic_ids:
        raise PracticeError("Pick at least one bank or topic to practise.", "banks")
    if not kinds:
        raise PracticeError("Pick at least one question type.", "kinds")
    unknown = [kind for kind in kinds if kind not in QUESTION_TYPES]
    if unknown:
        raise PracticeError(f"{unknown[0]!r} is not a question type.", "kinds")
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not MIN_QUESTIONS <= count <= MAX_QUESTIONS
    ):
        raise PracticeError(
            f"Ask for between {MIN_QUESTIONS} and {MAX_QUESTIONS} questions.", "count"
        )
    if feedback not in FEEDBACK_MODES:
        raise PracticeError("Choose feedback after each question or at the end.", "feedback")


def _add_items(
    session: Session,
    practice: PracticeSession,
    question_ids: Sequence[int],
    rng: random.Random,
) -> None:
    questions = {
        question.id: question
        for question in session.scalars(select(Question).where(Question.id.in_(question_ids)))
    }
    for position, question_id in enumerate(question_ids, start=1):
        question = questions[question_id]
        # The shuffle is fixed now and stored, so a reload shows the same option order.
        order = present(question.kind, question.content, rng=rng).order
        practice.items.append(
            PracticeItem(question_id=question_id, position=position, presentation_order=order)
        )


def start_session(
    session: Session,
    user_id: int,
    *,
    bank_ids: Sequence[int] = (),
    topic_ids: Sequence[int] = (),
    kinds: Sequence[str] = DEFAULT_KINDS,
    count: int = DEFAULT_COUNT,
    feedback: str = "now",
    now: datetime,
    rng: random.Random | None = None,
) -> PracticeSession:
    """Draw up to `count` distinct questions at random; fewer when fewer match."""
    rng = rng or random.Random()
    banks, topics = _ids(bank_ids), _ids(topic_ids)
    _check_request(banks, topics, list(kinds), count, feedback)
    kinds = [kind for kind in QUESTION_TYPES if kind in set(kinds)]  # registry order
    candidates = matching_question_ids(session, bank_ids=banks, topic_ids=topics, kinds=kinds)
    if not candidates:
        raise PracticeError(
            "No questions match: pick more banks, topics or question types.", "banks"
        )
    drawn = rng.sample(candidates, min(count, len(candidates)))
    practice = PracticeSession(
        user_id=user_id,
        feedback=feedback,
        criteria={
            "bank_ids": banks,
            "topic_ids": topics,
            "kinds": kinds,
            "count": count,
            "matched": len(candidates),
        },
        created_at=now,
    )
    _add_items(session, practice, drawn, rng)
    session.add(practice)
    session.flush()
    return practice


# -- loading -----------------------------------------------------------------------------------


def load_session(session: Session, user_id: int, session_id: int) -> PracticeSession:
    """The user's session, or SessionNotFound (another user's session is not theirs to see)."""
    practice = session.scalar(
        select(PracticeSession).where(
            PracticeSession.id == session_id, PracticeSession.user_id == user_id
        )
    )
    if practice is None:
        raise SessionNotFound(f"No practice session {session_id}.")
    return practice


def load_item(session: Session, user_id: int, session_id: int, position: int) -> PracticeItem:
    practice = load_session(session, user_id, session_id)
    for item in practice.items:
        if item.position == position:
            return item
    raise ItemNotFound(f"Practice session {session_id} has no question {position}.")


def next_unanswered(practice: PracticeSession, after: int = 0) -> PracticeItem | None:
    """The first unanswered item after `after`, else the first unanswered one at all."""
    waiting = [item for item in practice.items if item.answered_at is None]
    later = [item for item in waiting if item.position > after]
    return (later or waiting or [None])[0]


def presentation_for(item: PracticeItem) -> Presentation:
    question = item.question
    return present(question.kind, question.content, order=item.presentation_order)


def stored_result(item: PracticeItem) -> GradeResult | None:
    """The grade given when the item was answered, with the engine's feedback for it."""
    if item.answered_at is None or item.fraction is None:
        return None
    question = item.question
    regraded = grade(question.kind, question.content, item.response or {})
    # The stored fraction stands even if the question was edited since.
    return GradeResult(item.fraction, regraded.feedback, regraded.answer_text)


# -- answering ---------------------------------------------------------------------------------


def needs_self_score(kind: str, response: Mapping[str, Any]) -> bool:
    """A self-graded answer is shown first; the student then says how well they did."""
    return QUESTION_TYPES[kind].self_graded and "self_score" not in response


def _finish_if_done(session: Session, practice: PracticeSession, now: datetime) -> bool:
    counts = session.execute(
        select(
            func.count(PracticeItem.id),
            func.count(PracticeItem.answered_at),
            func.avg(PracticeItem.fraction),
        ).where(PracticeItem.session_id == practice.id)
    ).one()
    total, answered, mean = counts
    if total == 0 or answered < total:
        return False
    if practice.finished_at is None:
        practice.finished_at = now
        practice.score = round(float(mean or 0.0), 6)
        session.flush()
    return True


def answer_item(
    session: Session,
    user_id: int,
    session_id: int,
    position: int,
    response: Mapping[str, Any],
    now: datetime,
) -> AnswerOutcome:
    """Grade and store an answer once; a second submission changes nothing."""
    item = load_item(session, user_id, session_id, position)
    practice = item.session
    question = item.question
    if item.answered_at is not None:
        return AnswerOutcome(item, stored_result(item), False, practice.finished_at is not None)
    if needs_self_score(question.kind, response):
        raise PracticeError("Say whether you got it right: Yes, Partly or No.", "self_score")
    result = grade(question.kind, question.content, response)
    # Only an unanswered row is written, so two requests racing (a double click) grade once.
    written = session.execute(
        update(PracticeItem)
        .where(PracticeItem.id == item.id, PracticeItem.answered_at.is_(None))
        .values(response=dict(response), fraction=result.fraction, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    if written.rowcount == 0:
        return AnswerOutcome(item, stored_result(item), False, practice.finished_at is not None)
    finished = _finish_if_done(session, practice, now)
    return AnswerOutcome(item, result, True, finished)


# -- after the session -------------------------------------------------------------------------


def is_missed(item: PracticeItem) -> bool:
    return item.fraction is None or item.fraction < CORRECT_THRESHOLD


def missed_question_ids(practice: PracticeSession) -> list[int]:
    return [item.question_id for item in practice.items if is_missed(item)]


def _finished(session: Session, user_id: int, session_id: int) -> PracticeSession:
    practice = load_session(session, user_id, session_id)
    if practice.finished_at is None:
        raise PracticeError("Finish the session first: some questions are unanswered.")
    return practice


def retry_missed(
    session: Session,
    user_id: int,
    session_id: int,
    *,
    now: datetime,
    rng: random.Random | None = None,
) -> PracticeSession:
    """A new session of exactly the questions missed (score below 1), freshly shuffled."""
    rng = rng or random.Random()
    original = _finished(session, user_id, session_id)
    missed = missed_question_ids(original)
    if not missed:
        raise PracticeError("Nothing to retry: you got every question right.")
    rng.shuffle(missed)
    practice = PracticeSession(
        user_id=user_id,
        retry_of_id=original.id,
        feedback=original.feedback,
        criteria={**original.criteria, "count": len(missed), "matched": len(missed)},
        created_at=now,
    )
    _add_items(session, practice, missed, rng)
    session.add(practice)
    session.flush()
    return practice


def add_missed_to_reviews(session: Session, user_id: int, session_id: int, now: datetime) -> int:
    """Review cards for the missed questions the student does not have yet; how many were added."""
    try:
        # Imported here: scheduling is optional for practice and imports the models itself.
        from ..scheduling import add_to_reviews
    except ImportError as exc:
        raise ReviewsUnavailable("Reviews are not available yet.") from exc
    missed = missed_question_ids(_finished(session, user_id, session_id))
    if not missed:
        return 0
    return add_to_reviews(session, user_id, question_ids=missed, now=now)


def session_review(session: Session, user_id: int, session_id: int) -> list[ReviewedItem]:
    """Every item of the session with its prompt, grade and the student's answer in words."""
    practice = load_session(session, user_id, session_id)
    reviewed = []
    for item in practice.items:
        question = item.question
        answer = (
            answer_summary(question.kind, question.content, item.response or {})
            if item.answered_at is not None
            else "Not answered"
        )
        reviewed.append(
            ReviewedItem(item, question, presentation_for(item), stored_result(item), answer)
        )
    return reviewed


def format_points(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:.1f}"


def score_text(practice: PracticeSession) -> str:
    """The points (partial credit counts) out of the questions asked: "7 / 10 · 70%"."""
    total = len(practice.items)
    if practice.score is None or total == 0:
        return "Not finished"
    points = round(practice.score * total, 1)
    return f"{format_points(points)} / {total} · {round(practice.score * 100)}%"


# -- the student's answer in words -------------------------------------------------------------


def _pick(texts: Sequence[str], index: Any) -> str | None:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(texts):
        return render_plain(texts[index])
    return None


def _self_score_text(response: Mapping[str, Any]) -> str:
    score = response.get("self_score")
    if not isinstance(score, int | float) or isinstance(score, bool):
        return "Not rated"
    label = SELF_SCORES.get(float(score), f"{round(float(score) * 100)}%")
    return f"You said: {label}"


def _cloze_value(gap: Mapping[str, Any], value: Any) -> str:
    if "options" in gap and isinstance(value, str) and value.strip().isdigit():
        index = int(value.strip())
        if 0 <= index < len(gap["options"]):
            return render_plain(gap["options"][index])
    return str(value).strip() if value not in (None, "") else "(blank)"


def answer_summary(kind: str, content: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    """What the student answered, as one line of plain text."""
    content = validate_content(kind, content)
    nothing = "No answer"
    if kind == "flashcard":
        return _self_score_text(response)
    if kind == "essay":
        text = str(response.get("text") or "").strip()
        return f"{text} ({_self_score_text(response)})" if text else _self_score_text(response)
    options = [option["text"] for option in content.get("options", [])]
    if kind == "multiple_choice":
        return _pick(options, response.get("choice")) or nothing
    if kind == "multiple_response":
        chosen = [_pick(options, i) for i in response.get("choices") or []]
        return "; ".join(text for text in chosen if text) or nothing
    if kind == "true_false":
        answer = response.get("answer")
        return nothing if not isinstance(answer, bool) else ("True" if answer else "False")
    if kind in ("short_answer", "numerical"):
        value = response.get("text" if kind == "short_answer" else "value")
        return str(value).strip() if isinstance(value, str) and value.strip() else nothing
    if kind == "cloze":
        gaps = response.get("gaps") or []
        if not any(str(value).strip() for value in gaps):
            return nothing
        return " / ".join(
            _cloze_value(gap, value) for gap, value in zip(content["gaps"], gaps, strict=False)
        )
    if kind == "matching":
        rights = matching_rights(content)
        chosen = response.get("pairs") or {}
        lines = []
        for i, pair in enumerate(content["pairs"]):
            picked = chosen.get(str(i)) if isinstance(chosen, Mapping) else None
            right = _pick(rights, picked) or "(none)"
            lines.append(f"{render_plain(pair['left'])} → {right}")
        return "; ".join(lines)
    if kind == "ordering":
        order = response.get("order") or []
        texts = [_pick(content["items"], i) for i in order]
        return " → ".join(text for text in texts if text) or nothing
    return nothing


# -- history -----------------------------------------------------------------------------------


def describe_criteria(
    criteria: Mapping[str, Any], bank_titles: Mapping[int, str], topic_paths: Mapping[int, str]
) -> str:
    """What a session covered: "Bank; Topic › Sub-topic · Multiple choice, True/false"."""
    scope = [bank_titles.get(i, "(deleted bank)") for i in criteria.get("bank_ids", [])]
    scope += [
        topic_paths.get(i, "(deleted topic)").replace("/", " › ")
        for i in criteria.get("topic_ids", [])
    ]
    kinds = [QUESTION_TYPES[k].label for k in criteria.get("kinds", []) if k in QUESTION_TYPES]
    if set(criteria.get("kinds", [])) == set(QUESTION_TYPES):
        kinds = ["all types"]
    elif set(criteria.get("kinds", [])) == set(DEFAULT_KINDS):
        kinds = ["all auto-marked types"]
    return " · ".join(part for part in ("; ".join(scope), ", ".join(kinds)) if part)


def session_history(session: Session, user_id: int) -> list[HistoryEntry]:
    """The user's sessions, newest first, with their size and what they covered."""
    rows = session.execute(
        select(
            PracticeSession,
            func.count(PracticeItem.id),
            func.count(PracticeItem.answered_at),
        )
        .outerjoin(PracticeItem, PracticeItem.session_id == PracticeSession.id)
        .where(PracticeSession.user_id == user_id)
        .group_by(PracticeSession.id)
        .order_by(PracticeSession.created_at.desc(), PracticeSession.id.desc())
    ).all()
    bank_ids = {i for row in rows for i in row[0].criteria.get("bank_ids", [])}
    topic_ids = {i for row in rows for i in row[0].criteria.get("topic_ids", [])}
    bank_titles = dict(
        session.execute(
            select(QuestionBank.id, QuestionBank.title).where(QuestionBank.id.in_(bank_ids))
        ).all()
    )
    topic_paths = dict(
        session.execute(select(Topic.id, Topic.path).where(Topic.id.in_(topic_ids))).all()
    )
    return [
        HistoryEntry(
            practice,
            count,
            answered,
            describe_criteria(practice.criteria, bank_titles, topic_paths),
        )
        for practice, count, answered in rows
    ]
