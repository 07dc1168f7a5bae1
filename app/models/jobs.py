"""Background jobs: one row per job, so any web worker can show any job's state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import JsonDocument, UtcDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(Base):
    """A unit of work run outside the request: its state, progress and result."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_user_kind_created", "user_id", "kind", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # also the RQ job id
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    backend: Mapped[str] = mapped_column(String(10), default="thread", server_default="thread")
    progress: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    message: Mapped[str] = mapped_column(String(500), default="", server_default="")
    params: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")
