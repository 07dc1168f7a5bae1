"""Putting questions into a student's reviews, and setting cards aside."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import fsrs
from sqlalchemy import ColumnElement, Select, bindparam, exists, false, func, or_, select
from sqlalchemy.orm import Session

from ..models import Question, ReviewCard, Topic, User
from ..models.banks import topic_subtree
from .actions import record_action
from .context import next_day_start
from .fsrs_cards import card_snapshot


class CardNotFound(LookupError):
    """No such card for this user (another user's card included)."""


def user_card(session: Session, user_id: int, card_id: int) -> ReviewCard:
    card = session.scalar(_user_card_statement(), {"card_id": card_id, "user_id": user_id})
    if card is None:
        raise CardNotFound(f"Card {card_id} is not in your reviews.")
    return card


@cache
def _user_card_statement() -> Select:
    """Run on every answer: built once, its values bound on each call."""
    return select(ReviewCard).where(
        ReviewCard.id == bindparam("card_id"), ReviewCard.user_id == bindparam("user_id")
    )


def topic_condition(session: Session, topic_id: int) -> ColumnElement[bool]:
    """Questions of the topic and of its sub-topics: topic "A" covers "A/B" and "A/B/C"."""
    topic = session.get(Topic, topic_id)
    if topic is None:
        return false()
    return Question.topic_id.in_(topic_subtree(topic))


def scope_condition(
    session: Session,
    *,
    question_ids: list[int] | None = None,
    bank_id: int | None = None,
    topic_id: int | None = None,
) -> ColumnElement[bool] | None:
    """Questions in any of the given scopes; None when no scope is given."""
    conditions: list[ColumnElement[bool]] = []
    if question_ids:
        conditions.append(Question.id.in_(question_ids))
    if bank_id:
        conditions.append(Question.bank_id == bank_id)
    if topic_id:
        conditions.append(topic_condition(session, topic_id))
    return or_(*conditions) if conditions else None


def add_to_reviews(
    session: Session,
    user_id: int,
    *,
    question_ids: list[int] | None = None,
    bank_id: int | None = None,
    topic_id: int | None = None,
    now: datetime,
) -> int:
    """Add the questions in scope as new cards, due now; those already there, and archived
    questions, are left alone.

    New cards are introduced in `position` order, so they continue after the student's
    last card, in the order the questions were written.
    """
    scope = scope_condition(session, question_ids=question_ids, bank_id=bank_id, topic_id=topic_id)
    if scope is None:
        return 0
    # One addition at a time per student: a second request (a double submit) waits for the
    # first to commit, then finds its cards already there and adds nothing.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    already_added = exists().where(
        ReviewCard.user_id == user_id, ReviewCard.question_id == Question.id
    )
    wanted = session.scalars(
        select(Question.id)
        .where(scope, ~already_added, Question.archived_at.is_(None))
        .order_by(Question.id)
    ).all()
    if not wanted:
        return 0
    last_position = session.scalar(
        select(func.coalesce(func.max(ReviewCard.position), 0)).where(ReviewCard.user_id == user_id)
    )
    session.add_all(
        _new_card(user_id, question_id, last_position + offset, now)
        for offset, question_id in enumerate(wanted, start=1)
    )
    session.flush()
    return len(wanted)


def _new_card(user_id: int, question_id: int, position: int, now: datetime) -> ReviewCard:
    # The state of a fresh fsrs.Card(): Learning, step 0, no memory state yet.
    return ReviewCard(
        user_id=user_id,
        question_id=question_id,
        state=fsrs.State.Learning.value,
        step=0,
        stability=None,
        difficulty=None,
        due=now,
        last_review=None,
        reps=0,
        lapses=0,
        suspended=False,
        buried_until=None,
        leech=False,
        position=position,
        version=1,
        added_at=now,
    )


def suspend_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    """Take the card out of every queue until it is unsuspended (undo takes it back)."""
    card = user_card(session, user_id, card_id)
    before = card_snapshot(card)
    card.suspended = True
    card.version += 1
    session.flush()
    record_action(session, user_id, card, "suspend", before, now)
    return card


def unsuspend_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    card = user_card(session, user_id, card_id)
    card.suspended = False  # a leech keeps its tag, as in Anki
    card.version += 1
    session.flush()
    return card


def bury_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    """Hide the card until the next study day starts, as Anki's bury does (undo takes it back)."""
    card = user_card(session, user_id, card_id)
    before = card_snapshot(card)
    card.buried_until = next_day_start(session, user_id, now)
    card.version += 1
    session.flush()
    record_action(session, user_id, card, "bury", before, now)
    return card


def unbury_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    """Bring a buried card back into today's queue."""
    card = user_card(session, user_id, card_id)
    card.buried_until = None
    card.version += 1
    session.flush()
    return card


def buried_cards(session: Session, user_id: int, now: datetime) -> list[ReviewCard]:
    """The student's cards buried until later, soonest back first."""
    return list(
        session.scalars(
            select(ReviewCard)
            .where(ReviewCard.user_id == user_id, ReviewCard.buried_until > now)
            .order_by(ReviewCard.buried_until, ReviewCard.id)
        )
    )
