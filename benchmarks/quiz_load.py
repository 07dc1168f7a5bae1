"""A class starts a quiz together: 500 students within 10 s, then 16 answers each.

    python -m benchmarks.quiz_load --admin-url postgresql://postgres@127.0.0.1:5432/postgres

Builds a new PostgreSQL database (`--database`, default a unique `bench_quizzes_…` name,
refused if it exists; dropped at the end unless `--keep`): one class of
`--students` students, a bank of true/false and multiple-choice questions and two
published quizzes that draw `--questions` questions at random per student. Serves the app
with gunicorn (`--workers`, default 4, sync workers, `benchmarks.wsgi:app`), signs every
student in (a sign-in row and its session cookie: password checks are not the load),
then runs two phases, one per quiz:

1. think time of 30–90 s between answers, divided by `--compression` (default 3: 10–30 s,
   so 500 students send about 25 answers a second; 10 gives 3–9 s and about 80);
2. no think time: each student answers as fast as the server allows.

In each phase every student starts at a random moment within `--start-window` seconds,
then answers each question and at the end submits. As a browser running the page's
script, each POST carries inline=y and its response is the next question's page: the
start (`POST /quizzes/<id>/start`, which draws and snapshots the questions) returns the
first question, each answer (the `sequence` of the item is in the form) the next one, and
the last answer a 302 to the submit page. `--without-script` posts as a browser without
script: each POST a 302, then a GET of the page. Clients are `--clients` processes, one
thread per student, using only `http.client`. Reported per phase: start p50/p99, answer
p50/p99 (the POST, its page included), page p50/p99 (the GETs, without script only),
errors, and answers sent (accepted) against answers stored (`quiz_items.answered_at`):
none may be lost; requests and answers per second, and the server's CPU per request
(gunicorn's processes, from /proc). Targets: in both phases no errors and none lost;
with think time, start p99 < 1 s and answer p99 < 300 ms (without it, latency is
queueing by design).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from werkzeug.security import generate_password_hash

from benchmarks.http_load import (
    Browser,
    FlowError,
    _free_port,
    _percentile,
    _server_cpu_seconds,
    _wait_until_up,
)

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"  # noqa: S105 - every benchmark student logs in with it
SEQUENCE = re.compile(r'name="sequence" value="(\d+)"')
CHOICE = re.compile(r'name="choice"\s+id="opt-\d+" value="(\d+)"')
TAKE = re.compile(r"/quizzes/attempts/(\d+)/(\d+)$")


def build(admin_url: str, name: str, students: int, questions: int) -> dict[str, Any]:
    """A new database `name` (refused if it exists: nothing is dropped that this run did
    not create) with the schema, the class, the bank and two quizzes."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            raise SystemExit(f"database {name!r} exists: name a new one with --database")
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    sa_url = "postgresql+psycopg://" + url.split("://", 1)[1]
    from app.extensions import db
    from app.models import (
        ClassMember,
        Question,
        QuestionBank,
        Quiz,
        QuizSlot,
        SchoolClass,
        User,
        UserSession,
    )
    from benchmarks.bench_app import bench_app

    app = bench_app(sa_url)
    with app.app_context():
        db.create_all()
        password_hash = generate_password_hash(PASSWORD)  # one hash: scrypt is slow on purpose
        teacher = User(
            email="teacher@bench.example",
            display_name="Teacher",
            password_hash=password_hash,
            role="teacher",
        )
        db.session.add(teacher)
        db.session.flush()
        klass = SchoolClass(owner_id=teacher.id, name="Bench class", join_code="BENCH01")
        db.session.add(klass)
        db.session.flush()
        users = [
            User(
                email=f"quiz{n}@bench.example",
                display_name=f"Student {n}",
                password_hash=password_hash,
                role="student",
            )
            for n in range(1, students + 1)
        ]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all(
            ClassMember(class_id=klass.id, user_id=user.id, role="student") for user in users
        )
        bank = QuestionBank(title="Bench quiz bank", description="")
        db.session.add(bank)
        db.session.flush()
        for n in range(questions * 3):
            if n % 2:
                kind = "multiple_choice"
                content = {
                    "prompt": f"Question {n}?",
                    "options": [
                        {"text": "Right", "correct": True},
                        {"text": "Wrong"},
                        {"text": "Also wrong"},
                    ],
                }
            else:
                kind, content = "true_false", {"prompt": f"Claim {n}.", "answer": n % 4 == 0}
            db.session.add(
                Question(bank_id=bank.id, kind=kind, external_id=f"b{n}", content=content)
            )
        quiz_ids = []
        for title in ("With think time", "As fast as possible"):
            quiz = Quiz(
                class_id=klass.id,
                title=title,
                published=True,
                time_limit_seconds=3600,
                shuffle_questions=True,
            )
            quiz.slots.append(QuizSlot(position=1, bank_id=bank.id, count=questions))
            db.session.add(quiz)
            db.session.flush()
            quiz_ids.append(quiz.id)
        # Signed in already: 500 password checks (scrypt, slow on purpose) are not the
        # quiz's load. Each student gets a sign-in row and the session cookie naming it.
        tokens = [secrets.token_urlsafe(32) for _ in users]
        db.session.add_all(
            UserSession(user_id=user.id, token=token)
            for user, token in zip(users, tokens, strict=True)
        )
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        name = app.config["SESSION_COOKIE_NAME"]
        cookies = [
            {name: serializer.dumps({"_user_id": token, "_fresh": True})} for token in tokens
        ]
        db.engine.dispose()
    return {"url": url, "sa_url": sa_url, "quiz_ids": quiz_ids, "cookies": cookies}


PAGE_URL = re.compile(r'data-page-url="([^"]+)"')


def _answer_form(page: str, where: str, rng: random.Random, inline: bool) -> dict[str, str]:
    sequence = SEQUENCE.search(page)
    if sequence is None:
        raise FlowError(f"{where}: no answer form")
    form = {"sequence": sequence.group(1), "go": "next"}
    choice = CHOICE.search(page)
    if choice is not None:
        form["choice"] = choice.group(1)
    else:
        form["answer"] = rng.choice(("true", "false"))
    if inline:
        form["inline"] = "y"
    return form


def take_quiz(
    port: int,
    cookies: dict[str, str],
    quiz_id: int,
    start_at: float,
    think: tuple[float, float],
    rng: random.Random,
    out: dict[str, list],
    inline: bool = True,
) -> None:
    """One student's attempt. `inline`: as a browser running the page's script, each
    POST (the start, each answer) gets the next question's page in its response; else as
    without script, a 302 and a GET of the page."""
    browser = Browser(port, cookies)
    try:
        time.sleep(max(0.0, start_at - time.time()))
        began = time.perf_counter()
        status, location, page = browser.request(
            "POST", f"/quizzes/{quiz_id}/start", {"inline": "y"} if inline else {}
        )
        out["start"].append(time.perf_counter() - began)
        if inline:
            found = PAGE_URL.search(page) if status == 200 else None
            if found is None:
                raise FlowError(f"start: HTTP {status} with no question page")
            path = found.group(1)
        else:
            match = TAKE.search(location)
            if status != 302 or match is None:
                raise FlowError(f"start: HTTP {status} to {location!r}")
            path = location[location.index("/quizzes/") :]
            page = None
        while True:
            if page is None:
                began = time.perf_counter()
                status, _, page = browser.request("GET", path)
                out["page"].append(time.perf_counter() - began)
                if status != 200:
                    raise FlowError(f"GET {path}: HTTP {status}")
            form = _answer_form(page, path, rng, inline)
            if think[1] > 0:
                time.sleep(rng.uniform(*think))
            began = time.perf_counter()
            status, location, page = browser.request("POST", path, form)
            out["answer"].append(time.perf_counter() - began)
            if status == 200 and inline:
                found = PAGE_URL.search(page)
                if found is None or found.group(1) == path:
                    raise FlowError(f"POST {path}: HTTP 200 without the next question")
                out["sent"].append(1)
                path = found.group(1)
                continue
            if status != 302 or location.endswith(path):
                raise FlowError(f"POST {path}: HTTP {status} to {location!r} (refused)")
            out["sent"].append(1)
            if location.endswith("/submit"):
                break
            path, page = location[location.index("/quizzes/") :], None
        status, location, _ = browser.request("POST", path.rsplit("/", 1)[0] + "/submit", {})
        if status != 302 or not location.endswith("/review"):
            raise FlowError(f"submit: HTTP {status} to {location!r}")
        out["submitted"].append(1)
    except (OSError, FlowError) as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        browser.close()


def client_process(job: dict[str, Any], ready: Any, results: Any) -> None:
    port = job["port"]
    cookies = job["cookies"]
    ready.wait(timeout=600)
    for phase in job["phases"]:
        out: dict[str, list] = {
            key: [] for key in ("start", "page", "answer", "sent", "errors", "submitted")
        }
        rng = random.Random(job["seed"] + phase["quiz_id"])
        # Every client leaves the barrier at the same moment: the window starts then.
        begin = time.time() + 1.0
        threads = [
            threading.Thread(
                target=take_quiz,
                args=(
                    port,
                    student_cookies,
                    phase["quiz_id"],
                    begin + rng.uniform(0, phase["window"]),
                    phase["think"],
                    random.Random(rng.random()),
                    out,
                    job["inline"],
                ),
            )
            for student_cookies in cookies
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results.put({"quiz_id": phase["quiz_id"], **out})
        ready.wait(timeout=600)


def stored_answers(url: str, quiz_id: int) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        answered, finished = conn.execute(
            "SELECT (SELECT count(*) FROM quiz_items i JOIN quiz_attempts a ON a.id = i.attempt_id"
            "        WHERE a.quiz_id = %s AND i.answered_at IS NOT NULL),"
            "       (SELECT count(*) FROM quiz_attempts WHERE quiz_id = %s AND state = 'finished')",
            (quiz_id, quiz_id),
        ).fetchone()
    return answered, finished


def ms(values: list[float], fraction: float) -> float | None:
    """A percentile in ms; None when there is nothing (no page GETs with script)."""
    return round(_percentile(values, fraction) * 1000, 1) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--database", default=None, help="a new database to build (default: a unique name)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--questions", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--start-window", type=float, default=10.0)
    parser.add_argument("--compression", type=float, default=3.0)
    parser.add_argument(
        "--without-script",
        action="store_true",
        help="post as a browser without script does: each answer a 302 and a GET",
    )
    args = parser.parse_args(argv)

    name = args.database or f"bench_quizzes_{secrets.token_hex(5)}"
    built = build(args.admin_url, name, args.students, args.questions)
    try:
        return _run(args, built)
    finally:
        if not args.keep:  # the database built above, and only that one
            with psycopg.connect(args.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: argparse.Namespace, built: dict[str, Any]) -> int:
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "BENCH_DATABASE_URL": built["sa_url"]}
    log = tempfile.NamedTemporaryFile("w+", prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [str(gunicorn), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "benchmarks.wsgi:app"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    report: dict[str, Any] = {
        "students": args.students,
        "questions": args.questions,
        "workers": args.workers,
        "clients": args.clients,
        "requests_per_answer": 2 if args.without_script else 1,
        "phases": [],
    }
    try:
        _wait_until_up(port, server, 60)
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        ready = context.Barrier(args.clients + 1)
        every = built["cookies"]
        thinks = [(30.0 / args.compression, 90.0 / args.compression), (0.0, 0.0)]
        phases = [
            {"quiz_id": quiz_id, "window": args.start_window, "think": think}
            for quiz_id, think in zip(built["quiz_ids"], thinks, strict=True)
        ]
        jobs = [
            {
                "port": port,
                "cookies": every[n :: args.clients],
                "seed": n * 7919,
                "phases": phases,
                "inline": not args.without_script,
            }
            for n in range(args.clients)
        ]
        processes = [
            context.Process(target=client_process, args=(job, ready, results)) for job in jobs
        ]
        for process in processes:
            process.start()
        ready.wait(timeout=600)  # every client is ready
        for phase in phases:
            phase_started = time.time()
            cpu_before = _server_cpu_seconds(server.pid)
            reports = [results.get(timeout=3600) for _ in processes]
            seconds = time.time() - phase_started
            server_cpu = _server_cpu_seconds(server.pid) - cpu_before
            requests = sum(len(r["start"]) + len(r["page"]) + len(r["answer"]) for r in reports)
            merged = {
                key: [v for r in reports for v in r[key]] for key in reports[0] if key != "quiz_id"
            }
            answered, finished = stored_answers(built["url"], phase["quiz_id"])
            report["phases"].append(
                {
                    "think_ms": [round(t * 1000) for t in phase["think"]],
                    "seconds": round(seconds, 1),
                    "starts": len(merged["start"]),
                    "start_p50_ms": ms(merged["start"], 0.5),
                    "start_p99_ms": ms(merged["start"], 0.99),
                    "answer_p50_ms": ms(merged["answer"], 0.5),
                    "answer_p99_ms": ms(merged["answer"], 0.99),
                    "page_p50_ms": ms(merged["page"], 0.5),
                    "page_p99_ms": ms(merged["page"], 0.99),
                    "requests_per_s": round(requests / seconds, 1),
                    "answers_per_s": round(len(merged["answer"]) / seconds, 1),
                    "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, requests), 2),
                    "errors": len(merged["errors"]),
                    "first_errors": merged["errors"][:5],
                    "answers_sent": len(merged["sent"]),
                    "answers_stored": answered,
                    "answers_lost": len(merged["sent"]) - answered,
                    "submitted": len(merged["submitted"]),
                    "finished_in_db": finished,
                }
            )
            ready.wait(timeout=600)  # the next phase starts
        for process in processes:
            process.join(timeout=30)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()
    logged = Path(log.name).read_text(errors="replace")
    Path(log.name).unlink(missing_ok=True)
    report["server_tracebacks"] = logged.count("Traceback")
    if report["server_tracebacks"]:
        report["server_log_tail"] = logged[-2000:]
    print(json.dumps(report, indent=2))
    # The latency targets are for the class as it works, with think time; the second run
    # has no think time, so its latency is queueing by design: it must lose nothing.
    paced = report["phases"][0]
    targets = (
        all(p["errors"] == 0 and p["answers_lost"] == 0 for p in report["phases"])
        and paced["start_p99_ms"] < 1000
        and paced["answer_p99_ms"] < 300
    )
    print("targets met" if targets else "targets missed")
    return 0 if targets else 1


if __name__ == "__main__":
    raise SystemExit(main())
