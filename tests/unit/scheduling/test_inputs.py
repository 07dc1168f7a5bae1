"""What the services accept: any aware `now`, checked exam scopes, and typed errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from app.extensions import db
from app.scheduling import (
    ExamError,
    ExamNotFound,
    SettingsError,
    add_to_reviews,
    answer_card,
    delete_exam_date,
    format_steps,
    get_settings,
    interval_previews,
    next_card,
    set_exam_date,
)

from .helpers import T0, cards_of, make_bank, reload

TODAY = T0.date()


@pytest.fixture
def card(student, bank):
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    return cards_of(student.id)[0]


def test_now_in_any_time_zone_is_the_same_instant(student, card):
    paris = T0.astimezone(ZoneInfo("Europe/Paris"))
    previews = interval_previews(card, get_settings(db.session, student.id), paris)
    assert previews == interval_previews(card, get_settings(db.session, student.id), T0)
    outcome = answer_card(
        db.session, student.id, card.id, fsrs.Rating.Good, paris, expected_version=1
    )
    db.session.commit()
    assert outcome.log.reviewed_at == T0
    assert reload(card).due == T0 + timedelta(minutes=10)


def test_a_naive_now_is_refused(student, card):
    with pytest.raises(ValueError, match="naive"):
        next_card(db.session, student.id, datetime(2024, 6, 3, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        answer_card(
            db.session,
            student.id,
            card.id,
            fsrs.Rating.Good,
            datetime(2024, 6, 3, 9, 0),
            expected_version=1,
        )


def test_an_exam_scope_must_exist_and_agree(student, bank):
    chemistry = make_bank("Chemistry", topics=("Elements",), layout=(("Elements", 1),))
    cases = [
        ({"bank_id": 999_999}, "bank does not exist"),
        ({"topic_id": 999_999}, "topic does not exist"),
        (
            {"bank_id": bank.id, "topic_id": chemistry.topics["Elements"].id},
            "not in the chosen bank",
        ),
    ]
    for scope, message in cases:
        with pytest.raises(ExamError, match=message):
            set_exam_date(db.session, student.id, exam_on=TODAY, today=TODAY, **scope)
    with pytest.raises(ExamError, match="120 characters"):
        set_exam_date(
            db.session, student.id, bank_id=bank.id, exam_on=TODAY, today=TODAY, label="x" * 121
        )


def test_deleting_an_unknown_exam_is_exam_not_found(student):
    with pytest.raises(ExamNotFound):
        delete_exam_date(db.session, student.id, 999_999)


@pytest.mark.parametrize("steps", [[0], [600, 60], [1.5]])
def test_format_steps_refuses_what_parse_steps_would(steps):
    with pytest.raises(SettingsError):
        format_steps(steps)
