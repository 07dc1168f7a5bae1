"""Source documents questions cite, the uploads waiting to become one, and the question
drafts drawn from them.

A seeded document has no owner and every signed-in user may read it; a teacher's own
document belongs to its owner (see `app.access.may_view_document` for who else reads it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .types import JsonDocument, UtcDateTime, utcnow

FILE_TYPES = ("", "pasted", "txt", "md", "docx", "pdf")  # "" for the seeded documents
DRAFT_STATES = ("pending", "accepted", "rejected")


class SourceDocument(Base):
    __tablename__ = "source_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    short_title: Mapped[str] = mapped_column(String(80), default="")
    origin: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    # [{"slug", "title", "start"}] in document order; see seed_data/sources/manifest.yaml
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    skip_lines: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Where the text came from: the uploaded file's name and type, or "pasted".
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    file_type: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # The owner's bank that accepted drafts go into, chosen once on the drafts page.
    draft_bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_banks.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    @property
    def seeded(self) -> bool:
        return self.owner_id is None


class PendingDocument(Base):
    """An upload or pasted text, read and its sections detected, that its owner has not saved
    yet: kept in the database so any web worker shows and saves it. Saving it makes the
    SourceDocument and deletes this row; so does cancelling, without the document."""

    __tablename__ = "pending_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(300), default="", server_default="")
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    file_type: Mapped[str] = mapped_column(String(10), default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    # [{"slug", "title", "start"}] as detected, then as the owner adjusted them.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    # Indexed for removing the uploads left unsaved (see app.sources.pending).
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class QuestionDraft(Base):
    """A question the drafter proposed from a document, waiting for its owner's decision."""

    __tablename__ = "question_drafts"
    __table_args__ = (
        CheckConstraint("state in ('pending', 'accepted', 'rejected')", name="draft_state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("source_documents.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    content: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    section: Mapped[str] = mapped_column(String(80))
    excerpt: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(40), default="", server_default="")
    draft_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    state: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    document: Mapped[SourceDocument] = relationship()
