"""A study history for the benchmark, written with bulk inserts.

Students share one bank of flashcards; each student has a review card per question and
a log per past answer. The rows are generated per student from a seeded RNG, so SQLite
and PostgreSQL get the same history, and a student's cards look the same in the small
and the full data set: only the number of other students differs.

Small tables and SQLite go through SQLAlchemy Core `insert()` executemany batches;
review cards and logs on PostgreSQL go through COPY.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import psycopg
from sqlalchemy import Connection, Table, insert
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Question, QuestionBank, ReviewCard, ReviewLog, StudySettings, User
from app.models.reviews import last_review_us_of
from app.scheduling.settings import DEFAULTS
from benchmarks.bench_app import bench_app, sqlalchemy_url

PASSWORD = "bench-password-1"  # noqa: S105 - every benchmark student logs in with it
BATCH_ROWS = 10_000

# How a student's cards are spread over the FSRS states.
NEW_SHARE = 0.20  # never answered (the highest positions: introduced in order)
# Students in the middle of a session have cards in learning steps, answered in the
# last quarter hour; the others have none, so their next card comes from due reviews.
IN_SESSION_SHARE = 0.30
LEARNING_SHARE = 0.03  # of the answered cards of a student in session
RELEARNING_SHARE = 0.02
SESSION_SECONDS = 900.0
SUSPENDED_SHARE = 0.01
# First answers: Again, Hard, Good, Easy.
RATING_WEIGHTS = (0.10, 0.10, 0.70, 0.10)
RATINGS = (1, 2, 3, 4)

LEARNING = fsrs.State.Learning.value
REVIEW = fsrs.State.Review.value
RELEARNING = fsrs.State.Relearning.value
DAY = 86_400.0


@dataclass(frozen=True)
class HistorySize:
    label: str
    students: int
    cards: int  # per student: one per question of the shared bank
    logs: int  # in all

    @property
    def logs_per_student(self) -> int:
        return self.logs // self.students

    @property
    def card_rows(self) -> int:
        return self.students * self.cards


@dataclass
class BuildReport:
    database: str
    size: str
    seconds: float
    rows: dict[str, int]


# -- rows --------------------------------------------------------------------------------------

CARD_COLUMNS = (
    "id", "user_id", "question_id", "state", "step", "stability", "difficulty", "due",
    "last_review", "reps", "lapses", "suspended", "buried_until", "leech", "position",
    "version", "added_at", "last_review_us",
)  # fmt: skip
LOG_COLUMNS = (
    "card_id", "user_id", "question_id", "rating", "reviewed_at", "duration_ms",
    "state_before", "was_new", "state_after", "card_before", "interval_seconds",
)  # fmt: skip


def card_id_for(size: HistorySize, user_id: int, question_id: int) -> int:
    return (user_id - 1) * size.cards + question_id


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def student_rows(
    size: HistorySize, user_id: int, now: datetime, seed: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One student's review cards and logs, as tuples in CARD_COLUMNS / LOG_COLUMNS order."""
    rng = random.Random(f"{seed}:{user_id}")
    added_at = now - timedelta(days=400)
    logs_left = size.logs_per_student
    answered = size.cards - round(size.cards * NEW_SHARE)
    answered = max(0, min(answered, logs_left))
    # Every answered card has at least one log; the rest are spread at random.
    reps = [1] * answered
    for _ in range(logs_left - answered if answered else 0):
        reps[rng.randrange(answered)] += 1

    cards: list[tuple[Any, ...]] = []
    logs: list[tuple[Any, ...]] = []
    in_session = rng.random() < IN_SESSION_SHARE
    for position in range(1, size.cards + 1):
        question_id = position  # questions are added in order
        card_id = card_id_for(size, user_id, question_id)
        if position > answered:
            cards.append(
                (card_id, user_id, question_id, LEARNING, 0, None, None, added_at, None,
                 0, 0, False, None, False, position, 1, added_at, None)
            )  # fmt: skip
            continue
        card, card_logs = _answered_card(
            rng, card_id, user_id, question_id, reps[position - 1], now, in_session
        )
        cards.append((*card, position, 1 + len(card_logs), added_at, last_review_us_of(card[8])))
        logs.extend(card_logs)
    return cards, logs


def _answered_card(
    rng: random.Random,
    card_id: int,
    user_id: int,
    question_id: int,
    reps: int,
    now: datetime,
    in_session: bool,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    roll = rng.random() if in_session else 1.0
    difficulty = rng.uniform(1.0, 10.0)
    step: int | None
    if roll < LEARNING_SHARE:
        state, step = LEARNING, rng.choice((0, 1))
        stability = rng.uniform(0.5, 3.0)
        last_review = now - timedelta(seconds=rng.uniform(0, SESSION_SECONDS))
        due = last_review + timedelta(seconds=(60, 600)[step])
    elif roll < LEARNING_SHARE + RELEARNING_SHARE:
        state, step = RELEARNING, 0
        stability = rng.uniform(0.5, 5.0)
        last_review = now - timedelta(seconds=rng.uniform(0, SESSION_SECONDS))
        due = last_review + timedelta(seconds=600)
    else:
        # Due dates spread over ±60 days; the last review was one stability earlier
        # (at 90 % retention FSRS's interval is about the stability), before now.
        state, step = REVIEW, None
        due_in_days = rng.uniform(-60.0, 60.0)
        stability = _log_uniform(rng, max(0.5, due_in_days + 0.05), 200.0)
        due = now + timedelta(days=due_in_days)
        last_review = due - timedelta(days=stability)
    suspended = rng.random() < SUSPENDED_SHARE

    # Earlier answers, going back from the last one with shrinking intervals.
    times = [last_review]
    gap = max(600.0, stability * DAY)
    for _ in range(reps - 1):
        gap = max(60.0, gap / rng.uniform(1.8, 3.0))
        times.append(times[-1] - timedelta(seconds=gap))
    times.reverse()

    logs = []
    lapses = 0
    before: dict[str, Any] = {
        "state": LEARNING, "step": 0, "stability": None, "difficulty": None, "reps": 0,
        "lapses": 0, "suspended": False, "leech": False, "due": _iso(times[0]),
        "last_review": None, "buried_until": None,
    }  # fmt: skip
    for index, reviewed_at in enumerate(times):
        last = index == reps - 1
        rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
        state_after = REVIEW
        if last and state != REVIEW:
            state_after = state
            rating = 1 if state == RELEARNING else rating
        if rating == 1 and before["state"] == REVIEW:
            lapses += 1
        next_time = due if last else times[index + 1]
        logs.append(
            (card_id, user_id, question_id, rating, reviewed_at, rng.randint(1_500, 25_000),
             before["state"], index == 0, state_after, before,
             max(0, round((next_time - reviewed_at).total_seconds())))
        )  # fmt: skip
        before = {
            **before,
            "state": state_after,
            "step": step if last else None,
            "stability": round(stability * (index + 1) / reps, 4),
            "difficulty": round(difficulty, 4),
            "reps": index + 1,
            "lapses": lapses,
            "due": _iso(next_time),
            "last_review": _iso(reviewed_at),
        }
    card = (
        card_id, user_id, question_id, state, step, stability, difficulty, due, last_review,
        reps, lapses, suspended, None, suspended and lapses >= 8,
    )  # fmt: skip
    return card, logs


def _batches(
    size: HistorySize, now: datetime, seed: int
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Cards and logs of consecutive students, about BATCH_ROWS logs at a time."""
    cards: list[tuple[Any, ...]] = []
    logs: list[tuple[Any, ...]] = []
    for user_id in range(1, size.students + 1):
        student_cards, student_logs = student_rows(size, user_id, now, seed)
        cards.extend(student_cards)
        logs.extend(student_logs)
        if len(logs) >= BATCH_ROWS or len(cards) >= BATCH_ROWS:
            yield cards, logs
            cards, logs = [], []
    if cards or logs:
        yield cards, logs


def _small_tables(size: HistorySize, now: datetime) -> dict[Table, list[dict[str, Any]]]:
    password_hash = generate_password_hash(PASSWORD)  # one hash: scrypt is slow on purpose
    users = [
        {
            "id": user_id, "email": f"student{user_id}@bench.example",
            "display_name": f"Student {user_id}", "password_hash": password_hash,
            "role": "student", "time_zone": "UTC", "active": True,
            "created_at": now - timedelta(days=400), "updated_at": now - timedelta(days=400),
        }
        for user_id in range(1, size.students + 1)
    ]  # fmt: skip
    bank = {
        "id": 1, "slug": "bench", "owner_id": None, "title": "Benchmark flashcards",
        "description": "", "created_at": now, "updated_at": now,
    }  # fmt: skip
    questions = [
        {
            "id": number, "bank_id": 1, "topic_id": None, "kind": "flashcard",
            "external_id": f"q{number}",
            "content": {"prompt": f"Q {number}", "back": f"A {number}"},
            "explanation": "", "difficulty": 2, "version": 1,
            "created_at": now, "updated_at": now,
        }
        for number in range(1, size.cards + 1)
    ]  # fmt: skip
    settings = [{"user_id": user_id, **DEFAULTS} for user_id in range(1, size.students + 1)]
    return {
        User.__table__: users,
        QuestionBank.__table__: [bank],
        Question.__table__: questions,
        StudySettings.__table__: settings,
    }


def _insert_small_tables(conn: Connection, size: HistorySize, now: datetime) -> dict[str, int]:
    rows = {}
    for table, table_rows in _small_tables(size, now).items():
        for start in range(0, len(table_rows), BATCH_ROWS):
            conn.execute(insert(table), table_rows[start : start + BATCH_ROWS])
        rows[table.name] = len(table_rows)
    return rows


def _as_dicts(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


# -- SQLite ------------------------------------------------------------------------------------


def build_sqlite(path: Path, size: HistorySize, now: datetime, seed: int) -> BuildReport:
    """A fresh SQLite file: create_all, then Core executemany in one transaction."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    app = bench_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        with db.engine.connect() as conn:
            # For the build only: the benchmark itself runs with the app's defaults.
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            conn.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB, in KiB
            rows = _insert_small_tables(conn, size, now)
            rows["review_cards"] = rows["review_logs"] = 0
            card_table, log_table = ReviewCard.__table__, ReviewLog.__table__
            for cards, logs in _batches(size, now, seed):
                if cards:
                    conn.execute(insert(card_table), _as_dicts(CARD_COLUMNS, cards))
                if logs:
                    conn.execute(insert(log_table), _as_dicts(LOG_COLUMNS, logs))
                rows["review_cards"] += len(cards)
                rows["review_logs"] += len(logs)
            conn.commit()
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        db.engine.dispose()
    return BuildReport("sqlite", size.label, time.perf_counter() - started, rows)


# -- PostgreSQL --------------------------------------------------------------------------------


def create_database(admin_url: str, name: str) -> None:
    """A new database; fails if one of that name exists (nothing is ever dropped here)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    """Only for a database this benchmark created itself."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy_rows(cursor: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: list) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build_postgresql(
    admin_url: str,
    name: str,
    libpq_url: str,
    size: HistorySize,
    now: datetime,
    seed: int,
    *,
    create: bool = True,
) -> BuildReport:
    """create_all, Core inserts for small tables, COPY for cards and logs: in a database
    created here (`create`), or in the given one, which must be empty."""
    started = time.perf_counter()
    if create:
        create_database(admin_url, name)
    app = bench_app(sqlalchemy_url(libpq_url))
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            rows = _insert_small_tables(conn, size, now)
        db.engine.dispose()
    rows["review_cards"] = rows["review_logs"] = 0
    card_before = LOG_COLUMNS.index("card_before")
    with psycopg.connect(libpq_url) as conn, conn.cursor() as cursor:
        # Foreign keys are checked by per-row triggers; the generator keeps them valid,
        # so the load skips them (superuser only), as pg_restore --disable-triggers does.
        cursor.execute("SET session_replication_role = replica")
        for cards, logs in _batches(size, now, seed):
            _copy_rows(cursor, "review_cards", CARD_COLUMNS, cards)
            _copy_rows(
                cursor,
                "review_logs",
                LOG_COLUMNS,
                (
                    (*log[:card_before], json.dumps(log[card_before]), *log[card_before + 1 :])
                    for log in logs
                ),
            )
            rows["review_cards"] += len(cards)
            rows["review_logs"] += len(logs)
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("users", "question_banks", "questions", "review_cards", "review_logs"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    # What autovacuum would have done by now on a live site: statistics for the planner
    # and visibility maps, and none of it happening in the middle of the measurement.
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return BuildReport("postgresql", size.label, time.perf_counter() - started, rows)
