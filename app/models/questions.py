"""Questions: typed content checked by app.questions.validate_content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .banks import QuestionBank, Topic
from .base import Base
from .sources import SourceDocument
from .types import JsonDocument, UtcDateTime, utcnow


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "external_id"),
        CheckConstraint("difficulty between 1 and 3", name="difficulty_range"),
        Index("ix_questions_bank_kind", "bank_id", "kind"),
        Index("ix_questions_archived_at", "archived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # key in app.questions.QUESTION_TYPES
    # Stable across edits and imports; what `flask seed` and importers match on.
    external_id: Mapped[str] = mapped_column(String(120))
    content: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    explanation: Mapped[str] = mapped_column(Text, default="")
    # The cited passage: a document, its section and a verbatim excerpt.
    source_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_documents.id", ondelete="SET NULL"), index=True
    )
    source_section: Mapped[str | None] = mapped_column(String(80))
    source_excerpt: Mapped[str | None] = mapped_column(Text)
    difficulty: Mapped[int] = mapped_column(SmallInteger, default=2)
    # Words as in Anki ("geo", "europe::west"), normalized by app.formats.pipeline.normalize_tags.
    tags: Mapped[list[str]] = mapped_column(JsonDocument, default=list, server_default="[]")
    version: Mapped[int] = mapped_column(default=1)
    # The question this one was copied from, while it exists.
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL"), index=True
    )
    # Removed from banks, draws and new study, but kept for the reviews and practice
    # history that point at it.
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship()
    topic: Mapped[Topic | None] = relationship()
    source_document: Mapped[SourceDocument | None] = relationship()
