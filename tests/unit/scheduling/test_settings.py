"""Study settings: validation, step notation, interval labels, and what a change affects."""

from __future__ import annotations

from datetime import timedelta

import fsrs
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewLog, StudySettings
from app.scheduling import (
    SettingsError,
    format_interval,
    format_steps,
    get_settings,
    parse_steps,
    settings_for_update,
    update_settings,
)

from .helpers import DEFAULT_SETTINGS, T0, answer, cards_of, reload, set_settings

MINUTE, HOUR, DAY = 60, 3600, 86400


def test_reading_settings_writes_nothing(student):
    settings = get_settings(db.session, student.id)
    assert settings.day_starts_at_hour == 4 and settings.new_card_order == "file"
    db.session.commit()
    assert db.session.scalars(select(StudySettings)).all() == []


def test_the_app_setting_is_the_default_day_start(make_user):
    from app.scheduling import configure_defaults

    user = make_user()
    configure_defaults(day_starts_at_hour=6)
    try:
        assert get_settings(db.session, user.id).day_starts_at_hour == 6
        assert settings_for_update(db.session, user.id).day_starts_at_hour == 6
    finally:
        configure_defaults(day_starts_at_hour=4)


def test_create_app_passes_study_day_starts_at_hour(app_config):
    from app import create_app
    from app.scheduling import DEFAULTS, configure_defaults

    try:
        create_app({**app_config, "STUDY_DAY_STARTS_AT_HOUR": 5})
        assert DEFAULTS["day_starts_at_hour"] == 5
    finally:
        configure_defaults(day_starts_at_hour=4)


def test_defaults_are_created_once(student):
    settings = settings_for_update(db.session, student.id)
    assert (settings.desired_retention, settings.new_per_day, settings.max_reviews_per_day) == (
        0.9,
        20,
        200,
    )
    assert settings.learning_steps == [60, 600]
    assert settings.relearning_steps == [600]
    assert settings.day_starts_at_hour == 4
    assert settings.parameters is None
    db.session.commit()
    assert get_settings(db.session, student.id) is settings
    assert settings_for_update(db.session, student.id) is settings
    assert db.session.scalars(select(StudySettings)).all() == [settings]


def test_update_settings_writes_every_value(student):
    update_settings(
        db.session,
        student.id,
        desired_retention=0.85,
        new_per_day=7,
        max_reviews_per_day=70,
        learning_steps=[30, 300, 1800],
        relearning_steps=[300, 1200],
        maximum_interval=365,
        day_starts_at_hour=0,
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(StudySettings, student.id)
    assert stored.desired_retention == pytest.approx(0.85)
    assert (stored.new_per_day, stored.max_reviews_per_day) == (7, 70)
    assert stored.learning_steps == [30, 300, 1800]
    assert stored.relearning_steps == [300, 1200]
    assert (stored.maximum_interval, stored.day_starts_at_hour) == (365, 0)


def test_retention_bounds_are_inclusive(student):
    for retention in (0.70, 0.8, 0.97):
        settings = set_settings(student.id, desired_retention=retention)
        assert settings.desired_retention == pytest.approx(retention)


BAD_VALUES = [
    ({"desired_retention": 0.69}, "retention"),
    ({"desired_retention": 0.971}, "retention"),
    ({"desired_retention": 1.0}, "retention"),
    ({"new_per_day": -1}, "(?i)new cards per day"),
    ({"max_reviews_per_day": -1}, "(?i)reviews per day"),
    ({"learning_steps": []}, "Learning steps"),
    ({"learning_steps": [600, 60]}, "Learning steps"),
    ({"learning_steps": [0, 60]}, "Learning steps"),
    ({"learning_steps": [-60]}, "Learning steps"),
    ({"relearning_steps": [1200, 600]}, "Relearning steps"),
    ({"maximum_interval": 0}, "(?i)maximum interval"),
    ({"day_starts_at_hour": 24}, "hour"),
    ({"day_starts_at_hour": -1}, "hour"),
]


def test_update_settings_refuses_bad_values_and_writes_nothing(student):
    before = set_settings(student.id, new_per_day=11)
    for change, message in BAD_VALUES:
        with pytest.raises(SettingsError, match=message):
            update_settings(
                db.session, student.id, **{**DEFAULT_SETTINGS, "new_per_day": 5, **change}
            )
        db.session.rollback()
        db.session.expire_all()
        stored = db.session.get(StudySettings, student.id)
        assert stored.new_per_day == 11, change
        assert stored.desired_retention == pytest.approx(before.desired_retention)
        assert stored.learning_steps == [60, 600] and stored.relearning_steps == [600]
        assert (stored.maximum_interval, stored.day_starts_at_hour) == (36500, 4)


def test_zero_limits_are_allowed(student):
    settings = set_settings(student.id, new_per_day=0, max_reviews_per_day=0)
    assert (settings.new_per_day, settings.max_reviews_per_day) == (0, 0)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1m 10m", [60, 600]),
        ("1m", [60]),
        ("30s 1m 1h 1d", [30, 60, 3600, 86400]),
        ("1m, 10m, 1h", [60, 600, 3600]),
        ("  1M   10M ", [60, 600]),
        ("1.5m", [90]),
        ("10m 10m", [600, 600]),
    ],
)
def test_parse_steps(text, seconds):
    assert parse_steps(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one step"),
        ("   ", "at least one step"),
        ("10", "not a step"),
        ("m", "not a step"),
        ("10 minutes", "not a step"),
        ("10w", "not a step"),
        ("-1m", "not a step"),
        ("0m", "longer than zero"),
        ("10m 1m", "shortest to longest"),
    ],
)
def test_parse_steps_errors(text, message):
    with pytest.raises(SettingsError, match=message):
        parse_steps(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        ([60, 600], "1m 10m"),
        ([30, 90, 3600, 86400, 172800], "30s 90s 1h 1d 2d"),
        ([5400], "90m"),
    ],
)
def test_format_steps(seconds, text):
    assert format_steps(seconds) == text
    assert parse_steps(format_steps(seconds)) == seconds


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (-5, "0s"),
        (0, "0s"),
        (30, "30s"),
        (59, "59s"),
        (60, "1m"),
        (8.5 * MINUTE, "9m"),
        (90 * MINUTE, "1.5h"),
        (600, "10m"),
        (59 * MINUTE, "59m"),
        (HOUR, "1h"),
        (3 * HOUR, "3h"),
        (23 * HOUR, "23h"),
        (DAY, "1d"),
        (4 * DAY, "4d"),
        (29 * DAY, "29d"),
        (45 * DAY, "1.5mo"),
        (61 * DAY, "2mo"),
        (320 * DAY, "10.5mo"),
        (316 * DAY, "10.4mo"),
        (365 * DAY, "1y"),
        (438 * DAY, "1.2y"),
        (3653 * DAY, "10y"),
        (100 * 365.25 * DAY, "100.1y"),
    ],
)
def test_format_interval(seconds, label):
    assert format_interval(seconds) == label


def test_empty_relearning_steps_are_allowed_and_a_lapse_goes_back_to_review(student, bank):
    set_settings(student.id, relearning_steps=[])
    assert get_settings(db.session, student.id).relearning_steps == []
    assert parse_steps("", allow_empty=True) == [] and format_steps([]) == ""
    from .helpers import review_card

    card = review_card(
        student.id, bank.questions[0], stability=5, last_review=T0 - timedelta(days=5), due=T0
    )
    lapsed = answer(student.id, card, fsrs.Rating.Again, T0).card
    assert lapsed.state == fsrs.State.Review.value and lapsed.lapses == 1


def test_retention_is_stored_as_asked(student):
    settings = set_settings(student.id, desired_retention=0.70931763)
    db.session.expire_all()
    assert get_settings(db.session, student.id).desired_retention == 0.70931763
    assert settings.desired_retention == 0.70931763


def test_new_card_order_is_checked(student):
    with pytest.raises(SettingsError, match="random"):
        update_settings(db.session, student.id, **{**DEFAULT_SETTINGS, "new_card_order": "x"})
    db.session.rollback()
    assert set_settings(student.id, new_card_order="random").new_card_order == "random"


def test_format_interval_accepts_a_timedelta_count():
    assert format_interval(timedelta(minutes=10).total_seconds()) == "10m"


def test_changing_retention_affects_the_next_answer_only(student, bank):
    from app.scheduling import add_to_reviews

    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    first, second = cards_of(student.id)[:2]
    # Both graduate with Easy at 0.9.
    answer(student.id, first, fsrs.Rating.Easy, T0)
    answer(student.id, second, fsrs.Rating.Easy, T0)
    first, second = reload(first), reload(second)
    due_before = (first.due, second.due)
    logs_before = [
        (log.id, log.interval_seconds, log.card_before, log.state_after, log.rating)
        for log in db.session.scalars(select(ReviewLog).order_by(ReviewLog.id))
    ]

    set_settings(student.id, desired_retention=0.8)
    first, second = reload(first), reload(second)
    # Nothing is rescheduled by the change.
    assert (first.due, second.due) == due_before
    assert [
        (log.id, log.interval_seconds, log.card_before, log.state_after, log.rating)
        for log in db.session.scalars(select(ReviewLog).order_by(ReviewLog.id))
    ] == logs_before

    # The next answer uses 0.8: a longer interval than 0.9 would give.
    moment = first.due
    at_90 = fsrs.Scheduler(desired_retention=0.9, enable_fuzzing=False)
    at_80 = fsrs.Scheduler(desired_retention=0.8, enable_fuzzing=False)
    fsrs_card = fsrs.Card(
        card_id=first.id,
        state=fsrs.State.Review,
        step=None,
        stability=first.stability,
        difficulty=first.difficulty,
        due=first.due,
        last_review=first.last_review,
    )
    expected_80, _ = at_80.review_card(fsrs_card, fsrs.Rating.Good, moment)
    expected_90, _ = at_90.review_card(fsrs_card, fsrs.Rating.Good, moment)
    assert expected_80.due > expected_90.due
    outcome = answer(student.id, first, fsrs.Rating.Good, moment)
    assert outcome.card.due == expected_80.due
    assert reload(first).due == expected_80.due
    assert reload(second).due == due_before[1]


def test_creating_settings_twice_is_harmless(app, make_user, monkeypatch):
    """A request that found no row while another created it (a race) does not fail."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.extensions import db as database
    from app.models import StudySettings
    from app.scheduling import settings_for_update

    user = make_user()
    with Session(database.engine) as first, Session(database.engine) as second:
        settings_for_update(first, user.id)
        first.commit()
        real_get = second.get
        calls = []

        def get_missing_once(entity, ident, **kwargs):
            calls.append(ident)
            return None if len(calls) == 1 else real_get(entity, ident, **kwargs)

        monkeypatch.setattr(second, "get", get_missing_once)
        assert settings_for_update(second, user.id).desired_retention == 0.9
        second.commit()
    assert len(calls) == 2
    assert database.session.scalar(select(func.count()).select_from(StudySettings)) == 1
