"""FSRS retrievability as a SQL expression, so the database ranks and averages cards.

fsrs 6 computes R = (1 + FACTOR * t / S) ** DECAY, with t the whole days since the last
review (`timedelta.days`, never below 0), DECAY = -w[20] and FACTOR = 0.9 ** (1 / DECAY) - 1.
The expression below does the same arithmetic in the same order on doubles, so the
database gets the very float Python gets; t is computed from microseconds since the
epoch in integers (on SQLite, whose times are whole milliseconds, to the millisecond).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs
from sqlalchemy import BigInteger, ColumnElement, Float, case, cast, func, literal
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


def elapsed_days(column: ColumnElement, now: datetime, dialect: str) -> ColumnElement[int]:
    """Whole days from `column` to `now`, 0 when `column` is not in the past."""
    then = column_epoch_microseconds(column, dialect)
    now_us = literal(epoch_microseconds(now), BigInteger)
    return case(
        (then >= now_us, 0), else_=(now_us - then) // literal(MICROSECONDS_PER_DAY, BigInteger)
    )


def retrievability_sql(
    session: Session, scheduler: fsrs.Scheduler, now: datetime
) -> ColumnElement[float]:
    """A review card's retrievability at `now`, as scheduler.get_card_retrievability
    gives it (0 for a card never reviewed or without a stability)."""
    dialect = session.get_bind().dialect.name
    days = cast(elapsed_days(ReviewCard.last_review, now, dialect), Float)
    factor = literal(scheduler._FACTOR, Float)  # noqa: SLF001 - fsrs keeps them private
    decay = literal(scheduler._DECAY, Float)  # noqa: SLF001
    ratio = literal(1.0, Float) + (factor * days) / ReviewCard.stability
    return case(
        (ReviewCard.last_review.is_(None) | ReviewCard.stability.is_(None), literal(0.0, Float)),
        (ReviewCard.stability <= 0, literal(0.0, Float)),
        else_=func.pow(ratio, decay),
    )
