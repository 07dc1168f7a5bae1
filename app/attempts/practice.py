"""Practice sessions: self-tests drawn from banks and topics, kept in a history.

The item-level work (snapshot, shuffle, answer once, score, review) is in `app.attempts`;
this module chooses the questions, loads the student's own sessions, retries the missed
questions and sends them to reviews. No Flask: every function takes the SQLAlchemy
session and plain values, `now` is passed in, and nothing is committed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import PracticeItem, PracticeSession, Question, QuestionBank, Topic
from ..models.banks import topic_subtree
from ..questions import QUESTION_TYPES
from ..scheduling import add_to_reviews
from . import items as attempt
from .errors import AttemptError, ItemNotFound

FEEDBACK_MODES = {"now": "After each question", "end": "At the end"}
MIN_QUESTIONS = 1
MAX_QUESTIONS = 100
DEFAULT_COUNT = 10
# Self-graded types need the student to judge their own answer, so they are opt-in.
DEFAULT_KINDS = tuple(kind for kind, qtype in QUESTION_TYPES.items() if not qtype.self_graded)

# A practice request that cannot be carried out (422); `field` names the form field at fault.
PracticeError = AttemptError

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_KINDS",
    "FEEDBACK_MODES",
    "MAX_QUESTIONS",
    "MIN_QUESTIONS",
    "AnswerOutcome",
    "HistoryEntry",
    "ItemNotFound",
    "PracticeError",
    "SessionNotFound",
    "add_missed_to_reviews",
    "answer_item",
    "describe_criteria",
    "load_item",
    "load_session",
    "matching_question_ids",
    "next_unanswered",
    "override_answer",
    "retry_missed",
    "score_text",
    "session_history",
    "session_review",
    "start_session",
]


class SessionNotFound(NotFound):
    """No such practice session for this user (another user's session included)."""


@dataclass(frozen=True)
class AnswerOutcome:
    item: PracticeItem
    result: Any
    # False when the item had been answered already: a resubmit or a double click.
    newly_answered: bool
    finished: bool


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


def _topic_scope(session: Session, topic_ids: Sequence[int]):
    """The questions of the topics asked for and of their sub-topics ("A" includes "A/B")."""
    chosen = session.scalars(select(Topic).where(Topic.id.in_(topic_ids))).all()
    if len(chosen) != len(topic_ids):
        raise PracticeError("A topic you picked no longer exists; pick again.", "topics")
    return or_(*(Question.topic_id.in_(topic_subtree(topic)) for topic in chosen))


def matching_question_ids(
    session: Session,
    *,
    bank_ids: Sequence[int] = (),
    topic_ids: Sequence[int] = (),
    kinds: Sequence[str] = DEFAULT_KINDS,
) -> list[int]:
    """Ids of the live (not archived) questions of the given types in any picked bank or
    any picked topic."""
    bank_ids, topic_ids = _ids(bank_ids), _ids(topic_ids)
    if bank_ids:
        found = session.scalars(
            select(QuestionBank.id).where(
                QuestionBank.id.in_(bank_ids), QuestionBank.archived_at.is_(None)
            )
        )
        if len(found.all()) != len(bank_ids):
            raise PracticeError("A bank you picked no longer exists; pick again.", "banks")
    scopes = []
    if bank_ids:
        scopes.append(Question.bank_id.in_(bank_ids))
    if topic_ids:
        scopes.append(_topic_scope(session, topic_ids))
    if not scopes or not kinds:
        return []
    query = (
        select(Question.id)
        .where(or_(*scopes), Question.kind.in_(list(kinds)), Question.archived_at.is_(None))
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
    found = session.scalars(select(Question).where(Question.id.in_(question_ids)))
    by_id = {question.id: question for question in found}
    for values in attempt.item_values([by_id[i] for i in question_ids], rng):
        practice.items.append(PracticeItem(**values))


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
    _add_items(session, practice, attempt.draw(candidates, count, rng), rng)
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
    return attempt.next_unanswered(practice.items, after)


# -- answering ---------------------------------------------------------------------------------


def answer_item(
    session: Session,
    user_id: int,
    session_id: int,
    position: int,
    response: Mapping[str, Any],
    now: datetime,
) -> AnswerOutcome:
    """Grade and store an answer once, from the item's snapshot; a resubmit changes nothing."""
    item = load_item(session, user_id, session_id, position)
    practice = item.session
    outcome = attempt.answer(session, item, response, now)
    if outcome.newly_answered:
        finished = attempt.finish_if_done(session, practice, PracticeItem.session_id, now)
    else:
        finished = practice.finished_at is not None
    return AnswerOutcome(outcome.item, outcome.result, outcome.newly_answered, finished)


def override_answer(
    session: Session, user_id: int, session_id: int, position: int, now: datetime
) -> bool:
    """ "I was right": the item gets full credit and a finished session's score follows.

    The engine's grade is kept on the item (`overridden_from`); False when there was nothing
    to override.
    """
    item = load_item(session, user_id, session_id, position)
    changed = attempt.override(session, item, now)
    if changed:
        attempt.rescore(session, item.session, PracticeItem.session_id)
    return changed


# -- after the session -------------------------------------------------------------------------


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
    missed = attempt.missed_question_ids(original.items)
    if not missed:
        raise PracticeError("Nothing to retry: you got every question right.")
    live = set(
        session.scalars(
            select(Question.id).where(Question.id.in_(missed), Question.archived_at.is_(None))
        )
    )
    missed = [question_id for question_id in missed if question_id in live]
    if not missed:
        raise PracticeError("The questions you missed have been removed from their banks.")
    # A retry already begun and not finished is the retry: a double click makes one session.
    session.execute(
        select(PracticeSession.id).where(PracticeSession.id == original.id).with_for_update()
    )
    begun = session.scalar(
        select(PracticeSession)
        .where(
            PracticeSession.retry_of_id == original.id,
            PracticeSession.user_id == user_id,
            PracticeSession.finished_at.is_(None),
        )
        .order_by(PracticeSession.id.desc())
    )
    if begun is not None:
        return begun
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
    missed = attempt.missed_question_ids(_finished(session, user_id, session_id).items)
    if not missed:
        return 0
    return add_to_reviews(session, user_id, question_ids=missed, now=now)


def session_review(session: Session, user_id: int, session_id: int) -> list[attempt.ReviewedItem]:
    """Every item of the session with its prompt, grade and the student's answer in words."""
    return attempt.review(load_session(session, user_id, session_id).items)


def score_text(practice: PracticeSession) -> str:
    """The points (partial credit counts) out of the questions asked: "7 / 10 · 70%"."""
    return attempt.score_text(practice.score, len(practice.items))


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
