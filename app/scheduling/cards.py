"""Putting questions into a student's reviews, and setting cards aside."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import Question, ReviewCard, Topic, User
from .days import day_bounds, study_day
from .settings import get_settings


class CardNotFound(LookupError):
    """No such card for this user (another user's card included)."""


def user_card(session: Session, user_id: int, card_id: int) -> ReviewCard:
    card = session.scalar(
        select(ReviewCard).where(ReviewCard.id == card_id, ReviewCard.user_id == user_id)
    )
    if card is None:
        raise CardNotFound(card_id)
    return card


def questions_in_scope(
    *, question_ids: list[int] | None, bank_id: int | None, topic_id: int | None
):
    """A select of question ids; a topic includes its sub-topics ("A" covers "A/B")."""
    query = select(Question.id)
    conditions = []
    if question_ids:
        conditions.append(Question.id.in_(question_ids))
    if bank_id:
        conditions.append(Question.bank_id == bank_id)
    if topic_id:
        topic = select(Topic.path, Topic.bank_id).where(Topic.id == topic_id).subquery()
        sub_topics = (
            select(Topic.id)
            .join(topic, Topic.bank_id == topic.c.bank_id)
            .where(or_(Topic.path == topic.c.path, Topic.path.like(topic.c.path + "/%")))
        )
        conditions.append(Question.topic_id.in_(sub_topics))
    if not conditions:
        return None
    return query.where(or_(*conditions)).order_by(Question.bank_id, Question.topic_id, Question.id)


def add_to_reviews(
    session: Session,
    user_id: int,
    *,
    question_ids: list[int] | None = None,
    bank_id: int | None = None,
    topic_id: int | None = None,
    now: datetime,
) -> int:
    """Add the questions in scope as new cards; those already there are left alone."""
    query = questions_in_scope(question_ids=question_ids, bank_id=bank_id, topic_id=topic_id)
    if query is None:
        return 0
    have = set(session.scalars(select(ReviewCard.question_id).where(ReviewCard.user_id == user_id)))
    wanted = [qid for qid in session.scalars(query) if qid not in have]
    if not wanted:
        return 0
    position = session.scalar(
        select(func.coalesce(func.max(ReviewCard.position), 0)).where(ReviewCard.user_id == user_id)
    )
    for offset, question_id in enumerate(dict.fromkeys(wanted), start=1):
        session.add(
            ReviewCard(
                user_id=user_id,
                question_id=question_id,
                state=1,
                step=0,
                due=now,
                reps=0,
                lapses=0,
                suspended=False,
                leech=False,
                position=position + offset,
                version=1,
                added_at=now,
            )
        )
    session.flush()
    return len(dict.fromkeys(wanted))


def suspend_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    card = user_card(session, user_id, card_id)
    card.suspended = True
    card.version += 1
    session.flush()
    return card


def unsuspend_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    card = user_card(session, user_id, card_id)
    card.suspended = False  # a leech keeps its tag, as in Anki
    card.version += 1
    session.flush()
    return card


def bury_card(session: Session, user_id: int, card_id: int, now: datetime) -> ReviewCard:
    """Hide the card until the next study day starts, as Anki's bury does."""
    card = user_card(session, user_id, card_id)
    settings = get_settings(session, user_id)
    time_zone = session.scalar(select(User.time_zone).where(User.id == user_id)) or "UTC"
    today = study_day(now, time_zone, settings.day_starts_at_hour)
    card.buried_until = day_bounds(today, time_zone, settings.day_starts_at_hour)[1]
    card.version += 1
    session.flush()
    return card
