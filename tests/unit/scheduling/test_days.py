"""Study days roll over at the student's hour in the student's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from app.extensions import db
from app.scheduling import (
    add_to_reviews,
    bury_card,
    day_bounds,
    next_card,
    next_due_at,
    queue_counts,
    study_day,
)

from .helpers import answer, cards_of, set_settings

AUCKLAND, LOS_ANGELES = "Pacific/Auckland", "America/Los_Angeles"
ZONES = [AUCKLAND, LOS_ANGELES]


def local(zone: str, *args) -> datetime:
    """A wall-clock time in `zone`, as the aware UTC datetime the package takes."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("zone", ZONES)
def test_study_day_rolls_over_at_four_local(zone):
    assert study_day(local(zone, 2024, 6, 15, 3, 30), zone, 4) == date(2024, 6, 14)
    assert study_day(local(zone, 2024, 6, 15, 3, 59, 59), zone, 4) == date(2024, 6, 14)
    assert study_day(local(zone, 2024, 6, 15, 4, 0), zone, 4) == date(2024, 6, 15)
    assert study_day(local(zone, 2024, 6, 15, 23, 59), zone, 4) == date(2024, 6, 15)
    assert study_day(local(zone, 2024, 6, 15, 0, 30), zone, 4) == date(2024, 6, 14)
    # Another hour moves the boundary with it.
    assert study_day(local(zone, 2024, 6, 15, 3, 30), zone, 3) == date(2024, 6, 15)
    assert study_day(local(zone, 2024, 6, 15, 0, 30), zone, 0) == date(2024, 6, 15)
    assert study_day(local(zone, 2024, 6, 15, 5, 30), zone, 6) == date(2024, 6, 14)


def test_the_same_instant_is_a_different_day_in_each_zone():
    instant = datetime(2024, 6, 14, 15, 30, tzinfo=UTC)
    # 03:30 on the 15th in Auckland (UTC+12), 08:30 on the 14th in Los Angeles (UTC-7).
    assert study_day(instant, AUCKLAND, 4) == date(2024, 6, 14)
    assert study_day(instant, LOS_ANGELES, 4) == date(2024, 6, 14)
    later = instant + timedelta(hours=1)  # 04:30 in Auckland
    assert study_day(later, AUCKLAND, 4) == date(2024, 6, 15)
    assert study_day(later, LOS_ANGELES, 4) == date(2024, 6, 14)
    assert study_day(instant, "UTC", 4) == date(2024, 6, 14)


@pytest.mark.parametrize("zone", ZONES)
def test_day_bounds_are_four_to_four_local(zone):
    start, end = day_bounds(date(2024, 6, 14), zone, 4)
    assert start == local(zone, 2024, 6, 14, 4, 0)
    assert end == local(zone, 2024, 6, 15, 4, 0)
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
    assert end - start == timedelta(hours=24)
    # Every moment of the day maps back to it.
    for moment in (start, start + timedelta(hours=12), end - timedelta(microseconds=1)):
        assert study_day(moment, zone, 4) == date(2024, 6, 14)
    assert study_day(end, zone, 4) == date(2024, 6, 15)


def test_day_bounds_in_utc():
    start, end = day_bounds(date(2024, 6, 14), "UTC", 4)
    assert (start, end) == (
        datetime(2024, 6, 14, 4, tzinfo=UTC),
        datetime(2024, 6, 15, 4, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (LOS_ANGELES, date(2024, 3, 9), 23),  # clocks go forward at 02:00 on the 10th
        (LOS_ANGELES, date(2024, 11, 2), 25),  # and back at 02:00 on 3 November
        (AUCKLAND, date(2024, 4, 6), 25),  # back at 03:00 on 7 April
        (AUCKLAND, date(2024, 9, 28), 23),  # forward at 02:00 on 29 September
    ],
)
def test_days_with_a_dst_change(zone, day, hours):
    start, end = day_bounds(day, zone, 4)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(ZoneInfo(zone)).hour == 4
    assert end.astimezone(ZoneInfo(zone)).hour == 4
    assert study_day(end - timedelta(seconds=1), zone, 4) == day
    assert study_day(end, zone, 4) == day + timedelta(days=1)


# The same rollover, seen through the new-card limit ------------------------------------


@pytest.fixture
def studying(make_user, bank):
    """A student in `zone` with two new cards a day and the bank added."""

    def make(zone: str, **settings):
        user = make_user(time_zone=zone)
        set_settings(user.id, new_per_day=2, **settings)
        add_to_reviews(db.session, user.id, bank_id=bank.id, now=local(zone, 2024, 6, 13, 9, 0))
        db.session.commit()
        return user

    return make


def learn_new(user, now, count):
    for _ in range(count):
        entry = next_card(db.session, user.id, now)
        assert entry is not None and entry.reason == "new"
        answer(user.id, entry.card, fsrs.Rating.Easy, now)


@pytest.mark.parametrize("zone", ZONES)
def test_an_answer_at_0330_counts_for_the_day_before(studying, zone):
    user = studying(zone)
    evening = local(zone, 2024, 6, 14, 22, 0)
    night = local(zone, 2024, 6, 15, 3, 30)
    morning = local(zone, 2024, 6, 15, 4, 0)
    learn_new(user, evening, 1)
    # 03:30 is still the 14th: one new card left of that day's two.
    assert study_day(night, zone, 4) == date(2024, 6, 14)
    assert queue_counts(db.session, user.id, night).new_done_today == 1
    learn_new(user, night, 1)
    assert next_card(db.session, user.id, night) is None
    assert next_card(db.session, user.id, local(zone, 2024, 6, 15, 3, 59)) is None
    counts = queue_counts(db.session, user.id, night)
    assert (counts.new, counts.new_done_today) == (0, 2)
    # The day ends at 04:00 local, and that is when the next new card is available.
    assert next_due_at(db.session, user.id, night) == morning
    assert day_bounds(date(2024, 6, 14), zone, 4)[1] == morning
    counts = queue_counts(db.session, user.id, morning)
    assert (counts.new, counts.new_done_today) == (2, 0)
    learn_new(user, morning, 2)
    assert next_card(db.session, user.id, morning) is None


@pytest.mark.parametrize("zone", ZONES)
def test_a_changed_day_start_hour(studying, zone):
    user = studying(zone)
    night = local(zone, 2024, 6, 15, 3, 30)
    learn_new(user, local(zone, 2024, 6, 14, 22, 0), 2)
    assert next_card(db.session, user.id, night) is None
    # With the day starting at 03:00, 03:30 is already a new day.
    set_settings(user.id, new_per_day=2, day_starts_at_hour=3)
    assert queue_counts(db.session, user.id, night).new_done_today == 0
    learn_new(user, night, 2)
    assert next_card(db.session, user.id, night) is None
    assert next_due_at(db.session, user.id, night) == local(zone, 2024, 6, 16, 3, 0)
    # Midnight as the start: 23:00 and 01:00 are different days.
    set_settings(user.id, new_per_day=2, day_starts_at_hour=0)
    assert queue_counts(db.session, user.id, local(zone, 2024, 6, 15, 23, 0)).new_done_today == 2
    assert queue_counts(db.session, user.id, local(zone, 2024, 6, 16, 1, 0)).new_done_today == 0


def test_zones_do_not_mix(studying):
    """At one instant, one student's day has rolled over and the other's has not."""
    kiwi, angeleno = studying(AUCKLAND), studying(LOS_ANGELES)
    # Both learn their two cards at 10:00 UTC on the 14th (22:00 / 03:00 local).
    at = datetime(2024, 6, 14, 10, 0, tzinfo=UTC)
    learn_new(kiwi, at, 2)
    learn_new(angeleno, at, 2)
    # 16:30 UTC: 04:30 on the 15th in Auckland, 09:30 on the 14th in Los Angeles.
    later = datetime(2024, 6, 14, 16, 30, tzinfo=UTC)
    assert queue_counts(db.session, kiwi.id, later).new == 2
    # In Los Angeles the 03:00 answers belonged to the 13th: today's two are still there.
    assert queue_counts(db.session, angeleno.id, later).new == 2
    assert queue_counts(db.session, angeleno.id, at).new == 0


@pytest.mark.parametrize("zone", ZONES)
def test_bury_lasts_until_four_local(studying, zone):
    user = studying(zone)
    card = cards_of(user.id)[0]
    at = local(zone, 2024, 6, 15, 3, 30)
    buried = bury_card(db.session, user.id, card.id, at)
    db.session.commit()
    assert buried.buried_until == local(zone, 2024, 6, 15, 4, 0)
    assert next_card(db.session, user.id, at).card.id != card.id
    assert next_card(db.session, user.id, local(zone, 2024, 6, 15, 4, 0)).card.id == card.id
