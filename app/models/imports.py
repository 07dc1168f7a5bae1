"""Uploaded import files, kept between preview and confirm, and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .banks import QuestionBank
from .base import Base
from .types import JsonDocument, UtcDateTime, utcnow
from .users import User

IMPORT_STATES = ("pending", "running", "applied", "failed", "discarded")


class ImportRecord(Base):
    """One uploaded file: its bytes until applied (any web worker can preview or confirm it),
    then its hash and counts for the history."""

    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # None until applied when the import creates its bank (`bank_name` names it).
    bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_banks.id", ondelete="SET NULL"), index=True
    )
    bank_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    topic: Mapped[str] = mapped_column(String(500), default="", server_default="")
    format: Mapped[str] = mapped_column(String(20))  # a registry name, or "auto"
    options: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped once applied
    state: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    skip_invalid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    counts: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    message: Mapped[str] = mapped_column(String(500), default="", server_default="")
    job_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User | None] = relationship()
    bank: Mapped[QuestionBank | None] = relationship()

    @property
    def target_title(self) -> str:
        return self.bank.title if self.bank is not None else self.bank_name
