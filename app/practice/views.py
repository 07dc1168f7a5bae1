"""Practice sessions: start one, answer its questions, see the score, retry the missed ones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..attempts import (
    answer_problem,
    can_override,
    is_missed,
    needs_self_score,
    presentation,
    read_response,
    stored_result,
    your_answer,
)
from ..attempts.practice import (
    FINISHED_MESSAGE,
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    ItemNotFound,
    PracticeError,
    SessionNotFound,
    add_missed_to_reviews,
    answer_item,
    finish_session,
    flag_item,
    load_item,
    load_session,
    next_unanswered,
    override_answer,
    question_map,
    retry_missed,
    score_text,
    session_history,
    session_review,
    start_session,
    unanswered_items,
)
from ..extensions import db
from ..models import PracticeItem, PracticeSession
from ..questions import QUESTION_TYPES
from ..web import refused, render_form, reported_on
from .forms import ActionForm, FlagForm, StartForm

bp = Blueprint("practice", __name__, url_prefix="/practice", template_folder="templates")


def _session_or_404(session_id: int) -> PracticeSession:
    try:
        return load_session(db.session, current_user.id, session_id)
    except SessionNotFound:
        abort(404)


def _item_or_404(session_id: int, position: int) -> PracticeItem:
    try:
        return load_item(db.session, current_user.id, session_id, position)
    except (SessionNotFound, ItemNotFound):
        abort(404)


def _next_url(practice: PracticeSession, after: int = 0) -> str:
    item = None if practice.finished_at is not None else next_unanswered(practice, after)
    if item is None:
        return url_for("practice.results", session_id=practice.id)
    return url_for("practice.item", session_id=practice.id, position=item.position)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@bp.route("/", methods=["GET", "POST"])
@login_required
def start():
    form = StartForm(db.session, current_user)
    if form.validate_on_submit():
        with reported_on(form, PracticeError):
            practice = start_session(
                db.session,
                current_user.id,
                bank_ids=form.banks.data or [],
                topic_ids=form.topics.data or [],
                kinds=form.kinds.data or [],
                count=form.count.data,
                feedback=form.feedback.data,
                now=clock.now(),
            )
            db.session.commit()
            drawn = len(practice.items)
            if drawn < form.count.data:
                verb = "matches" if drawn == 1 else "match"
                flash(f"Only {_plural(drawn, 'question')} {verb}, so this session has {drawn}.")
            return redirect(_next_url(practice))
    return render_form(
        "practice/start.html",
        form,
        types=QUESTION_TYPES,
        min_questions=MIN_QUESTIONS,
        max_questions=MAX_QUESTIONS,
    )


@bp.get("/<int:session_id>")
@login_required
def resume(session_id: int):
    return redirect(_next_url(_session_or_404(session_id)))


def _skip_url(practice: PracticeSession, item: PracticeItem) -> str:
    """The next question still to answer after this one, else the page that ends the session."""
    others = [other for other in unanswered_items(practice) if other is not item]
    later = [other for other in others if other.position > item.position]
    following = (later or others or [None])[0]
    if following is None:
        return url_for("practice.finish", session_id=practice.id)
    return url_for("practice.item", session_id=practice.id, position=following.position)


@bp.route("/<int:session_id>/<int:position>", methods=["GET", "POST"])
@login_required
def item(session_id: int, position: int):
    item = _item_or_404(session_id, position)
    practice, question = item.session, item.question
    here = url_for("practice.item", session_id=session_id, position=position)
    reveal_response = None
    if request.method == "POST":
        if item.answered_at is None and practice.finished_at is not None:
            return refused(FINISHED_MESSAGE, here)
        problem = answer_problem(item.question_kind, item.content, request.form)
        if item.answered_at is None and problem:
            flash(problem, "error")
            return redirect(here)
        response = read_response(item, request.form)
        if item.answered_at is None and needs_self_score(item.question_kind, response):
            reveal_response = response  # show the answer, then ask how it went
        else:
            try:
                answer_item(
                    db.session, current_user.id, session_id, position, response, clock.now()
                )
            except PracticeError as exc:
                return refused(exc, here)
            db.session.commit()
            if practice.feedback == "end":
                return redirect(_next_url(practice, position))
            return redirect(here)
    # Grades wait for the end when the session says so; the answer itself is shown read-only.
    grades_shown = practice.feedback == "now" or practice.finished_at is not None
    answered = item.answered_at is not None
    return render_template(
        "practice/item.html",
        practice=practice,
        item=item,
        question=question,
        qtype=QUESTION_TYPES[item.question_kind],
        p=presentation(item),
        result=stored_result(item) if grades_shown else None,
        saved_answer=your_answer(item) if answered and not grades_shown else None,
        reveal_response=reveal_response,
        total=len(practice.items),
        answered=sum(1 for other in practice.items if other.answered_at is not None),
        next_url=_next_url(practice, position),
        skip_url=_skip_url(practice, item),
        is_last=all(other.answered_at is not None for other in practice.items if other is not item),
        can_override=can_override(item) and grades_shown,
        question_map=question_map(practice),
    )


@bp.post("/<int:session_id>/<int:position>/flag")
@login_required
def flag(session_id: int, position: int):
    """Flag a question for later, or take the flag off; back to the same question."""
    _item_or_404(session_id, position)
    here = url_for("practice.item", session_id=session_id, position=position)
    form = FlagForm()
    if not form.validate_on_submit():
        flash(form.problem(), "error")
        return redirect(here)
    try:
        flag_item(db.session, current_user.id, session_id, position, form.flagged.data == "1")
    except PracticeError as exc:
        return refused(exc, here)
    db.session.commit()
    return redirect(here)


@bp.route("/<int:session_id>/finish", methods=["GET", "POST"])
@login_required
def finish(session_id: int):
    """End the session before every question is answered, once the student confirms."""
    practice = _session_or_404(session_id)
    results_url = url_for("practice.results", session_id=session_id)
    if practice.finished_at is not None:
        return redirect(results_url)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("The form expired; press the button again.", "error")
            return redirect(url_for("practice.finish", session_id=session_id))
        finish_session(db.session, current_user.id, session_id, clock.now())
        db.session.commit()
        return redirect(results_url)
    waiting = unanswered_items(practice)
    return render_template(
        "practice/finish.html",
        practice=practice,
        unanswered=waiting,
        flagged=[item for item in practice.items if item.flagged],
        total=len(practice.items),
        form=form,
    )


@bp.post("/<int:session_id>/<int:position>/override")
@login_required
def override(session_id: int, position: int):
    """ "I was right": full credit for an automatically graded answer; the override is logged."""
    practice = _item_or_404(session_id, position).session
    here = url_for("practice.item", session_id=session_id, position=position)
    if practice.feedback == "end":
        # Grades of such a session are seen, and overridden, on its results page.
        here = url_for("practice.results", session_id=session_id, _anchor=f"question-{position}")
    if not ActionForm().validate_on_submit():
        flash("The form expired; press the button again.", "error")
        return redirect(here)
    try:
        changed = override_answer(db.session, current_user.id, session_id, position, clock.now())
    except PracticeError as exc:
        return refused(exc, here)
    db.session.commit()
    if changed:
        flash("Marked as right: full credit for this question.", "success")
    return redirect(here)


@bp.get("/<int:session_id>/results")
@login_required
def results(session_id: int):
    practice = _session_or_404(session_id)
    if practice.finished_at is None:
        flash("Answer every question to see your score.", "info")
        return redirect(_next_url(practice))
    reviewed = session_review(db.session, current_user.id, session_id)
    return render_template(
        "practice/results.html",
        practice=practice,
        reviewed=reviewed,
        score=score_text(practice),
        missed=sum(1 for entry in reviewed if is_missed(entry.item)),
        form=ActionForm(),
        may_override=practice.feedback == "end",
        can_override=can_override,
    )


@bp.post("/<int:session_id>/retry")
@login_required
def retry(session_id: int):
    _session_or_404(session_id)
    results_url = url_for("practice.results", session_id=session_id)
    if not ActionForm().validate_on_submit():
        flash("The form expired; press the button again.", "error")
        return redirect(results_url)
    try:
        practice = retry_missed(db.session, current_user.id, session_id, now=clock.now())
    except PracticeError as exc:
        return refused(exc, results_url)
    db.session.commit()
    return redirect(_next_url(practice))


@bp.post("/<int:session_id>/reviews")
@login_required
def add_to_reviews(session_id: int):
    _session_or_404(session_id)
    results_url = url_for("practice.results", session_id=session_id)
    if not ActionForm().validate_on_submit():
        flash("The form expired; press the button again.", "error")
        return redirect(results_url)
    try:
        added = add_missed_to_reviews(db.session, current_user.id, session_id, clock.now())
    except PracticeError as exc:
        return refused(exc, results_url)
    db.session.commit()
    if added:
        flash(f"Added {_plural(added, 'question')} to your reviews.", "success")
    else:
        flash("Those questions are already in your reviews.", "info")
    return redirect(results_url)


@bp.get("/history")
@login_required
def history():
    entries = session_history(db.session, current_user.id)
    return render_template("practice/history.html", entries=entries, score_text=score_text)
