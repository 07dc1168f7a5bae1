"""Practice sessions: self-tests with a score, kept in a history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .questions import Question
from .types import JsonDocument, UtcDateTime, utcnow


class PracticeSession(Base):
    __tablename__ = "practice_sessions"
    __table_args__ = (Index("ix_practice_sessions_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A retry of the missed questions of an earlier session.
    retry_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="SET NULL"), index=True
    )
    feedback: Mapped[str] = mapped_column(String(8), default="now")  # "now" or "end"
    # What was asked for: bank ids, topic ids, types, count.
    criteria: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    score: Mapped[float | None] = mapped_column(Float)  # mean fraction, 0..1, when finished

    items: Mapped[list[PracticeItem]] = relationship(
        back_populates="session",
        order_by="PracticeItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class PracticeItem(Base):
    __tablename__ = "practice_items"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("practice_sessions.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # The question as drawn: grading, feedback and the review use this, never the live
    # question, so an edit after the draw cannot change the item.
    question_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    question_kind: Mapped[str] = mapped_column(String(24), default="", server_default="")
    content: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    # The shuffle shown (app.questions Presentation.order), so a reload shows it again.
    presentation_order: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    fraction: Mapped[float | None] = mapped_column(Float)
    # The engine's fraction when the student said "I was right" (fraction is then 1), else None.
    overridden_from: Mapped[float | None] = mapped_column(Float)
    overridden_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Flagged by the student to come back to, shown on the question map.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    session: Mapped[PracticeSession] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()
