"""What a student did to a card, kept so that undo can take it back, newest first."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, insert, select
from sqlalchemy.orm import Session

from ..models import ReviewCard, StudyAction
from .days import as_utc

UNDO_LABELS = {"answer": "Undo answer", "suspend": "Undo suspend", "bury": "Undo bury"}


def record_action(
    session: Session,
    user_id: int,
    card: ReviewCard,
    kind: str,
    before: dict[str, Any],
    now: datetime,
    *,
    review_log_id: int | None = None,
) -> int:
    """Remember what was done to the card and how it was before, for undo: the new
    action's id. By a statement built once, as on every answer."""
    return session.execute(
        _action_insert(),
        {
            "user_id": user_id,
            "card_id": card.id,
            "kind": kind,
            "card_before": before,
            "review_log_id": review_log_id,
            "created_at": as_utc(now),
        },
    ).scalar_one()


@cache
def _action_insert() -> Insert:
    table = StudyAction.__table__
    return insert(table).returning(table.c.id)


def last_action(session: Session, user_id: int) -> StudyAction | None:
    """The student's newest action that can still be undone."""
    return session.scalars(
        select(StudyAction)
        .where(StudyAction.user_id == user_id)
        .order_by(StudyAction.id.desc())
        .limit(1)
    ).first()
