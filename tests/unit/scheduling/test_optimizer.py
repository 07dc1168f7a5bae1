"""Personal FSRS parameters: availability, refusals, and applying a fit only if it is better."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import random
import sys
import types
from datetime import timedelta

import fsrs
import pytest
from sqlalchemy import insert, select

from app.extensions import db
from app.models import ReviewLog, StudySettings
from app.scheduling import (
    MIN_REVIEWS_TO_OPTIMIZE,
    NotEnoughReviews,
    OptimizerUnavailable,
    add_to_reviews,
    answer_card,
    copy_fsrs_state,
    get_settings,
    optimize_parameters,
    optimizer_available,
    scheduler_for,
    to_fsrs_card,
)

from .helpers import T0, cards_of, make_bank, set_settings

DEFAULT_PARAMETERS = list(fsrs.Scheduler().parameters)
# A student whose memory differs from FSRS's average one: better first impressions
# and a different forgetting curve.
TRUE_PARAMETERS = [0.6, 2.4, 4.8, 16.0, *DEFAULT_PARAMETERS[4:20], 0.35]
NOW = T0 + timedelta(days=800)


def real_optimizer_installed() -> bool:
    """What fsrs itself says: its Optimizer is a stand-in without torch and pandas."""
    try:
        module = importlib.import_module("fsrs.optimizer")
    except ImportError:
        return False
    return hasattr(module.Optimizer, "compute_optimal_parameters")


def simulate_history(user_id, *, cards: int, days: int, seed: int = 7) -> int:
    """Study `cards` new cards for up to `days`; the number of answers written.

    Whether each card is recalled is drawn from its true retrievability under
    TRUE_PARAMETERS with a seeded random.Random, so the history is the same every run.
    The student's own scheduler (the one answer_card uses) sets the next review; the
    answers are written in one go, as answer_card would have logged them.
    """
    rng = random.Random(seed)
    truth = fsrs.Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
    scheduler = scheduler_for(get_settings(db.session, user_id))
    end = T0 + timedelta(days=days)
    rows = []
    for n, card in enumerate(cards_of(user_id)[:cards]):
        true_card, app_card = fsrs.Card(card_id=card.id, due=T0), to_fsrs_card(card)
        now = T0 + timedelta(days=n % 20, hours=rng.randint(0, 8))
        reps = lapses = 0
        while now < end:
            recalled = rng.random() < truth.get_card_retrievability(true_card, now)
            if not recalled:
                rating = fsrs.Rating.Again
            else:
                rating = rng.choices(
                    [fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy], weights=[2, 7, 1]
                )[0]
            true_card, _ = truth.review_card(true_card, rating, now)
            state_before = app_card.state
            app_card, _ = scheduler.review_card(app_card, rating, now)
            rows.append(
                {
                    "card_id": card.id,
                    "user_id": user_id,
                    "question_id": card.question_id,
                    "rating": rating.value,
                    "reviewed_at": now,
                    "duration_ms": rng.randint(2000, 9000),
                    "state_before": state_before.value,
                    "state_after": app_card.state.value,
                    "was_new": reps == 0,
                    "card_before": {},
                    "interval_seconds": int((app_card.due - now).total_seconds()),
                }
            )
            lapses += state_before == fsrs.State.Review and rating == fsrs.Rating.Again
            reps += 1
            # Students come back up to ten hours after the card is due.
            now = app_card.due + timedelta(minutes=rng.randint(0, 600))
        copy_fsrs_state(app_card, card)
        card.reps, card.lapses, card.version = reps, lapses, card.version + reps
    db.session.execute(insert(ReviewLog), rows)
    db.session.commit()
    return len(rows)


@pytest.fixture
def history(student, app):
    """A student with a long simulated history, enough to optimize."""
    vocabulary = make_bank("Vocabulary", topics=("Words",), layout=(("Words", 40),), prefix="w")
    add_to_reviews(db.session, student.id, bank_id=vocabulary.id, now=T0)
    db.session.commit()
    set_settings(student.id, new_per_day=1000, max_reviews_per_day=10_000)
    answered = simulate_history(student.id, cards=40, days=600)
    assert answered >= 400
    return answered


def small_history(user_id, bank, answers=12):
    add_to_reviews(db.session, user_id, bank_id=bank.id, now=T0)
    db.session.commit()
    for card in cards_of(user_id)[:answers]:
        answer_card(db.session, user_id, card.id, fsrs.Rating.Good, T0, expected_version=1)
    db.session.commit()


# Availability ---------------------------------------------------------------------------


def test_optimizer_available_says_whether_fsrs_can_optimize():
    assert optimizer_available() is real_optimizer_installed()


def test_without_torch_the_optimizer_is_unavailable(monkeypatch, student, bank):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails
    assert optimizer_available() is False
    with pytest.raises(OptimizerUnavailable):
        optimize_parameters(db.session, student.id, NOW)
    small_history(student.id, bank)
    with pytest.raises(OptimizerUnavailable):
        optimize_parameters(db.session, student.id, NOW)
    assert get_settings(db.session, student.id).parameters is None


def test_unavailable_here_means_refused(student, bank):
    """Whatever is installed, an unavailable optimizer is refused before anything else."""
    small_history(student.id, bank)
    if optimizer_available():
        with pytest.raises(NotEnoughReviews):
            optimize_parameters(db.session, student.id, NOW)
    else:
        with pytest.raises(OptimizerUnavailable):
            optimize_parameters(db.session, student.id, NOW)
    assert get_settings(db.session, student.id).parameters is None


# The fit, with a stand-in for fsrs.Optimizer (runs without torch) -----------------------


class FakeOptimizer:
    """Records what the app hands fsrs.Optimizer and returns a chosen fit and losses."""

    instances: list[FakeOptimizer] = []
    fitted = [round(p * 1.01, 6) for p in DEFAULT_PARAMETERS]
    losses: dict[str, float] = {"fitted": 0.30, "other": 0.35}

    def __init__(self, review_logs):
        self.review_logs = list(review_logs)
        self.loss_asked = []
        FakeOptimizer.instances.append(self)

    def compute_optimal_parameters(self, verbose: bool = False) -> list[float]:
        return list(self.fitted)

    def _compute_batch_loss(self, *, parameters) -> float:
        parameters = [float(p) for p in parameters]
        self.loss_asked.append(parameters)
        return self.losses["fitted" if parameters == self.fitted else "other"]


@pytest.fixture
def fake_optimizer(monkeypatch):
    """Make the optimizer extra look installed, with FakeOptimizer as fsrs.Optimizer."""
    for name in ("torch", "pandas", "tqdm"):
        if importlib.util.find_spec(name) is None:
            module = types.ModuleType(name)
            module.__spec__ = importlib.machinery.ModuleSpec(name, None)
            monkeypatch.setitem(sys.modules, name, module)
    import fsrs.optimizer

    monkeypatch.setattr(fsrs.optimizer, "Optimizer", FakeOptimizer)
    monkeypatch.setattr(fsrs, "Optimizer", FakeOptimizer, raising=False)
    monkeypatch.setattr(FakeOptimizer, "instances", [])
    monkeypatch.setattr(FakeOptimizer, "losses", {"fitted": 0.30, "other": 0.35})
    assert optimizer_available()
    return FakeOptimizer


def test_too_few_reviews(fake_optimizer, student, bank):
    with pytest.raises(NotEnoughReviews):
        optimize_parameters(db.session, student.id, NOW)
    small_history(student.id, bank)
    with pytest.raises(NotEnoughReviews):
        optimize_parameters(db.session, student.id, NOW)
    assert fake_optimizer.instances == []
    assert get_settings(db.session, student.id).parameters is None


def test_a_better_fit_is_applied(fake_optimizer, student, history, make_user, bank):
    # Another student's answers are not part of this student's history.
    other = make_user()
    small_history(other.id, bank)
    result = optimize_parameters(db.session, student.id, NOW)
    db.session.commit()
    (optimizer,) = fake_optimizer.instances
    logs = db.session.scalars(
        select(ReviewLog)
        .where(ReviewLog.user_id == student.id)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    assert len(optimizer.review_logs) == len(logs) == history
    assert [
        (log.card_id, log.rating, log.review_datetime, log.review_duration)
        for log in optimizer.review_logs
    ] == [(log.card_id, fsrs.Rating(log.rating), log.reviewed_at, log.duration_ms) for log in logs]
    assert all(log.review_datetime.utcoffset() == timedelta(0) for log in optimizer.review_logs)
    # The old loss is that of the parameters in use: the defaults.
    assert DEFAULT_PARAMETERS in optimizer.loss_asked
    assert (result.old_loss, result.new_loss) == (0.35, 0.30)
    assert result.parameters == fake_optimizer.fitted
    assert result.reviews >= MIN_REVIEWS_TO_OPTIMIZE
    assert result.applied
    db.session.expire_all()
    settings = db.session.get(StudySettings, student.id)
    assert settings.parameters == fake_optimizer.fitted
    assert settings.parameters_updated_at == NOW
    assert list(scheduler_for(settings).parameters) == fake_optimizer.fitted
    assert db.session.get(StudySettings, other.id).parameters is None


def test_the_next_answer_uses_the_fitted_parameters(fake_optimizer, student, history):
    optimize_parameters(db.session, student.id, NOW)
    db.session.commit()
    card = next(c for c in cards_of(student.id) if c.state == fsrs.State.Review.value)
    moment = card.due + timedelta(days=1)
    personal = fsrs.Scheduler(parameters=fake_optimizer.fitted, enable_fuzzing=False)
    twin = fsrs.Card(
        card_id=card.id,
        state=fsrs.State.Review,
        step=None,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
    expected, _ = personal.review_card(twin, fsrs.Rating.Good, moment)
    outcome = answer_card(
        db.session, student.id, card.id, fsrs.Rating.Good, moment, expected_version=card.version
    )
    assert (outcome.card.stability, outcome.card.due) == (expected.stability, expected.due)


def test_a_worse_fit_is_not_applied(fake_optimizer, student, history):
    fake_optimizer.losses = {"fitted": 0.40, "other": 0.35}
    result = optimize_parameters(db.session, student.id, NOW)
    db.session.commit()
    assert (result.old_loss, result.new_loss) == (0.35, 0.40)
    assert not result.applied
    settings = reload_settings(student.id)
    assert settings.parameters is None and settings.parameters_updated_at is None


def test_an_equal_fit_is_not_applied(fake_optimizer, student, history):
    fake_optimizer.losses = {"fitted": 0.35, "other": 0.35}
    result = optimize_parameters(db.session, student.id, NOW)
    db.session.commit()
    assert not result.applied
    assert reload_settings(student.id).parameters is None


def test_the_old_loss_is_that_of_the_personal_parameters(fake_optimizer, student, history):
    personal = [round(p * 0.99, 6) for p in DEFAULT_PARAMETERS]
    settings = get_settings(db.session, student.id)
    settings.parameters = personal
    db.session.commit()
    fake_optimizer.losses = {"fitted": 0.40, "other": 0.35}
    result = optimize_parameters(db.session, student.id, NOW)
    db.session.commit()
    (optimizer,) = fake_optimizer.instances
    assert personal in optimizer.loss_asked
    assert not result.applied
    assert reload_settings(student.id).parameters == personal


def reload_settings(user_id) -> StudySettings:
    db.session.expire_all()
    return db.session.get(StudySettings, user_id)


# The real optimizer (CI installs torch) -------------------------------------------------


def test_optimize_with_fsrs(student, history, make_user, bank):
    # CI installs the optimizer extra, so there this test must run, never skip.
    if os.environ.get("CI", "").lower() != "true":
        pytest.importorskip("torch")
        pytest.importorskip("pandas")
    assert optimizer_available()
    result = optimize_parameters(db.session, student.id, NOW)
    db.session.commit()
    assert len(result.parameters) == 21
    assert all(isinstance(p, float) for p in result.parameters)
    assert isinstance(result.old_loss, float) and isinstance(result.new_loss, float)
    assert 0 < result.new_loss < 5 and 0 < result.old_loss < 5
    assert result.reviews >= 400
    assert result.applied == (result.new_loss < result.old_loss)
    settings = reload_settings(student.id)
    if result.applied:
        assert settings.parameters == result.parameters
        assert settings.parameters_updated_at == NOW
    else:
        assert settings.parameters is None
    # A student with a dozen answers is told to keep studying.
    other = make_user()
    small_history(other.id, bank)
    with pytest.raises(NotEnoughReviews):
        optimize_parameters(db.session, other.id, NOW)
