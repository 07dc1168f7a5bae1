"""Personal FSRS parameters fitted to a student's own history with fsrs.Optimizer.

The optimizer is an optional extra (torch, pandas): `pip install -e ".[optimizer]"`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from importlib.util import find_spec
from itertools import pairwise
from typing import Any

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ReviewLog
from .days import as_utc
from .settings import get_settings

# fsrs.Optimizer learns only from reviews made a day or more after the card's previous
# review, looking at each card's first 64 reviews, and returns the default parameters
# untouched when it has fewer than one mini-batch (512) of them. Anki 24.04 asks for 400
# reviews of any kind; counting the way fsrs counts makes "not enough" mean exactly
# "the optimizer would change nothing", so a student is never sent to a fit that cannot be.
MIN_REVIEWS_TO_OPTIMIZE = 512
REVIEWS_PER_CARD_USED = 64  # fsrs.optimizer's max_seq_len
_OPTIMIZER_NEEDS = ("torch", "pandas", "tqdm")


class OptimizerUnavailable(RuntimeError):
    """The optimizer extra (torch, pandas) is not installed on this server."""


class NotEnoughReviews(ValueError):
    """Too few reviews to fit parameters."""


@dataclass
class OptimizeResult:
    old_loss: float  # log loss of the parameters in use, on the student's history
    new_loss: float  # log loss of the fitted parameters
    parameters: list[float]
    reviews: int  # answers in the history the fit read

    @property
    def applied(self) -> bool:
        return self.new_loss < self.old_loss


def optimizer_available() -> bool:
    """Whether the optimizer extra is installed, without importing torch."""
    return all(find_spec(name) is not None for name in _OPTIMIZER_NEEDS)


def _optimizer_class() -> Any:
    try:
        from fsrs.optimizer import Optimizer
    except ImportError:
        return None
    # Without its extra, fsrs.optimizer defines a stand-in that raises when constructed.
    return Optimizer if hasattr(Optimizer, "compute_optimal_parameters") else None


def optimize_parameters(session: Session, user_id: int, now: datetime) -> OptimizeResult:
    """Fit FSRS parameters to the student's answers; keep them only if they predict better.

    "Better" is a lower log loss over the same history (fsrs.Optimizer's own measure),
    so a fit on a noisy history never replaces parameters that explain it as well.
    """
    optimizer_class = _optimizer_class() if optimizer_available() else None
    if optimizer_class is None:
        raise OptimizerUnavailable(
            "Personal parameters need the optimizer, which is not installed on this "
            'server (pip install -e ".[optimizer]"). The default parameters stay in use.'
        )
    logs = user_review_logs(session, user_id)
    usable = count_usable_reviews(logs)
    if usable < MIN_REVIEWS_TO_OPTIMIZE:
        raise NotEnoughReviews(
            f"Personal parameters need {MIN_REVIEWS_TO_OPTIMIZE} reviews made at least a day "
            f"after the card's previous review; you have {usable} so far. Keep studying and "
            "try again later."
        )
    settings = get_settings(session, user_id)
    optimizer = optimizer_class(logs)
    fitted = [float(p) for p in optimizer.compute_optimal_parameters()]
    current = [float(p) for p in (settings.parameters or DEFAULT_PARAMETERS)]
    result = OptimizeResult(
        old_loss=float(optimizer._compute_batch_loss(parameters=current)),
        new_loss=float(optimizer._compute_batch_loss(parameters=fitted)),
        parameters=fitted,
        reviews=len(logs),
    )
    if result.applied:
        settings.parameters = fitted
        settings.parameters_updated_at = as_utc(now)
        session.flush()
    return result


def user_review_logs(session: Session, user_id: int) -> list[fsrs.ReviewLog]:
    """The student's answers as fsrs review logs, oldest first."""
    rows = session.execute(
        select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.duration_ms)
        .where(ReviewLog.user_id == user_id)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    return [
        fsrs.ReviewLog(
            card_id=card_id,
            rating=fsrs.Rating(rating),
            review_datetime=as_utc(reviewed_at),
            review_duration=duration_ms,
        )
        for card_id, rating, reviewed_at, duration_ms in rows
    ]


def count_usable_reviews(logs: list[fsrs.ReviewLog]) -> int:
    """Reviews the optimizer learns from: a day or more after the same card's previous one."""
    by_card: dict[int, list[datetime]] = defaultdict(list)
    for log in logs:
        by_card[log.card_id].append(log.review_datetime)
    usable = 0
    for times in by_card.values():
        used = sorted(times)[:REVIEWS_PER_CARD_USED]
        usable += sum(1 for earlier, later in pairwise(used) if (later - earlier).days > 0)
    return usable
