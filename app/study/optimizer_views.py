"""Personal parameters and optimal retention, run as background jobs.

The request never fits anything: it checks what can be refused at once, enqueues a job and
sends the student to its status page, which polls a small JSON endpoint (and has a refresh
link for browsers without JavaScript).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..clock import now as clock_now
from ..extensions import db
from ..jobs import JobNotFound, enqueue, get_job, job_status, latest_job
from ..models import Job
from ..scheduling import NotEnoughReviews, OptimizerUnavailable, optimizer_available
from ..scheduling.optimizer import check_can_optimize, optimal_retention_inputs
from .views import bp

JOB_TITLES = {
    "optimize": "Personal parameters",
    "optimal_retention": "Optimal retention",
}


def _active(kind: str) -> Job | None:
    job = latest_job(db.session, current_user.id, kind, clock_now())
    return job if job is not None and not job.finished else None


def _start(kind: str, **params: Any):
    running = _active(kind)
    if running is not None:
        db.session.commit()
        flash("That is already under way; here is how far it has got.", "info")
        return redirect(url_for("study.job_page", job_id=running.id))
    job = enqueue(kind, user_id=current_user.id, **params)
    return redirect(url_for("study.job_page", job_id=job.id))


@bp.post("/optimize")
@login_required
def optimize():
    try:
        check_can_optimize(db.session, current_user.id)
    except (OptimizerUnavailable, NotEnoughReviews) as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("study.settings"))
    return _start("optimize", reschedule=request.form.get("reschedule") == "y")


@bp.post("/optimal-retention")
@login_required
def optimal_retention():
    if not optimizer_available():
        flash("Optimal retention needs the optimizer, which is not installed here.", "warning")
        return redirect(url_for("study.settings"))
    inputs = optimal_retention_inputs(db.session, current_user.id)
    if not inputs.enough:
        flash(inputs.explanation(), "warning")
        return redirect(url_for("study.settings"))
    return _start("optimal_retention")


def _own_job(job_id: str) -> Job:
    try:
        job = get_job(db.session, job_id, clock_now(), user_id=current_user.id)
    except JobNotFound:
        abort(404)
    db.session.commit()  # a lost job was just marked failed
    return job


@bp.get("/jobs/<job_id>")
@login_required
def job_page(job_id: str):
    job = _own_job(job_id)
    return render_template(
        "study/job.html", job=job, view=job_view(job), title=JOB_TITLES.get(job.kind, "Job")
    )


@bp.get("/jobs/<job_id>/status")
@login_required
def job_status_json(job_id: str):
    return jsonify(job_status(_own_job(job_id)))


def job_view(job: Job | None) -> dict[str, Any] | None:
    """What the templates show of a job: its state and, when done, its figures."""
    if job is None:
        return None
    result = dict(job.result or {})
    if result.get("split_at"):
        result["split_at"] = datetime.fromisoformat(result["split_at"])
    return {"job": job, "result": result, "percent": round((job.progress or 0) * 100)}


def optimizer_panel() -> dict[str, Any]:
    """The settings page's optimizer section: availability, last jobs, retention inputs."""
    now = clock_now()
    panel = {
        "ready": optimizer_available(),
        "optimize": job_view(latest_job(db.session, current_user.id, "optimize", now)),
        "retention": job_view(latest_job(db.session, current_user.id, "optimal_retention", now)),
        "retention_inputs": optimal_retention_inputs(db.session, current_user.id),
    }
    db.session.commit()
    return panel


@bp.app_template_global()
def study_optimizer_panel() -> dict[str, Any]:
    return optimizer_panel()
