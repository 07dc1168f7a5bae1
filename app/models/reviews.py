"""Spaced-repetition state: one review card per (student, question), a log per answer."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .banks import QuestionBank, Topic
from .base import Base
from .questions import Question
from .quizzes import Quiz
from .types import JsonDocument, UtcDateTime, epoch_microseconds, utcnow

# fsrs.State.Learning and Relearning, answered at least once.
STEPS_INDEX_WHERE = "state IN (1, 3) AND reps > 0"


class ReviewCard(Base):
    """FSRS state in real columns, so "what is due for this student" is a range scan."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_review_cards_user_due", "user_id", "due"),  # the study queue
        Index("ix_review_cards_user_new", "user_id", "reps", "position"),  # new cards in order
        # Due reviews, with what the queue filters and ranks them on and the id it
        # picks, so counting and choosing read this index alone (SQLite has the id in
        # every index already; PostgreSQL needs it for an index-only scan).
        Index(
            "ix_review_cards_user_state_due",
            "user_id",
            "state",
            "due",
            "reps",
            "suspended",
            "buried_until",
            "stability",
            "last_review_us",
            "id",
        ),
        # Cards in a learning or relearning step, and only those: new cards are in the
        # learning state too (reps 0), due since they were added, and would fill a
        # (user_id, state, due) range. The queue names the same constants in its WHERE,
        # so both databases' planners can match it.
        Index(
            "ix_review_cards_user_steps",
            "user_id",
            "due",
            "state",
            "reps",
            "suspended",
            "buried_until",
            sqlite_where=text(STEPS_INDEX_WHERE),
            postgresql_where=text(STEPS_INDEX_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[int] = mapped_column(SmallInteger, default=1)  # fsrs.State value
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UtcDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # last_review as microseconds since the epoch, set with it (see below): the queue
    # ranks a day's reviews by the days since, and integer arithmetic on an indexed
    # number is cheaper than converting a stored time on each row.
    last_review_us: Mapped[int | None] = mapped_column(BigInteger)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    # New cards are introduced in this order (the order they were added).
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change; an update names the version it read, so a double
    # submit or a second tab is applied once.
    version: Mapped[int] = mapped_column(Integer, default=1)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    question: Mapped[Question] = relationship()


def last_review_us_of(last_review: datetime | None) -> int | None:
    """ReviewCard.last_review_us for a last review: what a statement that writes
    last_review directly writes beside it."""
    return epoch_microseconds(last_review) if last_review is not None else None


@event.listens_for(ReviewCard.last_review, "set")
def _last_review_set(target: ReviewCard, value: datetime | None, *_: Any) -> None:
    """Every assignment of last_review through the ORM sets its number too."""
    target.last_review_us = last_review_us_of(value)


class ReviewLog(Base):
    __tablename__ = "review_logs"
    __table_args__ = (
        # What the day's limits and the Progress page count by, read from the index alone;
        # also every lookup of a user's logs by time (its first two columns).
        Index(
            "ix_review_logs_user_reviewed_at_kind",
            "user_id",
            "reviewed_at",
            "state_before",
            "rating",
            "was_new",
        ),
        Index("ix_review_logs_card_reviewed_at", "card_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("review_cards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int] = mapped_column(SmallInteger)  # fsrs.Rating value
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    state_before: Mapped[int] = mapped_column(SmallInteger)
    was_new: Mapped[bool] = mapped_column(Boolean, default=False)  # first answer to the card
    state_after: Mapped[int] = mapped_column(SmallInteger)
    # The whole card before this answer, so that undo restores it exactly.
    card_before: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=0)  # due - reviewed_at
    answer: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    grade: Mapped[float | None] = mapped_column(Float)  # engine fraction, for graded types
    # The engine's fraction when the student said "I was right" (grade is then 1), else None.
    overridden_from: Mapped[float | None] = mapped_column(Float)


class StudyAction(Base):
    """One thing a student did to a card (answer, suspend, bury), newest undone first.

    The card as it was before, so undo puts it back exactly; an undone action is deleted,
    so a second request to undo the same action finds nothing to do.
    """

    __tablename__ = "study_actions"
    __table_args__ = (Index("ix_study_actions_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(
        ForeignKey("review_cards.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # "answer" | "suspend" | "bury"
    card_before: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    review_log_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_logs.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# The one list of study-settings defaults (app.scheduling reads it; a student without a
# settings row studies with these). The day start is the app's STUDY_DAY_STARTS_AT_HOUR.
STUDY_DEFAULTS: dict[str, Any] = {
    "desired_retention": 0.9,
    "new_per_day": 20,
    "max_reviews_per_day": 200,
    "learning_steps": [60, 600],  # Anki's and fsrs's default 1m 10m
    "relearning_steps": [600],
    "maximum_interval": 36500,
    "day_starts_at_hour": 4,
    "new_card_order": "file",
}


def _default(name: str) -> Any:
    return lambda: copy.copy(STUDY_DEFAULTS[name])


class StudySettings(Base):
    __tablename__ = "study_settings"
    __table_args__ = (
        CheckConstraint(
            "desired_retention >= 0.7 and desired_retention <= 0.97", name="retention_range"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    desired_retention: Mapped[float] = mapped_column(Float, default=_default("desired_retention"))
    new_per_day: Mapped[int] = mapped_column(Integer, default=_default("new_per_day"))
    max_reviews_per_day: Mapped[int] = mapped_column(
        Integer, default=_default("max_reviews_per_day")
    )
    learning_steps: Mapped[list[int]] = mapped_column(
        JsonDocument, default=_default("learning_steps")
    )
    relearning_steps: Mapped[list[int]] = mapped_column(
        JsonDocument, default=_default("relearning_steps")
    )
    maximum_interval: Mapped[int] = mapped_column(
        Integer, default=_default("maximum_interval")
    )  # days
    day_starts_at_hour: Mapped[int] = mapped_column(
        SmallInteger, default=_default("day_starts_at_hour")
    )
    # "file": new cards in the order they were added; "random": a fixed shuffle.
    new_card_order: Mapped[str] = mapped_column(
        String(8), default=_default("new_card_order"), server_default="file"
    )
    # The deck studied now, "bank:<id>" or "topic:<id>"; None studies everything.
    study_deck: Mapped[str | None] = mapped_column(String(40))
    # Personal FSRS parameters fitted by the optimizer; None means the defaults.
    parameters: Mapped[list[float] | None] = mapped_column(JsonDocument)
    parameters_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ExamDate(Base):
    """An exam on `exam_on` (a study day) covering a bank or a topic, with its own target:
    the retrievability the student wants each card in scope to have when it starts.

    A class quiz's exam is one row with `quiz_id` and no `user_id`: it applies to every
    current student of the quiz's class (read through their membership), covering the
    quiz's chosen questions and the pools of its random rules.
    """

    __tablename__ = "exam_dates"
    __table_args__ = (
        CheckConstraint(
            "bank_id is not null or topic_id is not null or quiz_id is not null",
            name="has_scope",
        ),
        CheckConstraint("(user_id is null) <> (quiz_id is null)", name="student_or_quiz"),
        CheckConstraint(
            "target_retention > 0.7 and target_retention < 1", name="target_retention_range"
        ),
        Index("ix_exam_dates_user_exam_on", "user_id", "exam_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    exam_on: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(120), default="")
    target_retention: Mapped[float] = mapped_column(Float, default=0.95, server_default="0.95")
    # A class quiz's exam, set by its teachers: one per quiz.
    quiz_id: Mapped[int | None] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    bank: Mapped[QuestionBank | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
    quiz: Mapped[Quiz | None] = relationship()

    @property
    def scope_title(self) -> str:
        """What the exam covers, in words: the quiz and its class, the topic, or the bank."""
        if self.quiz is not None:
            return f"{self.quiz.title} ({self.quiz.school_class.name})"
        if self.topic is not None:
            return f"{self.topic.bank.title} › {self.topic.path}"
        return self.bank.title if self.bank is not None else ""
