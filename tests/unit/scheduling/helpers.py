"""Scheduling test helpers: a bank of flashcards, settings, answers (rows via tests.factories)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import fsrs
from sqlalchemy import func, select

from app.extensions import db
from app.models import Question, QuestionBank, ReviewCard, ReviewLog, Topic
from app.scheduling import DEFAULTS, answer_card, update_settings
from tests import factories

# A Monday morning in UTC, far from any DST change in the zones used here.
T0 = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)

# The app's defaults, as at import (before any test moves the default day start).
DEFAULT_SETTINGS = dict(DEFAULTS)


@dataclass
class Bank:
    bank: QuestionBank
    topics: dict[str, Topic]
    questions: list[Question] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.bank.id

    def in_topic(self, path: str) -> list[Question]:
        topic = self.topics[path]
        return [q for q in self.questions if q.topic_id == topic.id]


def make_bank(
    title: str = "History",
    *,
    topics: tuple[str, ...] = ("Timeline", "Timeline/1950s", "Geography"),
    layout: tuple[tuple[str | None, int], ...] = (
        ("Timeline", 10),
        ("Timeline/1950s", 10),
        ("Geography", 10),
    ),
    prefix: str = "q",
) -> Bank:
    """A bank of flashcards; `layout` says how many questions go in which topic, in order."""
    bank = factories.make_bank(title, topics=topics, commit=False)
    result = Bank(bank, factories.topics_of(bank))
    n = 0
    for path, count in layout:
        for _ in range(count):
            n += 1
            question = factories.make_question(
                bank,
                "flashcard",
                topic=result.topics[path] if path else None,
                external_id=f"{prefix}{n}",
                content={"prompt": f"Prompt {prefix}{n}", "back": f"Back {prefix}{n}"},
                commit=False,
            )
            result.questions.append(question)
    db.session.commit()
    return result


def set_settings(user_id: int, **overrides):
    values = {**DEFAULT_SETTINGS, **overrides}
    settings = update_settings(db.session, user_id, **values)
    db.session.commit()
    return settings


def cards_of(user_id: int) -> list[ReviewCard]:
    return list(
        db.session.scalars(
            select(ReviewCard)
            .where(ReviewCard.user_id == user_id)
            .order_by(ReviewCard.position, ReviewCard.id)
        )
    )


def log_count(user_id: int | None = None) -> int:
    query = select(func.count()).select_from(ReviewLog)
    if user_id is not None:
        query = query.where(ReviewLog.user_id == user_id)
    return db.session.scalar(query)


def answer(user_id: int, card: ReviewCard, rating: fsrs.Rating, now: datetime, **kwargs):
    outcome = answer_card(
        db.session, user_id, card.id, rating, now, expected_version=card.version, **kwargs
    )
    db.session.commit()
    return outcome


def review_card(
    user_id: int,
    question: Question,
    *,
    stability: float,
    difficulty: float = 5.0,
    last_review: datetime,
    due: datetime | None = None,
    position: int = 0,
    reps: int = 3,
) -> ReviewCard:
    """A hand-made card in the Review state, as if studied before."""
    return factories.make_card(
        user_id,
        question,
        state=fsrs.State.Review.value,
        step=None,
        stability=stability,
        difficulty=difficulty,
        last_review=last_review,
        due=due or last_review + timedelta(days=max(1, round(stability))),
        reps=reps,
        lapses=0,
        suspended=False,
        leech=False,
        position=position,
        version=1,
        added_at=last_review - timedelta(days=30),
    )


def reload(card: ReviewCard) -> ReviewCard:
    """The card as stored: drop what the session holds and read it again."""
    card_id = card.id
    db.session.expire_all()
    return db.session.get(ReviewCard, card_id)
