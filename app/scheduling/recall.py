"""FSRS retrievability as a SQL expression, so the database ranks and averages cards.

fsrs 6 computes R = (1 + FACTOR * t / S) ** DECAY, with t the whole days since the last
review (`timedelta.days`, never below 0), DECAY = -w[20] and FACTOR = 0.9 ** (1 / DECAY) - 1.
The expression below does the same arithmetic in the same order on doubles, so the
database gets the very float Python gets; t is computed from microseconds since the
epoch in integers (on SQLite, whose times are whole milliseconds, to the millisecond).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import fsrs
from sqlalchemy import BigInteger, ColumnElement, Float, bindparam, case, cast, func, literal
from sqlalchemy.orm import Session

from ..models import ReviewCard
from .days import as_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDS_PER_DAY = 86_400_000_000


def epoch_microseconds(moment: datetime) -> int:
    return (as_utc(moment) - EPOCH) // timedelta(microseconds=1)


def column_epoch_microseconds(column: ColumnElement, dialect: str) -> ColumnElement[int]:
    """Microseconds since the epoch of a UtcDateTime column, as an integer."""
    if dialect == "sqlite":
        # SQLite keeps times as whole milliseconds of a Julian day: rounded back to them,
        # exact to the millisecond, and cheaper than parsing the text twice.
        since_epoch = (func.julianday(column) - 2440587.5) * 86_400_000.0
        return cast(func.round(since_epoch), BigInteger) * 1000
    # date_part gives a double (extract a numeric, slow per row); within half a
    # microsecond of the stored one, so rounding gives it back exactly.
    return cast(func.round(func.date_part("epoch", column) * 1_000_000.0), BigInteger)


def elapsed_days(
    column: ColumnElement, now_us: ColumnElement[int], dialect: str
) -> ColumnElement[int]:
    """Whole days from `column` to `now_us` (microseconds since the epoch), 0 when
    `column` is not in the past.

    Integer division truncates toward zero on both databases, so a time ahead of now
    gives 0 or a negative count, which the maximum with 0 turns into 0: the time is
    converted once per row instead of twice, as a CASE comparing it first would.
    """
    days = (now_us - column_epoch_microseconds(column, dialect)) // literal(
        MICROSECONDS_PER_DAY, BigInteger
    )
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
    days = elapsed_days(ReviewCard.last_review, now_us, dialect)
    return case(
        (_without_recall(), literal(-1.0e308, Float)),
        else_=-cast(days, Float) / ReviewCard.stability,
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
    days = cast(elapsed_days(ReviewCard.last_review, now_us, dialect), Float)
    ratio = literal(1.0, Float) + (factor * days) / ReviewCard.stability
    return case((_without_recall(), literal(0.0, Float)), else_=func.pow(ratio, decay))


def _without_recall() -> ColumnElement[bool]:
    """Cards whose retrievability is 0: never reviewed, or without a positive stability."""
    return (
        ReviewCard.last_review.is_(None)
        | ReviewCard.stability.is_(None)
        | (ReviewCard.stability <= 0)
    )
