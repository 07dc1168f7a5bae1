"""Study days: as in Anki, a day rolls over at the student's day-start hour in their zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def as_utc(moment: datetime) -> datetime:
    """The same instant with `datetime.UTC` as tzinfo, which fsrs requires."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware UTC datetime")
    return moment.astimezone(UTC)


def zone_for(time_zone: str | None) -> ZoneInfo:
    """The student's zone; UTC for a missing or unknown name."""
    # Accounts are created with a checked IANA name; an unknown one (a zone dropped
    # from tzdata) should not stop anyone studying, so it counts as UTC.
    if not time_zone:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def study_day(now: datetime, time_zone: str, day_starts_at_hour: int) -> date:
    """The study day `now` belongs to: with the default hour 4, 03:30 local is the day before."""
    local = now.astimezone(zone_for(time_zone))
    # Wall-clock arithmetic on the local time, so a DST change does not shift the boundary.
    return (local.replace(tzinfo=None) - timedelta(hours=day_starts_at_hour)).date()


def day_bounds(day: date, time_zone: str, day_starts_at_hour: int) -> tuple[datetime, datetime]:
    """Aware UTC start and end of a study day (a day with a DST change is 23 or 25 hours)."""
    zone = zone_for(time_zone)
    start = datetime.combine(day, time(day_starts_at_hour), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(day_starts_at_hour), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
