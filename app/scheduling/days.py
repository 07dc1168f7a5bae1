"""Study days: as in Anki, a day rolls over at a set hour (4 a.m.) in the student's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def study_day(now: datetime, time_zone: str, day_starts_at_hour: int) -> date:
    """The study day `now` belongs to: 03:30 local counts for the day before."""
    local = now.astimezone(_zone(time_zone))
    return (local - timedelta(hours=day_starts_at_hour)).date()


def day_bounds(day: date, time_zone: str, day_starts_at_hour: int) -> tuple[datetime, datetime]:
    """Aware UTC start and end of a study day (DST days are 23 or 25 hours long)."""
    zone = _zone(time_zone)
    start = datetime.combine(day, time(day_starts_at_hour), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(day_starts_at_hour), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
