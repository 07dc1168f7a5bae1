"""Quizzes a class takes: settings, question slots, attempts, their items and user overrides.

The rules follow Moodle's quiz module, simplified: a window (open and close times), a time
limit, attempts allowed and a grading method over them, review options saying what a student
sees and when, and what happens to an attempt still open at its deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .banks import QuestionBank, Topic
from .base import Base
from .classes import SchoolClass
from .questions import Question
from .types import JsonDocument, UtcDateTime, utcnow
from .users import User

GRADING_METHODS = ("highest", "last", "first", "average")
# When a student may see each part of their attempt (Moodle's review options matrix).
REVIEW_TIMES = ("immediately", "after_submission", "after_close", "never")
REVIEW_PARTS = ("score", "answers", "right_answers", "feedback")
OVERDUE_RULES = ("autosubmit", "graceperiod", "autoabandon")
MISSED_TIMES = ("submission", "release")
ATTEMPT_STATES = ("inprogress", "overdue", "finished", "abandoned")


class Quiz(Base):
    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("attempts_allowed >= 0", name="quiz_attempts_allowed_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Stored in UTC; the teacher enters them in the class's time zone.
    open_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    grading_method: Mapped[str] = mapped_column(
        String(10), default="highest", server_default="highest"
    )
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    review_score: Mapped[str] = mapped_column(
        String(16), default="after_submission", server_default="after_submission"
    )
    review_answers: Mapped[str] = mapped_column(
        String(16), default="after_submission", server_default="after_submission"
    )
    review_right_answers: Mapped[str] = mapped_column(
        String(16), default="after_close", server_default="after_close"
    )
    review_feedback: Mapped[str] = mapped_column(
        String(16), default="after_close", server_default="after_close"
    )
    overdue_handling: Mapped[str] = mapped_column(
        String(12), default="autosubmit", server_default="autosubmit"
    )
    grace_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    send_missed_to_reviews: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    missed_to_reviews_at: Mapped[str] = mapped_column(
        String(12), default="submission", server_default="submission"
    )
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    school_class: Mapped[SchoolClass] = relationship()
    slots: Mapped[list[QuizSlot]] = relationship(
        back_populates="quiz",
        order_by="QuizSlot.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class QuizSlot(Base):
    """A place in the quiz: one chosen question, or `count` questions drawn by a rule."""

    __tablename__ = "quiz_slots"
    __table_args__ = (
        CheckConstraint(
            "question_id IS NOT NULL OR bank_id IS NOT NULL", name="quiz_slot_has_source"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    # A random rule: questions of the bank, within the topic (and its sub-topics), of the
    # difficulty and type when given.
    bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True
    )
    difficulty: Mapped[int | None] = mapped_column(SmallInteger)
    kind: Mapped[str | None] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()
    bank: Mapped[QuestionBank | None] = relationship()
    topic: Mapped[Topic | None] = relationship()

    @property
    def is_random(self) -> bool:
        return self.question_id is None


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index("ix_quiz_attempts_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # From the time limit, the close time and the student's override; None: no deadline.
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(
        String(12), default="inprogress", server_default="inprogress"
    )
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    score: Mapped[float | None] = mapped_column(Float)  # points / max_points, 0..1
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # When the missed questions went to the student's reviews.
    missed_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    items: Mapped[list[QuizItem]] = relationship(
        back_populates="attempt",
        order_by="QuizItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class QuizItem(Base):
    """One question of an attempt, snapshotted at the start (see app.attempts.items)."""

    __tablename__ = "quiz_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    question_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    question_kind: Mapped[str] = mapped_column(String(24), default="", server_default="")
    content: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    presentation_order: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    fraction: Mapped[float | None] = mapped_column(Float)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Each saved answer moves it on; a page posts the one it showed, so a stale page is refused.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    points: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")

    attempt: Mapped[QuizAttempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class QuizOverride(Base):
    """One student's accommodation: another time limit, a later close time, more attempts."""

    __tablename__ = "quiz_overrides"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    close_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship()


class GradeOverride(Base):
    """A teacher's grade for a student in a quiz, in place of the computed one, with a
    comment; the computed grade at that moment is kept beside it."""

    __tablename__ = "quiz_grade_overrides"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id"),
        CheckConstraint("grade >= 0 AND grade <= 1", name="grade_override_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    grade: Mapped[float] = mapped_column(Float)  # 0..1
    original_grade: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
