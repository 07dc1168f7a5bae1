"""The HTTP part: gunicorn with 4 workers, client processes, answers/s against /healthz.

Clients use only the standard library (http.client); each client process studies as its
own students, so no two clients ever answer the same card.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.history import PASSWORD

REPO = Path(__file__).resolve().parent.parent
REVEAL = re.compile(r'name="reveal" value="(\d+)"')
ANSWER_ACTION = re.compile(r'action="/study/cards/(\d+)/answer"')
VERSION = re.compile(r'name="version" value="(\d+)"')
SHOWN_AT = re.compile(r'name="shown_at" value="(\d+)"')
RATINGS = (1, 2, 3, 4)
RATING_WEIGHTS = (0.10, 0.10, 0.70, 0.10)
REQUEST_TIMEOUT = 30.0
# The flow's steps, for per-request latencies.
# GET /study/ only before a student's first answer; the reveal needs no request now.
STEPS = ("GET /study/", "GET /study/?reveal=", "POST answer")


class FlowError(RuntimeError):
    """A response the study flow did not expect (status and path in the message)."""


@dataclass
class HttpFigures:
    name: str
    seconds: float
    completed: int
    per_second: float
    errors: int
    latency_median_ms: float
    latency_p99_ms: float
    requests_per_second: float
    step_median_ms: dict[str, float] = field(default_factory=dict)
    finished_students: int = 0
    first_errors: list[str] = field(default_factory=list)


class Browser:
    """One student's cookies over a connection that reconnects after gunicorn closes it."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.cookies = dict(cookies or {})
        self.page: str | None = None  # the last study page, with the next card

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> tuple:
        headers = {"User-Agent": "study-loop-benchmark"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.getheader("Location", ""), text

    def close(self) -> None:
        self.connection.close()


def log_in(port: int, user_id: int) -> dict[str, str]:
    browser = Browser(port)
    form = {"email": f"student{user_id}@bench.example", "password": PASSWORD}
    status, location, _ = browser.request("POST", "/auth/login", form)
    browser.close()
    if status != 302 or "session" not in browser.cookies:
        raise FlowError(f"login of student {user_id}: HTTP {status} to {location!r}")
    return browser.cookies


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise FlowError(f"{what}: HTTP {status}")


def answer_one(browser: Browser, rng: random.Random, steps: list[list[float]]) -> int:
    """One answer as a browser with the page's script makes it: one request.

    The study page carries the card's back and rating form (the script reveals it without
    a request); the POST, with inline=y as the script sends it, answers with the next
    card's page. Only a student's first answer needs a GET /study/ before it. Returns
    the number of requests made, 0 when the student has nothing left to study now.
    """
    made = 0
    page = browser.page
    started = time.perf_counter()
    if page is None:
        status, _, page = browser.request("GET", "/study/")
        _expect(status, 200, "GET /study/")
        steps[0].append(time.perf_counter() - started)
        made += 1
    action, version = ANSWER_ACTION.search(page), VERSION.search(page)
    if action is None or version is None:
        browser.page = None
        return 0  # "no cards due" page
    shown_at = SHOWN_AT.search(page)
    form = {
        "rating": rng.choices(RATINGS, RATING_WEIGHTS)[0],
        "version": version.group(1),
        "shown_at": shown_at.group(1) if shown_at else "",
        "inline": "y",
    }
    answering_at = time.perf_counter()
    status, _, page = browser.request("POST", f"/study/cards/{action.group(1)}/answer", form)
    _expect(status, 200, "POST answer")
    browser.page = page
    steps[2].append(time.perf_counter() - answering_at)
    return made + 1


def client_process(
    job: dict[str, Any],
    ready: Any,  # multiprocessing.Barrier: every client starts at the same moment
    results: Any,  # multiprocessing.Queue
) -> None:
    """Run one client until the deadline; report completions inside the measured window."""
    rng = random.Random(job["seed"])
    port = job["port"]
    browsers = [Browser(port, cookies) for cookies in job.get("cookies", [])]
    finished: set[int] = set()
    latencies: list[float] = []
    steps: list[list[float]] = [[], [], []]
    completed = errors = requests = 0
    first_errors: list[str] = []
    plain = Browser(port)
    ready.wait(timeout=60)
    measure_from = time.time() + job["warmup"]
    end = measure_from + job["duration"]
    turn = 0
    while (now := time.time()) < end:
        began = time.perf_counter()
        try:
            if job["mode"] == "healthz":
                status, _, _ = plain.request("GET", "/healthz")
                _expect(status, 200, "GET /healthz")
                made, ok = 1, True
            else:
                if len(finished) == len(browsers):
                    break
                index = turn % len(browsers)
                turn += 1
                if index in finished:
                    continue
                made = answer_one(browsers[index], rng, steps)
                ok = made > 0
                if not ok:
                    finished.add(index)
        except (OSError, http.client.HTTPException, FlowError) as exc:
            errors += 1
            if len(first_errors) < 3:
                first_errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if ok and now >= measure_from and time.time() <= end:
            completed += 1
            requests += made
            latencies.append(time.perf_counter() - began)
    results.put(
        {
            "completed": completed,
            "requests": requests,
            "errors": errors,
            "latencies": latencies,
            "steps": steps,
            "finished": len(finished),
            "first_errors": first_errors,
        }
    )


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * fraction + 0.999999) - 1))]


def run_clients(
    port: int,
    mode: str,
    clients: int,
    duration: float,
    warmup: float,
    cookies: list[dict[str, str]] | None = None,
    seed: int = 1,
) -> HttpFigures:
    # Forked, not spawned: a spawned client would re-import the app before it could start.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    ready = context.Barrier(clients)
    jobs = []
    for number in range(clients):
        job: dict[str, Any] = {
            "mode": mode,
            "port": port,
            "seed": seed * 1000 + number,
            "warmup": warmup,
            "duration": duration,
        }
        if cookies is not None:
            job["cookies"] = cookies[number::clients]
        jobs.append(job)
    processes = [context.Process(target=client_process, args=(job, ready, results)) for job in jobs]
    for process in processes:
        process.start()
    deadline = time.time() + 60 + warmup + duration + REQUEST_TIMEOUT
    reports = [results.get(timeout=max(1.0, deadline - time.time())) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    latencies = [value for report in reports for value in report["latencies"]]
    steps = [[v for report in reports for v in report["steps"][i]] for i in range(3)]
    completed = sum(report["completed"] for report in reports)
    return HttpFigures(
        name="answer" if mode == "answer" else "healthz",
        seconds=duration,
        completed=completed,
        per_second=completed / duration,
        errors=sum(report["errors"] for report in reports),
        latency_median_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        latency_p99_ms=_percentile(latencies, 0.99) * 1000,
        requests_per_second=sum(report["requests"] for report in reports) / duration,
        step_median_ms={
            name: statistics.median(values) * 1000
            for name, values in zip(STEPS, steps, strict=True)
            if values and mode == "answer"
        },
        finished_students=sum(report["finished"] for report in reports),
        first_errors=[e for report in reports for e in report["first_errors"]][:5],
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            browser = Browser(port)
            status, _, _ = browser.request("GET", "/healthz")
            browser.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer /healthz within {seconds:.0f} s")


def _server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of gunicorn's master and workers so far, from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ... utime is field 14 and stime 15 of the line.
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _worker_rss_mib(pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MiB, from /proc."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sorted(sizes)


def _cpu_per_request_ms(cpu: float, figures: HttpFigures, warmup: float) -> float:
    """The server's CPU per request of the measured window (the warm-up's share removed)."""
    requests = figures.requests_per_second * figures.seconds
    share = figures.seconds / (figures.seconds + warmup)
    return cpu * share / requests * 1000 if requests else float("nan")


def run_http(
    database_url: str,
    students: int,
    *,
    logins: int,
    clients: int,
    workers: int,
    duration: float,
    warmup: float,
    seed: int,
) -> dict[str, Any]:
    """Start gunicorn on the database, measure /healthz, then the answer flow."""
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "BENCH_DATABASE_URL": database_url}
    log = tempfile.NamedTemporaryFile("w+", prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "benchmarks.wsgi:app"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(port, server, 60)
        cpu_before = _server_cpu_seconds(server.pid)
        healthz = run_clients(port, "healthz", clients, duration, warmup, seed=seed)
        healthz_cpu = _server_cpu_seconds(server.pid) - cpu_before
        chosen = random.Random(seed).sample(range(1, students + 1), min(logins, students))
        started = time.perf_counter()
        cookies = [log_in(port, user_id) for user_id in chosen]
        login_seconds = time.perf_counter() - started
        rss_before = _worker_rss_mib(server.pid)  # warm: /healthz and the sign-ins served
        cpu_before = _server_cpu_seconds(server.pid)
        answer = run_clients(port, "answer", clients, duration, warmup, cookies, seed=seed)
        answer_cpu = _server_cpu_seconds(server.pid) - cpu_before
        rss_after = _worker_rss_mib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()
    errors_logged = Path(log.name).read_text(errors="replace")
    Path(log.name).unlink(missing_ok=True)
    tracebacks = errors_logged.count("Traceback")
    return {
        "workers": workers,
        "clients": clients,
        "students_logged_in": len(chosen),
        "login_seconds": round(login_seconds, 2),
        "healthz": asdict(healthz),
        "answer": asdict(answer),
        "ratio": answer.per_second / healthz.per_second if healthz.per_second else float("nan"),
        # The server's CPU per request, beside the wall-clock rates: the machine is shared.
        "healthz_cpu_ms_per_request": _cpu_per_request_ms(healthz_cpu, healthz, warmup),
        "answer_cpu_ms_per_request": _cpu_per_request_ms(answer_cpu, answer, warmup),
        # Memory per worker before and after the answer flow's requests: it must stay flat.
        "answer_requests": round(answer.requests_per_second * (duration + warmup)),
        "worker_rss_mib_before": rss_before,
        "worker_rss_mib_after": rss_after,
        "server_tracebacks": tracebacks,
        "server_log_tail": errors_logged[-2000:] if tracebacks else "",
    }
