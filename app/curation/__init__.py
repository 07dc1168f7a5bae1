"""Keeping banks tidy: students' personal decks, copying questions, deleting and archiving.

No Flask: every function takes the SQLAlchemy session and plain values, `now` is passed
in, and nothing is committed. Who may do each thing is decided in `app.access` first.

Removing a question or a bank deletes it when nothing points at it. When someone's review
cards or practice items do, it is archived instead (`archived_at`), so no student loses
history: an archived question leaves bank pages, practice draws and new-card study, while
the review cards already studied keep coming up as before.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..errors import Invalid
from ..formats import ensure_topic
from ..models import ClassBank, PracticeItem, Question, QuestionBank, ReviewCard

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 5000

__all__ = [
    "Removal",
    "copy_question",
    "create_deck",
    "plan_bank_removal",
    "plan_question_removal",
    "remove_bank",
    "remove_question",
]


def create_deck(
    session: Session, owner_id: int, title: str, description: str, now: datetime
) -> QuestionBank:
    """A personal deck owned by `owner_id`: only they will see it."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise Invalid("Give the deck a title.", "title")
    if len(title) > MAX_TITLE_CHARS:
        raise Invalid(f"Keep the title to {MAX_TITLE_CHARS} characters or fewer.", "title")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise Invalid(
            f"Keep the description to {MAX_DESCRIPTION_CHARS} characters or fewer.", "description"
        )
    deck = QuestionBank(
        title=title,
        description=description,
        owner_id=owner_id,
        personal=True,
        created_at=now,
        updated_at=now,
    )
    session.add(deck)
    session.flush()
    return deck


def _fresh_external_id(session: Session, bank_id: int) -> str:
    while True:
        candidate = "q-" + secrets.token_hex(4)
        taken = session.scalar(
            select(Question.id).where(
                Question.bank_id == bank_id, Question.external_id == candidate
            )
        )
        if taken is None:
            return candidate


def copy_question(
    session: Session, question: Question, target: QuestionBank, now: datetime
) -> Question:
    """A new question in `target` with the same content, explanation and citation.

    It gets a new external id, its topic path is made in the target bank, and it
    remembers the question it came from.
    """
    if question.archived_at is not None:
        raise Invalid("That question has been removed; it cannot be copied.")
    if target.archived_at is not None:
        raise Invalid("That bank has been removed; choose another.", "target")
    topic = ensure_topic(session, target.id, question.topic.path) if question.topic else None
    copy = Question(
        bank_id=target.id,
        topic_id=topic.id if topic else None,
        kind=question.kind,
        external_id=_fresh_external_id(session, target.id),
        content=dict(question.content),
        explanation=question.explanation,
        source_document_id=question.source_document_id,
        source_section=question.source_section,
        source_excerpt=question.source_excerpt,
        difficulty=question.difficulty,
        tags=list(question.tags or []),
        copied_from_id=question.id,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    session.flush()
    return copy


# -- removing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    """What removing a question or a bank does: delete it, or archive it (and why)."""

    archive: bool
    questions: int  # live questions affected (1 for a question)
    review_cards: int  # review cards of any user pointing at them
    practice_items: int  # practice answers of any user pointing at them

    @property
    def action(self) -> str:
        return "archive" if self.archive else "delete"


def _history(session: Session, scope) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    cards = session.scalar(
        select(func.count()).select_from(ReviewCard).where(ReviewCard.question_id.in_(scope))
    )
    items = session.scalar(
        select(func.count()).select_from(PracticeItem).where(PracticeItem.question_id.in_(scope))
    )
    return cards or 0, items or 0


def plan_question_removal(session: Session, question: Question) -> Removal:
    cards, items = _history(session, select(Question.id).where(Question.id == question.id))
    return Removal(
        archive=bool(cards or items), questions=1, review_cards=cards, practice_items=items
    )


def plan_bank_removal(session: Session, bank: QuestionBank) -> Removal:
    in_bank = select(Question.id).where(Question.bank_id == bank.id)
    cards, items = _history(session, in_bank)
    live = session.scalar(
        select(func.count())
        .select_from(Question)
        .where(Question.bank_id == bank.id, Question.archived_at.is_(None))
    )
    return Removal(
        archive=bool(cards or items), questions=live or 0, review_cards=cards, practice_items=items
    )


def remove_question(session: Session, question: Question, now: datetime) -> Removal:
    """Delete the question, or archive it when reviews or practice history point at it."""
    if question.archived_at is not None:
        raise Invalid("That question has been removed already.")
    plan = plan_question_removal(session, question)
    if plan.archive:
        question.archived_at = now
    else:
        session.delete(question)
    session.flush()
    return plan


def remove_bank(session: Session, bank: QuestionBank, now: datetime) -> Removal:
    """Delete the bank with its topics and questions, or archive it with all its questions
    when history points at any of them. Either way no class lists it any more."""
    if bank.archived_at is not None:
        raise Invalid("That bank has been removed already.")
    plan = plan_bank_removal(session, bank)
    session.execute(delete(ClassBank).where(ClassBank.bank_id == bank.id))
    if plan.archive:
        bank.archived_at = now
        session.execute(
            update(Question)
            .where(Question.bank_id == bank.id, Question.archived_at.is_(None))
            .values(archived_at=now)
            .execution_options(synchronize_session="fetch")
        )
    else:
        # Copies made from these questions keep their content and lose only the link.
        session.execute(delete(Question).where(Question.bank_id == bank.id))
        session.delete(bank)
    session.flush()
    return plan
