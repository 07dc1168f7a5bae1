"""FSRS retrievability as a SQL expression, so the database ranks and averages cards.

fsrs 6 computes R = (1 + FACTOR * t / S) ** DECAY, with t the whole days since the last
review (`timedelta.days`, never below 0), DECAY = -w[20] and FACTOR = 0.9 ** (1 / DECAY) - 1.
The expression below does the same arithmetic in the same order on doubles, so the
database gets the very float Python gets; t is computed in integers from
`last_review_us`, the last review in microseconds since the epoch, exactly as fsrs
computes it from the datetime.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import fsrs
from sqlalchemy import BigInteger, ColumnElement, Float, bindparam, case, cast, func, literal
from sqlalchemy.orm import Session

from ..models import ReviewCard
from ..models.types import epoch_microseconds

MICROSECONDS_PER_DAY = 86_400_000_000


def elapsed_days(now_us: ColumnElement[int], dialect: str) -> ColumnElement[int]:
    """Whole days from the card's last review to `now_us` (microseconds since the epoch),
    0 when the review is not in the past.

    Integer division truncates toward zero on both databases, so a review ahead of now
    gives 0 or a negative count, which the maximum with 0 turns into 0.
    """
    days = (now_us - ReviewCard.last_review_us) // literal(MICROSECONDS_PER_DAY, BigInteger)
    at_least = func.max if dialect == "sqlite" else func.greatest
    return at_least(literal(0, BigInteger), days, type_=BigInteger)


def retrievability_expression(dialect: str) -> ColumnElement[float]:
    """A review card's retrievability, with `now` and the scheduler's constants as the
    bound parameters retrievability_params gives: built once, bound on each call."""
    return _retrievability(
        dialect,
        bindparam("recall_now_us", type_=BigInteger),
        bindparam("recall_factor", type_=Float),
        bindparam("recall_decay", type_=Float),
    )


def retrievability_order(dialect: str) -> ColumnElement[float]:
    """Sorts review cards as retrievability_expression does, ascending, with less work
    per row: R = (1 + FACTOR * t / S) ** DECAY falls as t / S grows (FACTOR > 0 and
    DECAY < 0), so ordering by -t / S is the same order with the same ties, without the
    power. A card without a last review or a stability has R = 0 there and comes first
    here too. Bound with retrievability_params, as the expression."""
    now_us = bindparam("recall_now_us", type_=BigInteger)
    days = elapsed_days(now_us, dialect)
    return case(
        (_with_recall(), -cast(days, Float) / ReviewCard.stability),
        else_=literal(-1.0e308, Float),
    )


def retrievability_params(scheduler: fsrs.Scheduler, now: datetime) -> dict[str, Any]:
    return {
        "recall_now_us": epoch_microseconds(now),
        "recall_factor": scheduler._FACTOR,  # noqa: SLF001 - fsrs keeps them private
        "recall_decay": scheduler._DECAY,  # noqa: SLF001
    }


def retrievability_sql(
    session: Session, scheduler: fsrs.Scheduler, now: datetime
) -> ColumnElement[float]:
    """A review card's retrievability at `now`, as scheduler.get_card_retrievability
    gives it (0 for a card never reviewed or without a stability)."""
    params = retrievability_params(scheduler, now)
    return _retrievability(
        session.get_bind().dialect.name,
        literal(params["recall_now_us"], BigInteger),
        literal(params["recall_factor"], Float),
        literal(params["recall_decay"], Float),
    )


def _retrievability(
    dialect: str,
    now_us: ColumnElement[int],
    factor: ColumnElement[float],
    decay: ColumnElement[float],
) -> ColumnElement[float]:
    days = cast(elapsed_days(now_us, dialect), Float)
    ratio = literal(1.0, Float) + (factor * days) / ReviewCard.stability
    return case((_with_recall(), func.pow(ratio, decay)), else_=literal(0.0, Float))


def _with_recall() -> ColumnElement[bool]:
    """Cards whose retrievability is not 0: reviewed, with a positive stability. For a
    NULL stability the comparison is unknown, which a CASE treats as not matched."""
    return ReviewCard.last_review_us.is_not(None) & (ReviewCard.stability > 0)
