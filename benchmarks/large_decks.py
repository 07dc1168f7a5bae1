"""Large decks: one student with 1k, 10k or 50k cards among others, and her Progress page.

    python -m benchmarks.large_decks --db sqlite
    python -m benchmarks.large_decks --db postgresql                 # a fresh bench_<random>
    python -m benchmarks.large_decks --db postgresql --database-url postgresql+psycopg://...

The database comes from `--database-url` or BENCH_DATABASE_URL (it must be empty: the
script creates its tables and never drops it). Without one, SQLite uses a temporary file
and PostgreSQL a database with a unique name, created here and dropped at the end: the
only database this script ever drops. See benchmarks/README.md for the targets.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import fsrs
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Question,
    QuestionBank,
    ReviewCard,
    ReviewLog,
    StudySettings,
    User,
)
from app.models.reviews import last_review_us_of
from app.scheduling import next_card
from benchmarks.bench_app import bench_app
from benchmarks.scratch import scratch_database

PASSWORD = "benchmark-password-1"  # noqa: S105 - throwaway students
DECKS = (1_000, 10_000, 50_000)
OTHERS = int(
    os.environ.get("LARGE_DECKS_OTHERS", "4")
)  # other students, each with a 2,000-card deck in the same tables
LOGS_PER_CARD = 11  # 500,000 logs at 50,000 cards (45,000 answered)
DUE_SHARE = 0.20
TARGETS = {
    "next_card p99 ms at 10k": 10.0,
    "next_card p99 ms at 50k": 25.0,
    "GET /study/ p99 ms at 50k": 50.0,
    "answer cost 50k / 1k": 1.5,
    "Progress page s at 50k": 1.0,
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(call: Callable[[], Any]) -> tuple[float, float]:
    """(wall ms, this process's CPU ms) of one call."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return {
        "p50": statistics.median(walls),
        "p99": percentile(walls, 0.99),
        "cpu_p50": statistics.median(cpus),
        "cpu_p99": percentile(cpus, 0.99),
    }


# -- the data ----------------------------------------------------------------------------------


def _deck_rows(user_id: int, questions: list[int], now: datetime, rng: random.Random, log_id: int):
    cards, logs = [], []
    for position, question_id in enumerate(questions):
        card_id = len(cards) + 1  # replaced by the caller's offset
        if rng.random() < 0.1:  # new
            cards.append((question_id, 1, None, None, now, None, 0, position))
            continue
        stability = 10 ** rng.uniform(-0.3, 2.3)
        if rng.random() < DUE_SHARE / 0.9:
            due = now - timedelta(days=rng.uniform(0, 20))
        else:
            due = now + timedelta(days=rng.uniform(1, 200))
        # Reviewed a stability before the due date, and never today: the day's limits
        # start unspent.
        last = min(due - timedelta(days=stability), now - timedelta(days=1 + rng.random()))
        cards.append((question_id, 2, stability, 5.0, due, last, LOGS_PER_CARD, position))
        for n in range(LOGS_PER_CARD):
            logs.append((card_id, last - timedelta(days=n * rng.uniform(1, 30)), rng.choice(
                (1, 3, 3, 3, 4))))  # fmt: skip
    return cards, logs


def build(url: str, now: datetime, seed: int, decks: tuple[int, ...] = DECKS) -> dict[int, int]:
    """Every student's rows; returns {deck size: the student's id}."""
    rng = random.Random(seed)
    app = bench_app(url)
    students: dict[int, int] = {}
    with app.app_context():
        db.create_all()
        session = db.session
        sizes = [*decks, *([2_000] * OTHERS)]
        for index, size in enumerate(sizes):
            user = User(
                email=f"deck{index}@bench.example", display_name=f"Deck {index}", role="student"
            )
            user.set_password(PASSWORD)
            bank = QuestionBank(title=f"Deck of {size}", description="")
            session.add_all([user, bank])
            session.flush()
            session.add(StudySettings(user_id=user.id))
            session.execute(
                insert(Question),
                [
                    {
                        "bank_id": bank.id,
                        "kind": "flashcard",
                        "external_id": f"d{index}-{n}",
                        "content": {"prompt": f"Front {n}", "back": f"Back {n}"},
                    }
                    for n in range(size)
                ],
            )
            question_ids = list(
                session.scalars(
                    Question.__table__.select()
                    .with_only_columns(Question.id)
                    .where(Question.bank_id == bank.id)
                    .order_by(Question.id)
                )
            )
            cards, logs = _deck_rows(user.id, question_ids, now, rng, 0)
            first_card = (session.query(db.func.max(ReviewCard.id)).scalar() or 0) + 1
            card_columns = ("question_id", "state", "stability", "difficulty", "due")
            card_columns += ("last_review", "reps", "position")
            session.execute(
                insert(ReviewCard),
                [
                    {
                        "user_id": user.id,
                        **dict(zip(card_columns, row, strict=True)),
                        "last_review_us": last_review_us_of(row[5]),
                    }
                    for row in cards
                ],
            )
            for start in range(0, len(logs), 20_000):
                session.execute(
                    insert(ReviewLog),
                    [
                        {
                            "card_id": first_card + card - 1,
                            "user_id": user.id,
                            "question_id": question_ids[card - 1],
                            "rating": rating,
                            "reviewed_at": at,
                            "state_before": 2,
                            "state_after": 2,
                            "card_before": {},
                        }
                        for card, at, rating in logs[start : start + 20_000]
                    ],
                )
            session.commit()
            if index < len(decks):
                students[size] = user.id
            print(f"  built deck {size:,}: {len(cards):,} cards, {len(logs):,} logs", flush=True)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    return students


# -- the measurements --------------------------------------------------------------------------


def measure(url: str, students: dict[int, int], samples: int) -> dict[str, Any]:
    app = bench_app(url)
    out: dict[str, Any] = {}
    with app.app_context():
        engine = db.engine
        for size, user_id in students.items():
            now = datetime.now(UTC)

            def choose(user_id: int = user_id, now: datetime = now) -> None:
                with Session(engine) as session:
                    next_card(session, user_id, now)

            choose()
            out[f"next_card {size}"] = summary([timed(choose) for _ in range(samples)])
        for index, size in enumerate(students):
            out.update(_measure_pages(app, engine, index, size, samples))
        engine.dispose()
    return out


def _measure_pages(app: Any, engine: Any, index: int, size: int, samples: int) -> dict:
    """The study page, answers (one request each) and the Progress page, over Flask."""
    out: dict[str, Any] = {}
    client = app.test_client()
    client.post("/auth/login", data={"email": f"deck{index}@bench.example", "password": PASSWORD})
    client.get("/study/")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    client.get("/study/")
    event.remove(engine, "before_cursor_execute", count)
    out[f"study statements {size}"] = len(statements)
    out[f"GET /study/ {size}"] = summary(
        [timed(lambda: client.get("/study/")) for _ in range(samples // 2)]
    )
    answers = []
    rng = random.Random(size)
    page = client.get("/study/").get_data(as_text=True)
    for _ in range(samples // 2):
        action = re.search(r'action="(/study/cards/\d+/answer)"', page)
        version = re.search(r'name="version" value="(\d+)"', page)
        if action is None or version is None:
            print(f"  deck {size:,}: no card to answer after {len(answers)} answers")
            print(page[:3000])
            break
        form = {"rating": rng.choice((1, 3, 3, 4)), "version": version.group(1), "inline": "y"}
        pages: list[str] = []
        answers.append(
            timed(
                lambda a=action.group(1), f=form, into=pages: into.append(
                    client.post(a, data=f).get_data(as_text=True)
                )
            )
        )
        page = pages[0]
    if answers:
        out[f"answer {size}"] = summary(answers)
    out[f"Progress {size}"] = summary([timed(lambda: client.get("/progress/")) for _ in range(3)])
    return out


def report(database: str, out: dict[str, Any]) -> str:
    lines = [f"\n{database}: wall p50 / p99 ms (CPU p50 / p99 ms)"]
    for name, value in out.items():
        if isinstance(value, dict):
            lines.append(
                f"  {name:<22} {value['p50']:8.1f} / {value['p99']:8.1f}"
                f"   ({value['cpu_p50']:.1f} / {value['cpu_p99']:.1f})"
            )
        else:
            lines.append(f"  {name:<22} {value}")
    if not all(f"answer {size}" in out for size in DECKS):
        return "\n".join(lines)  # a partial run (--decks): no targets
    small, large = out[f"answer {DECKS[0]}"], out[f"answer {DECKS[-1]}"]
    checks = {
        "next_card p99 ms at 10k": out[f"next_card {DECKS[1]}"]["p99"],
        "next_card p99 ms at 50k": out[f"next_card {DECKS[-1]}"]["p99"],
        "GET /study/ p99 ms at 50k": out[f"GET /study/ {DECKS[-1]}"]["p99"],
        "answer cost 50k / 1k": large["p50"] / small["p50"],
        "Progress page s at 50k": out[f"Progress {DECKS[-1]}"]["p99"] / 1000,
    }
    lines.append("  target                      target   measured")
    for name, value in checks.items():
        mark = "ok" if value <= TARGETS[name] else "MISSED"
        lines.append(f"  {name:<27} {TARGETS[name]:6.2f}   {value:8.3f}  {mark}")
    return "\n".join(lines)


def run(database: str, given_url: str | None, args: argparse.Namespace) -> str:
    with scratch_database(database, given_url, "bench-decks") as url:
        print(f"== {database}: building", flush=True)
        students = build(url, datetime.now(UTC), args.seed, tuple(args.decks))
        return report(database, measure(url, students, args.samples))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--decks", type=int, nargs="+", default=list(DECKS))
    args = parser.parse_args(argv)
    print(run(args.db, args.database_url, args))
    return 0


if __name__ == "__main__":
    _ = fsrs  # the scheduler the app uses
    sys.exit(main())
