"""Exam mode against the plain schedule, on the same cards, through the scheduling services.

    python -m benchmarks.exam_mode                       # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_exam \\
        python -m benchmarks.exam_mode

For each exam (7, 14 and 30 days out) two students get the same deck of review cards;
one sets an exam on the bank. Every study day at 09:00 each student answers Good to
every card `next_card` offers, until it offers nothing. Printed per exam: the answers
given before the exam, and the mean and minimum retrievability FSRS predicts for the
deck when the exam starts, for both students, with the ratio of answers.
See benchmarks/README.md for the deck and the targets.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Question, QuestionBank, ReviewCard, Role
from app.scheduling import (
    answer_card,
    day_bounds,
    get_settings,
    next_card,
    scheduler_for,
    set_exam_date,
    study_day,
    to_fsrs_card,
)
from benchmarks.bench_app import bench_app

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC
DAY = timedelta(days=1)
EXAMS_IN_DAYS = (7, 14, 30)
MAX_REVIEWS_RATIO = 1.3
MAX_ANSWERS_PER_DAY = 10_000  # a guard against a queue that never empties


@dataclass
class Run:
    mode: str
    days: int
    reviews: int
    mean_r: float
    min_r: float


@dataclass
class DeckCard:
    stability: float
    difficulty: float
    elapsed_days: int
    interval_days: int


def make_deck(cards: int, seed: int, max_stability: float) -> list[DeckCard]:
    """A deck in steady state: stabilities log-uniform from 1 day to `max_stability`, each
    card at a uniformly random point of its current interval (as in a deck studied for a
    long time), intervals as FSRS gives them at the default desired retention."""
    rng = random.Random(seed)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    deck = []
    for _ in range(cards):
        stability = math.exp(rng.uniform(0.0, math.log(max_stability)))
        interval = scheduler._next_interval(stability=stability)
        deck.append(
            DeckCard(
                stability=stability,
                difficulty=rng.uniform(3.0, 7.0),
                elapsed_days=rng.randrange(interval),
                interval_days=interval,
            )
        )
    return deck


def build(session: Session, deck: list[DeckCard], email: str) -> int:
    """A student with one review card per deck card, on a bank of their own."""
    from app.accounts import create_user

    user = create_user(session, email, "benchmark password", display_name=email, role=Role.STUDENT)
    bank = QuestionBank(title=f"Deck of {email}", description="")
    session.add(bank)
    session.flush()
    for n, card in enumerate(deck, start=1):
        question = Question(
            bank_id=bank.id,
            kind="flashcard",
            external_id=f"q{n}",
            content={"prompt": f"Front {n}", "back": f"Back {n}"},
        )
        session.add(question)
        session.flush()
        last_review = START - card.elapsed_days * DAY
        session.add(
            ReviewCard(
                user_id=user.id,
                question_id=question.id,
                state=fsrs.State.Review.value,
                step=None,
                stability=card.stability,
                difficulty=card.difficulty,
                last_review=last_review,
                due=last_review + card.interval_days * DAY,
                reps=5,
                lapses=0,
                suspended=False,
                leech=False,
                position=n,
                version=1,
                added_at=last_review - 30 * DAY,
            )
        )
    session.flush()
    session.commit()
    return user.id


def study_until_exam(session: Session, user_id: int, days: int) -> int:
    """Answer Good to everything offered, each study day at 09:00, until the exam day."""
    answers = 0
    for day in range(days):
        now = START + day * DAY
        for _ in range(MAX_ANSWERS_PER_DAY):
            entry = next_card(session, user_id, now)
            if entry is None:
                break
            answer_card(
                session,
                user_id,
                entry.card.id,
                fsrs.Rating.Good,
                now,
                expected_version=entry.card.version,
            )
            session.commit()
            answers += 1
            now += timedelta(seconds=10)
    return answers


def retrievability_at(session: Session, user_id: int, moment: datetime) -> list[float]:
    scheduler = scheduler_for(get_settings(session, user_id))
    cards = session.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id))
    return [scheduler.get_card_retrievability(to_fsrs_card(card), moment) for card in cards]


def run(session: Session, deck: list[DeckCard], mode: str, days: int, target: float) -> Run:
    user_id = build(session, deck, f"{mode}-{days}@bench.example")
    settings = get_settings(session, user_id)
    today = study_day(START, "UTC", settings.day_starts_at_hour)
    exam_on = today + timedelta(days=days)
    if mode == "exam":
        bank_id = session.scalar(
            select(Question.bank_id)
            .join(ReviewCard, ReviewCard.question_id == Question.id)
            .where(ReviewCard.user_id == user_id)
            .limit(1)
        )
        set_exam_date(
            session,
            user_id,
            bank_id=bank_id,
            exam_on=exam_on,
            today=today,
            now=START,
            target_retention=target,
        )
    session.commit()
    reviews = study_until_exam(session, user_id, days)
    exam_starts = day_bounds(exam_on, "UTC", settings.day_starts_at_hour)[0]
    values = retrievability_at(session, user_id, exam_starts)
    return Run(mode, days, reviews, statistics.fmean(values), min(values))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-stability", type=float, default=180.0)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'exam_mode.db'}"
        app = bench_app(url)
        with app.app_context():
            db.drop_all()
            db.create_all()
            deck = make_deck(args.cards, args.seed, args.max_stability)
            rows = []
            for days in EXAMS_IN_DAYS:
                plain = run(db.session, deck, "plain", days, args.target)
                exam = run(db.session, deck, "exam", days, args.target)
                rows.append((plain, exam))
            db.session.remove()
            db.drop_all()
    print(f"{args.cards} cards, seed {args.seed}, stabilities 1-{args.max_stability:g} days,")
    print(f"desired retention 0.90, exam target {args.target:.2f}; database {url.split(':')[0]}")
    print()
    header = (
        f"{'exam in':>8} | {'plain reviews':>13} {'mean R':>7} {'min R':>6} | "
        f"{'exam reviews':>12} {'mean R':>7} {'min R':>6} | {'ratio':>5} | targets"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for plain, exam in rows:
        ratio = exam.reviews / plain.reviews if plain.reviews else math.inf
        met = (
            exam.mean_r >= args.target and ratio <= MAX_REVIEWS_RATIO and exam.mean_r > plain.mean_r
        )
        all_met &= met
        print(
            f"{plain.days:>6} d | {plain.reviews:>13} {plain.mean_r:>7.3f} {plain.min_r:>6.3f} | "
            f"{exam.reviews:>12} {exam.mean_r:>7.3f} {exam.min_r:>6.3f} | {ratio:>5.2f} | "
            f"{'met' if met else 'missed'}"
        )
    print()
    print(
        f"Targets: exam mean R >= {args.target:.2f}, exam reviews <= {MAX_REVIEWS_RATIO}x plain, "
        "exam mean R > plain mean R."
    )
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
