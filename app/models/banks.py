"""Question banks and their topics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Select,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .types import UtcDateTime, utcnow


class QuestionBank(Base):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Seeded banks carry a slug so `flask seed` finds them again; others may not.
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)
    # A bank outlives its author's account: admins take over ownerless banks.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # A student's own deck: only its owner sees and edits it, whatever their role.
    personal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Removed while someone's reviews or practice history still point at its questions.
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    topics: Mapped[list[Topic]] = relationship(
        back_populates="bank", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Topic(Base):
    """A topic inside one bank; `path` ("Parent/Child") gives the hierarchy."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("bank_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    path: Mapped[str] = mapped_column(String(500))

    bank: Mapped[QuestionBank] = relationship(back_populates="topics")


def topic_subtree(topic: Topic) -> Select[tuple[int]]:
    """Ids of the topic and its sub-topics: "A" covers "A/B" and "A/B/C", not "AB"."""
    return select(Topic.id).where(
        Topic.bank_id == topic.bank_id,
        or_(Topic.path == topic.path, Topic.path.startswith(topic.path + "/", autoescape=True)),
    )
