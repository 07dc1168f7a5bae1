"""Benchmark of the study loop: next card and answer, in the service layer and over HTTP.

    python -m benchmarks.study_loop --db both --http

See benchmarks/README.md for what is measured and the targets.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsrs
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from app.extensions import db
from app.scheduling import answer_card, next_card
from benchmarks.bench_app import bench_app, sqlalchemy_url
from benchmarks.history import (
    BuildReport,
    HistorySize,
    build_postgresql,
    build_sqlite,
    drop_database,
)
from benchmarks.http_load import run_http

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
APP_DIR = Path(__file__).resolve().parent.parent / "app"
BENCH_SERVER = "postgresql://postgres@127.0.0.1:5432"
ADMIN_URL = f"{BENCH_SERVER}/postgres"
# Databases this run creates, with a unique name, and drops at the end (and no other).
RUN_ID = f"bench_{os.getpid()}_{int(time.time())}"

P99_TARGET_MS = 10.0
SCALING_TARGET = 1.25  # full data set's median within this factor of the small one's
WORKER_MIB_TARGET = 120
HTTP_TARGET = 0.15  # answers/s as a share of /healthz requests/s (stretch: 0.20)

RATINGS = (fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy)
RATING_WEIGHTS = (0.10, 0.10, 0.70, 0.10)
OPERATIONS = ("next_card", "answer_card")


@dataclass
class ServiceFigures:
    operation: str
    database: str
    size: str
    students: int
    samples: int
    median_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    commit_median_ms: float  # of median_ms, the COMMIT alone
    commit_p99_ms: float
    # This process's CPU time (Python, and SQLite itself); the rest of the wall time is
    # waiting: for PostgreSQL, for fsync, or for a core on a busy machine.
    cpu_median_ms: float
    cpu_p99_ms: float
    load_average: float  # 1-minute load of the machine when the samples ended


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(
    operation: str,
    database: str,
    size: HistorySize,
    seconds: list[float],
    commit_seconds: list[float],
    cpu_seconds: list[float],
) -> ServiceFigures:
    ms = [value * 1000 for value in seconds]
    commit_ms = [value * 1000 for value in commit_seconds]
    cpu_ms = [value * 1000 for value in cpu_seconds]
    return ServiceFigures(
        operation=operation,
        database=database,
        size=size.label,
        students=size.students,
        samples=len(ms),
        median_ms=statistics.median(ms),
        p99_ms=percentile(ms, 0.99),
        mean_ms=statistics.fmean(ms),
        max_ms=max(ms),
        commit_median_ms=statistics.median(commit_ms),
        commit_p99_ms=percentile(commit_ms, 0.99),
        cpu_median_ms=statistics.median(cpu_ms),
        cpu_p99_ms=percentile(cpu_ms, 0.99),
        load_average=os.getloadavg()[0],
    )


# -- the service layer -------------------------------------------------------------------------


@dataclass
class StudyTimes:
    next_seconds: float
    next_commit_seconds: float
    next_cpu_seconds: float
    answer_seconds: float | None = None
    answer_commit_seconds: float | None = None
    answer_cpu_seconds: float | None = None
    reason: str | None = None


def study_once(engine: Engine, user_id: int, rng: random.Random) -> StudyTimes:
    """next_card then answer_card, each in its own session and transaction, timed to commit."""
    with Session(engine) as session:
        started, cpu_started = time.perf_counter(), time.thread_time()
        entry = next_card(session, user_id, datetime.now(UTC))
        shown = (entry.card.id, entry.card.version, entry.reason) if entry else None
        committing = time.perf_counter()
        session.commit()
        done, cpu_done = time.perf_counter(), time.thread_time()
    times = StudyTimes(done - started, done - committing, cpu_done - cpu_started)
    if shown is None:
        return times
    card_id, version, times.reason = shown
    rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
    with Session(engine) as session:
        started, cpu_started = time.perf_counter(), time.thread_time()
        answer_card(
            session,
            user_id,
            card_id,
            rating,
            datetime.now(UTC),
            expected_version=version,
            duration_ms=rng.randint(1_500, 25_000),
        )
        committing = time.perf_counter()
        session.commit()
        done, cpu_done = time.perf_counter(), time.thread_time()
    times.answer_seconds, times.answer_commit_seconds = done - started, done - committing
    times.answer_cpu_seconds = cpu_done - cpu_started
    return times


def time_service(
    targets: list[tuple[HistorySize, Engine]],
    database: str,
    *,
    samples: int,
    warmup: int,
    max_seconds: float,
    seed: int,
) -> tuple[list[ServiceFigures], dict[str, dict[str, int]]]:
    """`samples` study_once calls per data set, alternating between the data sets.

    Alternating keeps the small/full comparison fair when the machine's load drifts.
    """
    rngs = {size.label: random.Random(seed) for size, _ in targets}
    timings = {(size.label, op): [] for size, _ in targets for op in OPERATIONS}
    commits = {(size.label, op): [] for size, _ in targets for op in OPERATIONS}
    cpu = {(size.label, op): [] for size, _ in targets for op in OPERATIONS}
    reasons: dict[str, Counter[str]] = {size.label: Counter() for size, _ in targets}
    deadline = time.monotonic() + max_seconds
    for number in range(warmup + samples):
        if time.monotonic() > deadline:
            print(f"  stopped after {max_seconds:.0f} s with {number - warmup} samples")
            break
        for size, engine in targets:
            rng = rngs[size.label]
            times = study_once(engine, rng.randint(1, size.students), rng)
            if number < warmup:
                continue
            timings[size.label, "next_card"].append(times.next_seconds)
            commits[size.label, "next_card"].append(times.next_commit_seconds)
            cpu[size.label, "next_card"].append(times.next_cpu_seconds)
            reasons[size.label][times.reason or "nothing"] += 1
            if times.answer_seconds is not None and times.answer_commit_seconds is not None:
                timings[size.label, "answer_card"].append(times.answer_seconds)
                commits[size.label, "answer_card"].append(times.answer_commit_seconds)
                cpu[size.label, "answer_card"].append(times.answer_cpu_seconds or 0.0)
    figures = [
        summarize(operation, database, size, timings[size.label, operation],
                  commits[size.label, operation], cpu[size.label, operation])
        for size, _ in targets
        for operation in OPERATIONS
        if timings[size.label, operation]
    ]  # fmt: skip
    return figures, {label: dict(counter) for label, counter in reasons.items()}


# -- looking inside ----------------------------------------------------------------------------


@contextmanager
def captured_statements(engine: Engine) -> Iterator[list[tuple[str, Any, float]]]:
    """Every statement run on `engine` inside the block, with its parameters and duration."""
    statements: list[tuple[str, Any, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(
            (statement, parameters, time.perf_counter() - conn.info.pop("bench_started"))
        )

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _student_with(engine: Engine, students: int, reason: str) -> int | None:
    for user_id in range(1, min(students, 200) + 1):
        with Session(engine) as session:
            entry = next_card(session, user_id, datetime.now(UTC))
            if entry is not None and entry.reason == reason:
                return user_id
    return None


def _explain(
    engine: Engine, database: str, statements: list[tuple[str, Any, float]], label: str
) -> list[dict[str, Any]]:
    plans = []
    for statement, parameters, seconds in statements:
        if "review_" not in statement:
            continue
        verb = statement.lstrip().split(None, 1)[0].upper()
        if database == "postgresql" and verb == "SELECT":
            prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
        elif database == "postgresql":
            prefix = "EXPLAIN (COSTS OFF) "
        else:
            prefix = "EXPLAIN QUERY PLAN "
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            conn.rollback()
        plans.append(
            {
                "call": label,
                "statement": " ".join(statement.split()),
                "ms": round(seconds * 1000, 3),
                "plan": [row[0] if database == "postgresql" else row[-1] for row in rows],
            }
        )
    return plans


def explain_study(engine: Engine, database: str, students: int) -> list[dict[str, Any]]:
    """The plans of the statements of next_card (both paths) and answer_card touching reviews.

    next_card's SELECTs are explained before the card is answered, so ANALYZE sees the
    rows next_card saw.
    """
    plans = []
    for reason in ("due", "learning"):
        user_id = _student_with(engine, students, reason)
        if user_id is None:
            continue
        now = datetime.now(UTC)
        with captured_statements(engine) as statements, Session(engine) as session:
            entry = next_card(session, user_id, now)
            assert entry is not None
            card_id, version = entry.card.id, entry.card.version
            session.commit()
        plans += _explain(engine, database, statements, f"next_card ({reason}), student {user_id}")
        with captured_statements(engine) as statements, Session(engine) as session:
            answer_card(session, user_id, card_id, fsrs.Rating.Good, now, expected_version=version)
            session.commit()
        plans += _explain(engine, database, statements, f"answer_card, card {card_id}")
    return plans


def statement_breakdown(
    engine: Engine, students: int, samples: int, seed: int
) -> list[dict[str, Any]]:
    """Where a study_once call's time goes: each kind of statement, COMMITs, the rest.

    "the rest" is Python: SQLAlchemy building and loading rows, FSRS, pool checkout.
    """
    rng = random.Random(seed)
    totals: dict[str, list[float]] = {}
    overall = 0.0
    with captured_statements(engine) as statements:
        for _ in range(samples):
            times = study_once(engine, rng.randint(1, students), rng)
            overall += times.next_seconds + (times.answer_seconds or 0.0)
            totals.setdefault("COMMIT after next_card", []).append(times.next_commit_seconds)
            if times.answer_commit_seconds is not None:
                totals.setdefault("COMMIT after answer_card", []).append(
                    times.answer_commit_seconds
                )
    for statement, _, seconds in statements:
        key = " ".join(statement.split())[:90]
        totals.setdefault(key, []).append(seconds)
    accounted = sum(sum(values) for values in totals.values())
    rows = [
        {
            "statement": key,
            "count": len(values),
            "per_call_ms": round(sum(values) / samples * 1000, 3),
            "median_ms": round(statistics.median(values) * 1000, 3),
        }
        for key, values in totals.items()
    ]
    rest = (overall - accounted) / samples * 1000
    rows.append({"statement": "the rest (Python)", "count": samples,
                 "per_call_ms": round(rest, 3), "median_ms": None})  # fmt: skip
    return sorted(rows, key=lambda row: -row["per_call_ms"])


def profile_text(run: Callable[[], None], lines: int = 25) -> str:
    """The app's own functions by cumulative time, then everything by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(f"{APP_DIR}/", lines)
    stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def profile_service(engine: Engine, students: int, samples: int, seed: int) -> str:
    rng = random.Random(seed)

    def run() -> None:
        for _ in range(samples):
            study_once(engine, rng.randint(1, students), rng)

    return profile_text(run)


def profile_requests(database_url: str, students: int, samples: int, seed: int) -> dict[str, Any]:
    """Server-side cost of the answer flow's requests and of /healthz, in one process.

    The flow is the HTTP part's: a student's first GET /study/, then one POST per answer
    with inline=y, its response the next card's page. Answers rotate over several
    students, so that no one runs out of due cards.
    """
    from benchmarks.history import PASSWORD
    from benchmarks.http_load import ANSWER_ACTION, VERSION

    app = bench_app(database_url)
    clients = []
    for user_id in random.Random(seed).sample(range(1, students + 1), min(20, students)):
        client = app.test_client()
        client.post("/auth/login", data={"email": f"student{user_id}@bench.example",
                                         "password": PASSWORD})  # fmt: skip
        clients.append(client)
    pages: dict[int, str | None] = dict.fromkeys(range(len(clients)))
    timings: dict[str, list[float]] = {"GET /study/": [], "POST answer": [], "GET /healthz": []}
    counts: dict[str, list[int]] = {name: [] for name in timings}
    study_page: list[str] = []  # the statements of one GET /study/

    def timed(name: str, call: Callable[[], Any], statements: list) -> Any:
        before = len(statements)
        started = time.perf_counter()
        response = call()
        timings[name].append(time.perf_counter() - started)
        counts[name].append(len(statements) - before)
        if name == "GET /study/":
            study_page[:] = [" ".join(s.split())[:110] for s, _, _ in statements[before:]]
        return response

    def run(statements: list, rounds: int) -> None:
        for number in range(rounds):
            index = number % len(clients)
            client = clients[index]
            timed("GET /healthz", lambda c=client: c.get("/healthz"), statements)
            page = pages[index]
            if page is None:
                page = timed("GET /study/", lambda c=client: c.get("/study/"), statements).text
            action, version = ANSWER_ACTION.search(page), VERSION.search(page)
            if action is None or version is None:
                pages[index] = None
                continue  # this student has nothing due
            form = {"rating": 3, "version": version.group(1), "inline": "y"}
            pages[index] = timed(
                "POST answer",
                lambda c=client, a=action, f=form: c.post(
                    f"/study/cards/{a.group(1)}/answer", data=f
                ),
                statements,
            ).text

    with app.app_context():
        engine = db.engine
    with captured_statements(engine) as statements:
        run(statements, len(clients))  # warm up templates and the connection pool
        for values in (*timings.values(), *counts.values()):
            values.clear()
        text = profile_text(lambda: run(statements, samples), lines=35)
    engine.dispose()
    return {
        "per_request_median_ms": {
            name: round(statistics.median(values) * 1000, 2)
            for name, values in timings.items()
            if values
        },
        "statements_per_request": {
            name: round(statistics.fmean(values), 1) for name, values in counts.items() if values
        },
        "study_page_statements": study_page,
        "profile": text,
    }


def diagnose(what: str, run: Callable[[], Any]) -> Any:
    """Diagnostics must not cost the measurements: a failure is reported, not raised."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - any failure of a diagnostic
        print(f"  {what} failed: {type(exc).__name__}: {exc}")
        return None


# -- one database ------------------------------------------------------------------------------


def build(
    database: str,
    size: HistorySize,
    workdir: Path,
    now: datetime,
    seed: int,
    given_url: str | None = None,
    created: list[str] | None = None,
) -> tuple:
    """The data set in `given_url` (the full one; an empty database, never dropped), else
    in a database of this run's own (named in `created`, to drop at the end)."""
    if database == "sqlite":
        if given_url and size.label == "full":
            path = Path(given_url.removeprefix("sqlite:///"))
            report = build_sqlite(path, size, now, seed)
            return report, given_url
        path = workdir / f"bench-{size.label}.db"
        report = build_sqlite(path, size, now, seed)
        return report, f"sqlite:///{path}"
    if given_url and size.label == "full":
        libpq_url = "postgresql://" + given_url.split("://", 1)[1]
        name = libpq_url.rsplit("/", 1)[1]
        report = build_postgresql(ADMIN_URL, name, libpq_url, size, now, seed, create=False)
        return report, sqlalchemy_url(libpq_url)
    name = f"{RUN_ID}_{size.label}"
    libpq_url = f"{BENCH_SERVER}/{name}"
    if created is not None:
        created.append(name)
    report = build_postgresql(ADMIN_URL, name, libpq_url, size, now, seed)
    return report, sqlalchemy_url(libpq_url)


def engine_for(url: str) -> Engine:
    """The engine the app builds from its config (pool and pre-ping settings included)."""
    with bench_app(url).app_context():
        return db.engine


def run_database(database: str, sizes: list[HistorySize], args: argparse.Namespace) -> dict:
    out: dict[str, Any] = {"builds": [], "service": [], "reasons": {}, "explain": [], "http": None}
    workdir = Path(tempfile.mkdtemp(prefix="study-loop-"))
    created: list[str] = []
    try:
        return _run_database(database, sizes, args, out, workdir, created)
    finally:
        for name in created:  # the databases made by this run, and only those
            drop_database(ADMIN_URL, name)
        shutil.rmtree(workdir, ignore_errors=True)  # the SQLite files


def _run_database(
    database: str,
    sizes: list[HistorySize],
    args: argparse.Namespace,
    out: dict[str, Any],
    workdir: Path,
    created: list[str],
) -> dict:
    urls = {}
    for size in sizes:
        print(f"\n== {database}, {size.label}: {size.students} students, "
              f"{size.card_rows:,} cards, {size.logs:,} logs")  # fmt: skip
        report: BuildReport
        report, urls[size.label] = build(
            database,
            size,
            workdir,
            datetime.now(UTC),
            args.seed,
            given_url=args.database_url if database == args.database_kind else None,
            created=created,
        )
        out["builds"].append(asdict(report))
        print(f"  built in {report.seconds:.1f} s: "
              + ", ".join(f"{name} {rows:,}" for name, rows in report.rows.items()))  # fmt: skip
    engines = {size.label: engine_for(urls[size.label]) for size in sizes}
    print(f"\n== {database}: service layer, {args.samples} samples per data set, alternating")
    figures, out["reasons"] = time_service(
        [(size, engines[size.label]) for size in sizes],
        database,
        samples=args.samples,
        warmup=args.warmup,
        max_seconds=args.max_service_seconds,
        seed=args.seed,
    )
    out["service"] = [asdict(figure) for figure in figures]
    for figure in figures:
        print(f"  {figure.operation:<12} {figure.size:<6} median {figure.median_ms:6.2f} ms   "
              f"p99 {figure.p99_ms:6.2f} ms   (commit: median {figure.commit_median_ms:.2f}"
              f" p99 {figure.commit_p99_ms:.2f}; CPU: median {figure.cpu_median_ms:.2f} p99 "
              f"{figure.cpu_p99_ms:.2f}; {figure.samples} samples; "
              f"load {figure.load_average:.1f})")  # fmt: skip
    print(f"  next card came from: {out['reasons']}")
    missed = any(figure.p99_ms > P99_TARGET_MS for figure in figures)
    largest = sizes[-1]
    engine = engines[largest.label]
    out["explain"] = diagnose("EXPLAIN", lambda: explain_study(engine, database, largest.students))
    if args.profile or missed:
        out["breakdown"] = diagnose(
            "statement breakdown",
            lambda: statement_breakdown(
                engine, largest.students, args.profile_samples, args.seed + 1
            ),
        )
        out["profile"] = diagnose(
            "cProfile",
            lambda: profile_service(engine, largest.students, args.profile_samples, args.seed + 2),
        )
    for each in engines.values():
        each.dispose()
    if args.http:
        print(f"  HTTP on the {largest.label} data set: gunicorn -w {args.workers}, "
              f"{args.clients} client processes, {args.http_seconds:.0f} s each for /healthz "
              "and the answer flow")  # fmt: skip
        out["http"] = run_http(
            urls[largest.label],
            largest.students,
            logins=args.logins,
            clients=args.clients,
            workers=args.workers,
            duration=args.http_seconds,
            warmup=args.http_warmup,
            seed=args.seed,
        )
        http = out["http"]
        print(f"  /healthz {http['healthz']['per_second']:.1f}/s, answers "
              f"{http['answer']['per_second']:.1f}/s: {http['ratio']:.1%}; server CPU per "
              f"request: /healthz {http['healthz_cpu_ms_per_request']:.2f} ms, answer "
              f"{http['answer_cpu_ms_per_request']:.2f} ms")  # fmt: skip
        print(f"  memory per worker over about {http['answer_requests']} requests: "
              f"{http['worker_rss_mib_before']} MiB before, "
              f"{http['worker_rss_mib_after']} MiB after (target <= {WORKER_MIB_TARGET} MiB, "
              "flat)")  # fmt: skip
        finished = http["answer"]["finished_students"]
        if finished:  # a student with nothing left to study answers no more
            print(f"  students out of cards before the end: {finished} of "
                  f"{http['students_logged_in']} (more with --logins)")  # fmt: skip
        if args.profile or http["ratio"] < HTTP_TARGET:
            out["request_profile"] = diagnose(
                "request profile",
                lambda: profile_requests(
                    urls[largest.label], largest.students, args.profile_requests, args.seed + 3
                ),
            )
    return out


# -- the report --------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def final_table(results: dict[str, Any]) -> str:
    lines = []
    header = (f"{'operation':<12} {'database':<11} {'data':<6} {'students':>8} "
              f"{'median ms':>10} {'p99 ms':>8} {'commit p99':>10} {'CPU p99':>8}"
              "  target")  # fmt: skip
    lines += ["", "Service layer (each call its own transaction, timed to commit)", header,
              "-" * len(header)]  # fmt: skip
    loads = []
    for database, out in results["databases"].items():
        for figure in out["service"]:
            loads.append(figure["load_average"])
            ok = figure["p99_ms"] <= P99_TARGET_MS
            lines.append(
                f"{figure['operation']:<12} {database:<11} {figure['size']:<6} "
                f"{figure['students']:>8} {figure['median_ms']:>10.2f} {figure['p99_ms']:>8.2f}"
                f" {figure['commit_p99_ms']:>10.2f} {figure['cpu_p99_ms']:>8.2f}"
                f"  p99 <= {P99_TARGET_MS:.0f} ms: {_mark(ok)}"
            )
    if loads:
        lines.append(
            f"(machine load average at the end of the samples: {min(loads):.1f} to "
            f"{max(loads):.1f} on {os.cpu_count()} cores)"
        )
    scaling = results.get("scaling") or []
    if scaling:
        lines += ["", "Full vs small data set (the next card must not depend on other students)"]
        for row in scaling:
            lines.append(
                f"{row['operation']:<12} {row['database']:<11} median x{row['median_ratio']:.2f}"
                f"  p99 x{row['p99_ratio']:.2f}  target median <= x{SCALING_TARGET}: "
                f"{_mark(row['median_ratio'] <= SCALING_TARGET)}"
            )
    for database, out in results["databases"].items():
        http = out.get("http")
        if not http:
            continue
        h, a = http["healthz"], http["answer"]
        lines += [
            "",
            f"HTTP on {database} ({http['workers']} gunicorn workers, {http['clients']} clients, "
            f"{http['students_logged_in']} students, {a['seconds']:.0f} s each)",
            f"GET /healthz   {h['per_second']:8.1f} req/s  median {h['latency_median_ms']:.1f} ms"
            f"  p99 {h['latency_p99_ms']:.1f} ms  errors {h['errors']}",
            f"answer flow    {a['per_second']:8.1f} answers/s ({a['requests_per_second']:.1f} "
            f"req/s)  median {a['latency_median_ms']:.1f} ms  p99 {a['latency_p99_ms']:.1f} ms"
            f"  errors {a['errors']}",
            "  per step (median ms): "
            + ", ".join(f"{name} {ms:.1f}" for name, ms in a["step_median_ms"].items()),
            f"answers/s vs /healthz req/s: {http['ratio']:.1%}  target >= {HTTP_TARGET:.0%}: "
            f"{_mark(http['ratio'] >= HTTP_TARGET)}",
            f"  (study requests/s vs /healthz req/s: "
            f"{a['requests_per_second'] / (h['per_second'] or math.nan):.0%}; an answer takes "
            f"{len(a['step_median_ms'])} requests)",
        ]
    builds = [build for out in results["databases"].values() for build in out["builds"]]
    lines += ["", "Builds: " + ", ".join(
        f"{b['database']} {b['size']} {b['seconds']:.1f} s" for b in builds)]  # fmt: skip
    return "\n".join(lines)


def scaling_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for database, out in results["databases"].items():
        by_key = {(f["operation"], f["size"]): f for f in out["service"]}
        for operation in OPERATIONS:
            small, full = by_key.get((operation, "small")), by_key.get((operation, "full"))
            if small and full:
                rows.append(
                    {
                        "operation": operation,
                        "database": database,
                        "median_ratio": full["median_ms"] / small["median_ms"],
                        "p99_ratio": full["p99_ms"] / small["p99_ms"],
                    }
                )
    return rows


def print_details(results: dict[str, Any]) -> None:
    for database, out in results["databases"].items():
        if out["explain"]:
            print(f"\n== Plans on {database} (full data set)")
        for item in out["explain"] or []:
            print(f"-- {item['call']}, {item['ms']} ms: {item['statement'][:400]}")
            for line in item["plan"]:
                print(f"     {line}")
        if out.get("breakdown"):
            print(f"\n== Database time per statement on {database}, full (per study_once)")
            for row in out["breakdown"][:12]:
                median = "" if row["median_ms"] is None else f"median {row['median_ms']:.3f}"
                print(f"  {row['per_call_ms']:7.3f} ms  x{row['count']:<5} {median:<13} "
                      f"{row['statement']}")  # fmt: skip
        if out.get("profile"):
            print(f"\n== cProfile of next_card + answer_card on {database}\n{out['profile']}")
        request_profile = out.get("request_profile")
        if request_profile:
            print(f"\n== In-process request cost on {database} (Flask test client)")
            print(f"  median ms: {request_profile['per_request_median_ms']}")
            print(f"  SQL statements per request: {request_profile['statements_per_request']}")
            print("  the statements of one GET /study/:")
            for statement in request_profile["study_page_statements"]:
                print(f"    {statement}")
            print(request_profile["profile"])


# -- command line ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--cards", type=int, default=200, help="per student (one bank)")
    parser.add_argument("--logs", type=int, default=2_000_000, help="in all")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies students and logs")
    parser.add_argument("--small", action="store_true", help="only the 10x smaller data set")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--max-service-seconds", type=float, default=180.0)
    parser.add_argument("--http", action="store_true", help="also run the HTTP part")
    parser.add_argument("--http-seconds", type=float, default=20.0)
    parser.add_argument("--http-warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="client processes")
    parser.add_argument("--logins", type=int, default=400, help="students studying over HTTP")
    parser.add_argument("--profile", action="store_true", help="profile even if targets are met")
    parser.add_argument("--profile-samples", type=int, default=300)
    parser.add_argument("--profile-requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="an empty database for the full data set (never dropped); default: a database "
        "of the run's own, created and dropped",
    )
    args = parser.parse_args(argv)
    if args.students < 10 or args.cards < 1 or args.logs < 0 or args.scale <= 0:
        parser.error("need at least 10 students, 1 card and a positive scale")
    url = args.database_url or ""
    args.database_kind = "postgresql" if url.startswith("postgresql") else "sqlite" if url else None
    return args


def sizes_for(args: argparse.Namespace) -> list[HistorySize]:
    students = round(args.students * args.scale)
    logs = round(args.logs * args.scale)
    small = HistorySize("small", max(1, students // 10), args.cards, logs // 10)
    full = HistorySize("full", students, args.cards, logs)
    return [small] if args.small else [small, full]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "arguments": vars(args),
        "targets": {
            "service_p99_ms": P99_TARGET_MS,
            "full_vs_small_median": SCALING_TARGET,
            "http_answer_share_of_healthz": HTTP_TARGET,
        },
        "databases": {},
    }
    for database in databases:
        results["databases"][database] = run_database(database, sizes_for(args), args)
    results["scaling"] = scaling_rows(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    print_details(results)
    print(final_table(results))
    print(f"\nTotal run time {results['seconds']:.0f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    print(f"Results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
