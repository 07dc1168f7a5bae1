"""Personal FSRS parameters fitted to a student's own history with fsrs.Optimizer.

The optimizer is an optional extra (torch, pandas): `pip install -e ".[optimizer]"`.
A fit takes seconds to minutes, so it runs as a background job (`optimize_job`, see
app.jobs), never inside a web request.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.util import find_spec
from itertools import pairwise
from typing import Any

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid
from ..models import ReviewCard, ReviewLog
from .days import as_utc
from .fsrs_cards import scheduler_for
from .settings import get_settings, settings_for_update

# fsrs.Optimizer learns only from reviews made a day or more after the card's previous
# review, looking at each card's first 64 reviews, and returns the default parameters
# untouched when it has fewer than one mini-batch (512) of them. Anki 24.04 asks for 400
# reviews of any kind; counting the way fsrs counts makes "not enough" mean exactly
# "the optimizer would change nothing", so a student is never sent to a fit that cannot be.
# The fit is judged out of sample: it sees the earlier reviews only, and the later ones
# (the last fifth, at least MIN_HELD_OUT_REVIEWS) decide whether it is kept.
MIN_TRAINING_REVIEWS = 512
MIN_HELD_OUT_REVIEWS = 128
HELD_OUT_FRACTION = 0.2
MIN_REVIEWS_TO_OPTIMIZE = MIN_TRAINING_REVIEWS + MIN_HELD_OUT_REVIEWS
REVIEWS_PER_CARD_USED = 64  # fsrs.optimizer's max_seq_len
MIN_TIMED_ANSWERS = 512  # fsrs's optimal-retention helper refuses fewer
_OPTIMIZER_NEEDS = ("torch", "pandas", "tqdm")

Progress = Callable[..., None]


def _no_progress(fraction: float, message: str | None = None) -> None:
    return None


class OptimizerUnavailable(Conflict, RuntimeError):
    """The optimizer extra (torch, pandas) is not installed on this server."""


class NotEnoughReviews(Invalid):
    """Too few reviews to fit parameters (or to judge the fit)."""


@dataclass
class OptimizeResult:
    old_loss: float  # log loss of the parameters in use, on the held-out later reviews
    new_loss: float  # log loss of the fitted parameters, on the same held-out reviews
    parameters: list[float]
    reviews: int  # answers in the history
    train_old_loss: float = 0.0  # the same two, on the earlier reviews the fit saw
    train_new_loss: float = 0.0
    training_reviews: int = 0  # usable reviews the fit learned from
    held_out_reviews: int = 0  # usable reviews it was judged on
    split_at: datetime | None = None  # reviews from here on are held out
    cards_recomputed: int = 0  # cards whose stability and difficulty were recomputed
    rescheduled: bool = False

    @property
    def applied(self) -> bool:
        return self.new_loss < self.old_loss

    def as_json(self) -> dict[str, Any]:
        if self.applied:
            message = (
                f"Personal parameters applied: on your {self.held_out_reviews} latest reviews, "
                f"which the fit did not see, log loss {self.old_loss:.4f} → {self.new_loss:.4f}."
            )
        else:
            message = (
                f"The fitted parameters were no better on your {self.held_out_reviews} latest "
                f"reviews (log loss {self.old_loss:.4f} → {self.new_loss:.4f}); your "
                "parameters are unchanged."
            )
        return {
            "message": message,
            "applied": self.applied,
            "old_loss": self.old_loss,
            "new_loss": self.new_loss,
            "train_old_loss": self.train_old_loss,
            "train_new_loss": self.train_new_loss,
            "reviews": self.reviews,
            "training_reviews": self.training_reviews,
            "held_out_reviews": self.held_out_reviews,
            "split_at": self.split_at.isoformat() if self.split_at else None,
            "parameters": self.parameters,
            "cards_recomputed": self.cards_recomputed,
            "rescheduled": self.rescheduled,
        }


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


def _require_optimizer() -> Any:
    optimizer_class = _optimizer_class() if optimizer_available() else None
    if optimizer_class is None:
        raise OptimizerUnavailable(
            "Personal parameters need the optimizer, which is not installed on this "
            'server (pip install -e ".[optimizer]"). The default parameters stay in use.'
        )
    return optimizer_class


def optimize_parameters(
    session: Session,
    user_id: int,
    now: datetime,
    *,
    progress: Progress = _no_progress,
    reschedule: bool = False,
) -> OptimizeResult:
    """Fit FSRS parameters to the student's earlier answers; keep them only if they predict
    the later answers better than the parameters in use.

    "Better" is a lower log loss (fsrs.Optimizer's own measure) on the held-out later
    reviews, which the fit never saw: a fit is always at least as good on its own training
    data, so only the held-out figure tells whether it generalises. When the fit is kept,
    every card's stability and difficulty are recomputed from its history under the new
    parameters; due dates stay unless `reschedule` is asked.
    """
    optimizer_class = _require_optimizer()
    logs = user_review_logs(session, user_id)
    cutoff, training = _split_or_refuse(logs)
    settings = settings_for_update(session, user_id)
    progress(0.05, f"Fitting parameters to {len(training)} earlier answers.")
    fitted = [float(p) for p in optimizer_class(training).compute_optimal_parameters()]
    progress(0.75, "Comparing the fit with your parameters on your latest reviews.")
    current = [float(p) for p in (settings.parameters or DEFAULT_PARAMETERS)]
    old = log_losses(logs, current, cutoff)
    new = log_losses(logs, fitted, cutoff)
    result = OptimizeResult(
        old_loss=old.held_out,
        new_loss=new.held_out,
        parameters=fitted,
        reviews=len(logs),
        train_old_loss=old.training,
        train_new_loss=new.training,
        training_reviews=old.training_count,
        held_out_reviews=old.held_out_count,
        split_at=cutoff,
    )
    if result.applied:
        settings.parameters = fitted
        settings.parameters_updated_at = as_utc(now)
        session.flush()
        progress(0.85, "Recomputing your cards' memory states.")
        result.cards_recomputed = recompute_memory_states(
            session, user_id, scheduler_for(settings), logs=logs, reschedule=reschedule
        )
        result.rescheduled = reschedule
    return result


def check_can_optimize(session: Session, user_id: int) -> None:
    """Refuse at once, without fitting anything, what optimize_parameters would refuse."""
    _require_optimizer()
    _split_or_refuse(user_review_logs(session, user_id))


def _split_or_refuse(logs: list[fsrs.ReviewLog]) -> tuple[datetime, list[fsrs.ReviewLog]]:
    split = time_split(logs)
    if split is None:
        raise NotEnoughReviews(
            f"Personal parameters need {MIN_REVIEWS_TO_OPTIMIZE} reviews made at least a day "
            f"after the card's previous review ({MIN_TRAINING_REVIEWS} to fit on, the later "
            f"ones to check the fit); you have {len(usable_reviews(logs))} so far. Keep "
            "studying and try again later."
        )
    return split


def optimize_job(
    session: Session, params: dict[str, Any], progress: Progress, now: datetime
) -> dict[str, Any]:
    """The background job behind the Optimize button (see app.jobs)."""
    result = optimize_parameters(
        session,
        int(params["user_id"]),
        now,
        progress=progress,
        reschedule=bool(params.get("reschedule")),
    )
    return result.as_json()


# The time split and the log loss ---------------------------------------------------------


def usable_reviews(logs: list[fsrs.ReviewLog]) -> list[tuple[datetime, int, int]]:
    """(time, card, index in the card's history) of each review a day or more after the
    same card's previous one, oldest first: the reviews a log loss is measured on."""
    events = []
    for card_id, card_logs in _by_card(logs).items():
        for index, (earlier, later) in enumerate(pairwise(card_logs), start=1):
            if (later.review_datetime - earlier.review_datetime).days > 0:
                events.append((later.review_datetime, card_id, index))
    events.sort()
    return events


def time_split(logs: list[fsrs.ReviewLog]) -> tuple[datetime, list[fsrs.ReviewLog]] | None:
    """Where the held-out later reviews start, and the earlier answers the fit may see.

    None when either side would be too small: fewer than MIN_TRAINING_REVIEWS usable
    reviews to fit on (as fsrs counts them) or MIN_HELD_OUT_REVIEWS to judge on.
    """
    events = usable_reviews(logs)
    held_out = max(MIN_HELD_OUT_REVIEWS, math.ceil(len(events) * HELD_OUT_FRACTION))
    if len(events) < MIN_TRAINING_REVIEWS + held_out:
        return None
    cutoff = events[len(events) - held_out][0]
    training = [log for log in logs if log.review_datetime < cutoff]
    if count_usable_reviews(training) < MIN_TRAINING_REVIEWS:
        return None
    return cutoff, training


@dataclass
class LogLoss:
    training: float
    training_count: int
    held_out: float
    held_out_count: int


def log_losses(logs: list[fsrs.ReviewLog], parameters: list[float], cutoff: datetime) -> LogLoss:
    """Mean log loss of the parameters' predicted recall before and from `cutoff`.

    Each card's whole history is replayed (so a later review is predicted from everything
    before it), as fsrs.Optimizer does: a review counts when it comes a day or more after
    the card's previous one; before the cutoff, only a card's first 64 reviews count, the
    ones the fit learns from.
    """
    scheduler = fsrs.Scheduler(parameters=parameters, enable_fuzzing=False)
    sums = [0.0, 0.0]
    counts = [0, 0]
    for card_id, card_logs in _by_card(logs).items():
        card = fsrs.Card(card_id=card_id, due=card_logs[0].review_datetime)
        for index, log in enumerate(card_logs):
            moment = log.review_datetime
            if card.last_review is not None and (moment - card.last_review).days > 0:
                side = 1 if moment >= cutoff else 0
                if side or index < REVIEWS_PER_CARD_USED:
                    predicted = scheduler.get_card_retrievability(card, moment)
                    predicted = min(max(predicted, 1e-7), 1 - 1e-7)
                    recalled = log.rating != fsrs.Rating.Again
                    sums[side] -= math.log(predicted if recalled else 1 - predicted)
                    counts[side] += 1
            card, _ = scheduler.review_card(card, log.rating, moment)
    return LogLoss(
        training=sums[0] / counts[0] if counts[0] else 0.0,
        training_count=counts[0],
        held_out=sums[1] / counts[1] if counts[1] else 0.0,
        held_out_count=counts[1],
    )


def _by_card(logs: list[fsrs.ReviewLog]) -> dict[int, list[fsrs.ReviewLog]]:
    by_card: dict[int, list[fsrs.ReviewLog]] = defaultdict(list)
    for log in logs:
        by_card[log.card_id].append(log)
    for card_logs in by_card.values():
        card_logs.sort(key=lambda log: log.review_datetime)
    return dict(sorted(by_card.items()))


# Memory states under new parameters ------------------------------------------------------


def recompute_memory_states(
    session: Session,
    user_id: int,
    scheduler: fsrs.Scheduler,
    *,
    logs: list[fsrs.ReviewLog] | None = None,
    reschedule: bool = False,
) -> int:
    """Replay each card's answers under `scheduler` and store the stability and difficulty
    it arrives at (fsrs's Scheduler.reschedule_card), as Anki does after optimizing.

    Due dates stay as they are unless `reschedule`: then a card in review gets the due
    date the replay gives. A card answered meanwhile (its version moved) is left alone.
    Returns the number of cards changed. Flushes.
    """
    by_card = _by_card(logs if logs is not None else user_review_logs(session, user_id))
    cards = session.execute(
        select(ReviewCard.id, ReviewCard.version, ReviewCard.state, ReviewCard.due).where(
            ReviewCard.user_id == user_id, ReviewCard.id.in_(list(by_card))
        )
    ).all()
    changed = 0
    for card_id, version, state, due in cards:
        replayed = scheduler.reschedule_card(fsrs.Card(card_id=card_id, due=due), by_card[card_id])
        values: dict[str, Any] = {
            "stability": replayed.stability,
            "difficulty": replayed.difficulty,
        }
        if reschedule and state == fsrs.State.Review.value and replayed.state == fsrs.State.Review:
            values["due"] = replayed.due
        changed += session.execute(
            update(ReviewCard)
            .where(ReviewCard.id == card_id, ReviewCard.version == version)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    session.flush()
    session.expire_all()  # the cards in the session were updated behind its back
    return changed


# Optimal retention -----------------------------------------------------------------------


@dataclass
class RetentionInputs:
    answers: int  # all the student's answers
    untimed: int  # answers with no recorded answer time
    timed_usable: int  # answers of cards whose every answer has its time

    @property
    def enough(self) -> bool:
        return self.timed_usable >= MIN_TIMED_ANSWERS

    def explanation(self) -> str:
        if self.enough:
            return ""
        missing = (
            f" {self.untimed} of your {self.answers} answers have no recorded answer time "
            "(answers made before times were recorded, or that took over ten minutes)."
            if self.untimed
            else ""
        )
        return (
            f"Optimal retention needs how long you take to answer: at least "
            f"{MIN_TIMED_ANSWERS} timed answers, and you have {self.timed_usable}.{missing}"
        )


def _timed_logs(logs: list[fsrs.ReviewLog]) -> list[fsrs.ReviewLog]:
    """The answers of cards whose every answer has its duration (fsrs needs them whole)."""
    return [
        log
        for card_logs in _by_card(logs).values()
        if all(log.review_duration is not None for log in card_logs)
        for log in card_logs
    ]


def optimal_retention_inputs(session: Session, user_id: int) -> RetentionInputs:
    """Whether the student's answers have what fsrs's optimal-retention helper needs."""
    return _retention_inputs(user_review_logs(session, user_id))


def _retention_inputs(logs: list[fsrs.ReviewLog]) -> RetentionInputs:
    return RetentionInputs(
        answers=len(logs),
        untimed=sum(1 for log in logs if log.review_duration is None),
        timed_usable=len(_timed_logs(logs)),
    )


def optimal_retention(
    session: Session, user_id: int, now: datetime, *, progress: Progress = _no_progress
) -> dict[str, Any]:
    """fsrs's optimal-retention helper: the desired retention that costs least study time
    per card remembered, simulated from the student's answer times and parameters."""
    optimizer_class = _require_optimizer()
    logs = user_review_logs(session, user_id)
    inputs = _retention_inputs(logs)
    if not inputs.enough:
        raise NotEnoughReviews(inputs.explanation())
    settings = get_settings(session, user_id)
    progress(0.05, "Simulating study costs at each retention.")
    parameters = [float(p) for p in (settings.parameters or DEFAULT_PARAMETERS)]
    value = float(optimizer_class(_timed_logs(logs)).compute_optimal_retention(parameters))
    return {
        "message": (
            f"Optimal retention for you: {value:.2f} (your desired retention is "
            f"{settings.desired_retention:.2f}). Change it in the settings if you want."
        ),
        "optimal_retention": value,
        "desired_retention": settings.desired_retention,
        "answers": inputs.timed_usable,
    }


def optimal_retention_job(
    session: Session, params: dict[str, Any], progress: Progress, now: datetime
) -> dict[str, Any]:
    return optimal_retention(session, int(params["user_id"]), now, progress=progress)


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
