"""Background jobs: work that must not run inside a web request (the optimizer, large imports).

A job is a row in `jobs` (state queued → running → done | failed, progress 0..1, a message,
a JSON result), so any web worker can show any job. `enqueue(kind, user_id=..., **params)`
writes the row and hands the job to a runner:

- RQ on Redis when `JOB_QUEUE_URL` is set: `rq worker` processes (see the README) run it;
- otherwise a background thread of the server process, with its own app context and
  database session (the embedded default, nothing else to start).

A job function is plain code: `func(session, params, progress, now) -> dict`. It reads and
flushes through `session`, reports with `progress(fraction, message)`, returns a JSON-safe
result and never commits: the runner commits its work and the "done" state together, or
rolls the work back and records "failed" with a message. While a job runs, the runner beats
a heartbeat into its row; a job whose heartbeat is stale (the process died) or whose RQ job
is gone is marked failed when it is read, never left "running" for ever.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from flask import Flask, current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .clock import now as clock_now
from .errors import DomainError, Invalid, NotFound
from .extensions import db
from .models import Job

log = logging.getLogger(__name__)

Progress = Callable[..., None]
JobFunction = Callable[[Session, dict[str, Any], Progress, datetime], dict[str, Any] | None]

# Job kinds and the function that does each, imported when a job of that kind runs (so a
# worker imports only what it needs). `register_job` adds more.
JOB_FUNCTIONS: dict[str, str] = {
    "ping": "app.jobs:ping_job",
    "optimize": "app.scheduling.optimizer:optimize_job",
    "optimal_retention": "app.scheduling.optimizer:optimal_retention_job",
    "draft_document": "app.sources.library:draft_questions_job",
    "quizzes_finish_overdue": "app.attempts.quizzes:finish_overdue_job",
}
_registered: dict[str, JobFunction] = {}

LOST_MESSAGE = "Lost: the worker stopped before the job finished. Start it again."
QUEUE_DOWN_MESSAGE = (
    "The job queue cannot be reached right now, so the job did not start. Try again later."
)

_threads: dict[str, threading.Thread] = {}


class JobNotFound(NotFound):
    """No such job, or not the caller's."""


def ping_job(
    session: Session, params: dict[str, Any], progress: Progress, now: datetime
) -> dict[str, Any]:
    """A job that does nothing but finish: shows that a worker picks up and runs jobs."""
    progress(1.0, "Running.")
    return {"message": "A worker ran this job.", "ran_at": now.isoformat()}


def register_job(kind: str, func: JobFunction) -> None:
    """Make `kind` runnable by `func` (in this process; RQ workers import JOB_FUNCTIONS)."""
    _registered[kind] = func


def job_function(kind: str) -> JobFunction:
    if kind in _registered:
        return _registered[kind]
    try:
        module_name, _, name = JOB_FUNCTIONS[kind].partition(":")
    except KeyError:
        raise Invalid(f"There is no job of kind {kind!r}.") from None
    return getattr(importlib.import_module(module_name), name)


def _setting(name: str, default: Any) -> Any:
    value = current_app.config.get(name)
    return default if value is None else value


# Enqueueing ------------------------------------------------------------------------------


def enqueue(
    kind: str,
    *,
    user_id: int | None = None,
    on_record: Callable[[Job], None] | None = None,
    **params: Any,
) -> Job:
    """Record a job and start it. Commits the current session (a runner must see the row).

    `on_record(job)` runs before that commit, so a row that points at the job (an import's)
    is written with it, before the job can start.
    """
    job_function(kind)  # an unknown kind is refused before anything is written
    url = current_app.config.get("JOB_QUEUE_URL")
    job = Job(
        id=uuid4().hex,
        kind=kind,
        user_id=user_id,
        state="queued",
        backend="rq" if url else "thread",
        progress=0.0,
        message="Waiting to start.",
        params=params,
        created_at=clock_now(),
    )
    db.session.add(job)
    if on_record is not None:
        on_record(job)
    db.session.commit()
    if url:
        try:
            _rq_queue().enqueue(
                "app.jobs.run_rq_job",
                job.id,
                job_id=job.id,
                job_timeout=int(_setting("JOB_TIMEOUT_SECONDS", 3600)),
                result_ttl=3600,
                failure_ttl=86400,
            )
        except Exception:  # Redis down or refusing: say so, never a 500
            log.exception("could not enqueue job %s on %s", job.id, url)
            _finish(db.session, job.id, "failed", QUEUE_DOWN_MESSAGE, clock_now())
            db.session.commit()
            db.session.refresh(job)
    else:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        thread = threading.Thread(
            target=_run_in_thread, args=(app, job.id), name=f"job-{job.id}", daemon=True
        )
        _threads[job.id] = thread
        thread.start()
    return job


def _rq_queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["JOB_QUEUE_URL"], socket_connect_timeout=5)
    return Queue(_setting("JOB_QUEUE_NAME", "recall"), connection=connection)


def _run_in_thread(app: Flask, job_id: str) -> None:
    try:
        with app.app_context():
            run_job(job_id)
    finally:
        _threads.pop(job_id, None)


def wait_for_threads(timeout: float = 30.0) -> bool:
    """Wait for the jobs running in threads of this process; whether all finished."""
    for thread in list(_threads.values()):
        thread.join(timeout)
    return not any(thread.is_alive() for thread in list(_threads.values()))


_worker_app: Flask | None = None


def run_rq_job(job_id: str) -> None:
    """What an RQ worker runs: the job, inside an app built from the worker's environment."""
    global _worker_app
    if has_app_context():
        run_job(job_id)
        return
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        run_job(job_id)


# Running ---------------------------------------------------------------------------------


def run_job(job_id: str) -> None:
    """Claim a queued job, run its function, record done or failed. Needs an app context."""
    engine = db.engine
    started = clock_now()
    with Session(engine) as control:
        claimed = control.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "queued")
            .values(state="running", started_at=started, heartbeat_at=started, message="Running.")
        ).rowcount
        control.commit()
        if not claimed:  # already run, or marked lost meanwhile
            return
        job = control.get(Job, job_id)
        assert job is not None
        kind, user_id, params = job.kind, job.user_id, dict(job.params or {})

    beat = _Heartbeat(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    beat.start()
    try:
        with Session(engine) as work:
            try:
                func = job_function(kind)
                result = func(work, {**params, "user_id": user_id}, beat.progress, started)
                result = result or {}
                finished = clock_now()
                work.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(
                        state="done",
                        progress=1.0,
                        message=str(result.get("message", "Done."))[:500],
                        result=result,
                        finished_at=finished,
                        heartbeat_at=finished,
                    )
                )
                work.commit()
            except Exception as exc:
                work.rollback()
                if not isinstance(exc, DomainError):
                    log.exception("job %s (%s) failed", job_id, kind)
                with Session(engine) as record:
                    _finish(record, job_id, "failed", failure_message(exc), clock_now())
                    record.commit()
    finally:
        beat.stop()


def failure_message(exc: BaseException) -> str:
    """What the student reads: the refusal itself, or a plain note for an unexpected error."""
    if isinstance(exc, DomainError):
        return exc.message[:500]
    return (
        f"The job stopped with an unexpected error ({type(exc).__name__}). Try again; if it "
        "keeps failing, tell an administrator."
    )


def _finish(session: Session, job_id: str, state: str, message: str, now: datetime) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=state, message=message[:500], finished_at=now)
    )


class _Heartbeat:
    """Beats `heartbeat_at` every JOB_HEARTBEAT_SECONDS and writes progress, in its own session.

    A write that cannot get the database (SQLite has one writer) is skipped, not fatal.
    """

    def __init__(self, app: Flask, job_id: str) -> None:
        self.app = app
        self.job_id = job_id
        self.interval = float(app.config.get("JOB_HEARTBEAT_SECONDS") or 10)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"beat-{job_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(self.interval):
                self._write({})

    def progress(self, fraction: float, message: str | None = None) -> None:
        values: dict[str, Any] = {"progress": min(max(float(fraction), 0.0), 1.0)}
        if message is not None:
            values["message"] = str(message)[:500]
        with self.app.app_context():
            self._write(values)

    def _write(self, values: dict[str, Any]) -> None:
        try:
            with Session(db.engine) as session:
                session.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.state == "running")
                    .values(heartbeat_at=clock_now(), **values)
                )
                session.commit()
        except SQLAlchemyError:
            log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)


# Reading ---------------------------------------------------------------------------------


def get_job(session: Session, job_id: str, now: datetime, *, user_id: int | None = None) -> Job:
    """The job (only the user's own when `user_id` is given), marked failed if lost. Flushes."""
    job = session.get(Job, job_id)
    if job is None or (user_id is not None and job.user_id != user_id):
        raise JobNotFound("There is no such job.")
    return check_lost(session, job, now)


def latest_job(session: Session, user_id: int, kind: str, now: datetime) -> Job | None:
    """The user's most recent job of this kind, marked failed if lost. Flushes."""
    job = session.scalars(
        select(Job)
        .where(Job.user_id == user_id, Job.kind == kind)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    ).first()
    return check_lost(session, job, now) if job is not None else None


def check_lost(session: Session, job: Job, now: datetime) -> Job:
    """Mark a job failed if its runner is gone: a stale heartbeat, a thread that never
    started, or an RQ job Redis no longer knows. Flushes; the caller commits."""
    if job.finished:
        return job
    stale = timedelta(seconds=float(_setting("JOB_STALE_SECONDS", 120)))
    if job.state == "running":
        beat = job.heartbeat_at or job.started_at or job.created_at
        lost = now - beat > stale
    else:  # queued: a thread starts at once; an RQ job may wait for a free worker
        lost = job.backend == "thread" and now - job.created_at > stale
    if not lost and job.backend == "rq":
        lost = _rq_job_gone(job.id)
    if lost:
        marked = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.state == job.state)
            .values(state="failed", message=LOST_MESSAGE, finished_at=now)
        ).rowcount
        session.flush()
        if marked:
            session.refresh(job)
    return job


def _rq_job_gone(job_id: str) -> bool:
    """Whether RQ has lost the job (expired, or failed outside the runner). Unknown: False."""
    if not current_app.config.get("JOB_QUEUE_URL"):
        return False
    try:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RqJob

        queue = _rq_queue()
        try:
            rq_job = RqJob.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            return True
        status = rq_job.get_status(refresh=True)
    except Exception:  # Redis unreachable: cannot tell, so the heartbeat decides
        log.warning("could not ask RQ about job %s", job_id, exc_info=True)
        return False
    return str(getattr(status, "value", status)) in {"failed", "stopped", "canceled"}


def job_status(job: Job) -> dict[str, Any]:
    """The JSON the status page polls."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": round(job.progress or 0.0, 4),
        "message": job.message,
        "result": job.result if job.state == "done" else None,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
