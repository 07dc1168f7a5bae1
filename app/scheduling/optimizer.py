"""Personal FSRS parameters fitted to a student's own history with fsrs.Optimizer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import fsrs
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ReviewLog
from .settings import get_settings

# FSRS's authors advise some hundreds of reviews before fitting: with fewer, the
# fitted parameters follow noise more than memory.
MIN_REVIEWS_TO_OPTIMIZE = 400


class OptimizerUnavailable(RuntimeError):
    """The optimizer extra (torch, pandas) is not installed on this server."""


class NotEnoughReviews(ValueError):
    """Too few reviews to fit parameters."""


@dataclass
class OptimizeResult:
    old_loss: float
    new_loss: float
    parameters: list[float]
    reviews: int
    applied: bool


def optimizer_available() -> bool:
    try:
        from fsrs import Optimizer  # noqa: F401
    except ImportError:
        return False
    return True


def optimize_parameters(session: Session, user_id: int, now: datetime) -> OptimizeResult:
    if not optimizer_available():
        raise OptimizerUnavailable(
            'The optimizer is not installed on this server (pip install -e ".[optimizer]").'
        )
    from fsrs import Optimizer

    count = session.scalar(
        select(func.count()).select_from(ReviewLog).where(ReviewLog.user_id == user_id)
    )
    if count < MIN_REVIEWS_TO_OPTIMIZE:
        raise NotEnoughReviews(
            f"Optimizing needs at least {MIN_REVIEWS_TO_OPTIMIZE} reviews; you have {count}."
        )
    logs = [
        fsrs.ReviewLog(
            card_id=card_id,
            rating=fsrs.Rating(rating),
            review_datetime=at,
            review_duration=duration,
        )
        for card_id, rating, at, duration in session.execute(
            select(
                ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.duration_ms
            )
            .where(ReviewLog.user_id == user_id)
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )
    ]
    settings = get_settings(session, user_id)
    optimizer = Optimizer(logs)
    old_parameters = list(settings.parameters or fsrs.Scheduler().parameters)
    new_parameters = [float(p) for p in optimizer.compute_optimal_parameters()]
    old_loss = float(optimizer._compute_batch_loss(parameters=old_parameters))
    new_loss = float(optimizer._compute_batch_loss(parameters=new_parameters))
    applied = new_loss < old_loss
    if applied:
        settings.parameters = new_parameters
        settings.parameters_updated_at = now
        session.flush()
    return OptimizeResult(old_loss, new_loss, new_parameters, count, applied)
