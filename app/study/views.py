"""The review loop: next card, answer, undo, suspend, bury; settings; exam dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import fsrs
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import (
    bank_or_404,
    may_view_bank,
    own_card_or_404,
    owns_card,
    question_or_404,
    safe_next,
    topic_or_404,
    visible_banks,
)
from ..attempts import answer_problem
from ..banks.service import presentation_rng
from ..clock import now as utcnow
from ..extensions import db
from ..inputs import db_int, epoch_ms, json_object
from ..models import QuestionBank, ReviewCard, Topic
from ..questions import CORRECT_THRESHOLD, QUESTION_TYPES, grade, parse_response, present
from ..scheduling import (
    UNDO_LABELS,
    CardNotFound,
    CardSuspended,
    ExamError,
    NothingToUndo,
    QueueEntry,
    SettingsError,
    StaleAnswer,
    StudyContext,
    add_to_reviews,
    answer_card,
    buried_cards,
    bury_card,
    deck_counts,
    deck_label,
    delete_exam_date,
    exam_overview,
    format_steps,
    get_settings,
    interval_previews,
    last_action,
    next_card_and_counts,
    next_due_at,
    optimizer_available,
    parse_steps,
    queue_counts,
    rating_for_grade,
    set_exam_date,
    set_exam_target,
    settings_for_update,
    study_context,
    study_day,
    suspend_card,
    unbury_card,
    undo_last_answer,
    unsuspend_card,
    update_settings,
)
from ..scheduling.exams import DEFAULT_TARGET as DEFAULT_EXAM_TARGET
from ..web import refused, render_form, reported_on
from .dates import best_locale, format_day
from .forms import (
    AddToReviewsForm,
    DeckForm,
    ExamDateForm,
    ExamTargetForm,
    RatingForm,
    SettingsForm,
)

bp = Blueprint("study", __name__, url_prefix="/study", template_folder="templates")

RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
MAX_DURATION_MS = 10 * 60 * 1000  # longer means the student walked away


@bp.app_context_processor
def _dates() -> dict:
    """`format_day(day)`: a date in the browser's preferred language, not ISO.

    On every page: the exam panel shows on the progress page too.
    """
    locale = best_locale(list(request.accept_languages))
    return {"format_day": lambda day: format_day(day, locale)}


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def _duration(shown_at: int | None) -> int | None:
    if not shown_at:
        return None
    elapsed = _now_ms() - shown_at
    return min(elapsed, MAX_DURATION_MS) if elapsed >= 0 else None


def _card_view(card: ReviewCard, now: datetime, context: StudyContext | None = None) -> dict:
    question = card.question
    user_id = card.user_id  # the signed-in student's own card
    settings = context.settings if context else get_settings(db.session, user_id)
    return {
        "card": card,
        "question": question,
        "qtype": QUESTION_TYPES[question.kind],
        "p": present(question.kind, question.content, rng=presentation_rng(user_id, question)),
        "previews": {
            r.value: text
            for r, text in interval_previews(card, settings, now, context=context).items()
        },
        "labels": RATING_LABELS,
        "shown_at": _now_ms(),
    }


@bp.get("/")
@login_required
def queue():
    return _study_page(utcnow(), request.args.get("reveal", type=db_int))


def _study_page(
    now: datetime, reveal_id: int | None = None, *, context: StudyContext | None = None
) -> str:
    """The next card (or the card `reveal_id` with its answer shown), or "nothing due".

    A self-graded card's page carries its back and rating form, hidden until the
    student reveals it (by script without a request; without script the reveal link
    asks for ?reveal=<id>). Four statements with no deck chosen: the signed-in user,
    the study context (two, none when `context` is given), the card with its question
    and the queue's counts.
    """
    user = current_user._get_current_object()  # one lookup, not one per use
    if context is None:
        context = study_context(db.session, user.id, now, time_zone=user.time_zone)
    deck = context.settings.study_deck
    label = deck_label(db.session, deck) if deck else None
    if label is None:
        deck = None  # "study all", or a deck since deleted
    study = {"deck": deck, "deck_name": label, "undo": _undo_offer(context)}
    entry = None
    if reveal_id is not None:
        # Show the answer of the card the student was looking at, even if the queue
        # has moved on meanwhile (a learning step fell due).
        card = db.session.get(ReviewCard, reveal_id)
        if card is not None and owns_card(user, card) and not card.suspended:
            entry = QueueEntry(card, "reveal")
    if entry is None:
        reveal_id = None
        entry, counts = next_card_and_counts(db.session, user.id, now, context=context, deck=deck)
    else:
        counts = queue_counts(db.session, user.id, now, context=context, deck=deck)
    exam_panel = exam_overview(db.session, user.id, now, context=context)
    if entry is None:
        return render_template(
            "study/done.html",
            exam_panel=exam_panel,
            counts=counts,
            **study,
            next_due=next_due_at(db.session, user.id, now),
            now=now,
            has_cards=db.session.scalar(
                select(ReviewCard.id).where(ReviewCard.user_id == user.id).limit(1)
            )
            is not None,
        )
    return render_template(
        "study/card.html",
        exam_panel=exam_panel,
        entry=entry,
        counts=counts,
        **study,
        reveal=reveal_id == entry.card.id,
        **_card_view(entry.card, now, context),
    )


@bp.get("/decks")
@login_required
def decks():
    """Each bank and topic the student studies, with today's counts, to choose from."""
    now = utcnow()
    context = study_context(db.session, current_user.id, now)
    deck = context.settings.study_deck
    if deck_label(db.session, deck) is None:
        deck = None
    return render_template(
        "study/decks.html",
        deck=deck,
        decks=deck_counts(db.session, current_user.id, now, context=context),
        all_counts=queue_counts(db.session, current_user.id, now, context=context),
    )


def _undo_offer(context: StudyContext | None = None) -> dict | None:
    """The action an Undo button takes back, named by id so a double click undoes once."""
    if context is not None:
        newest = context.last_action
    else:
        action = last_action(db.session, current_user.id)
        newest = (action.id, action.kind) if action is not None else None
    if newest is None:
        return None
    action_id, kind = newest
    return {"id": action_id, "kind": kind, "label": UNDO_LABELS.get(kind, "Undo")}


@bp.post("/deck")
@login_required
def choose_deck():
    """Study one deck (a bank or a topic) from now on, or everything again."""
    form = DeckForm()
    deck = (form.deck.data or "").strip() if form.validate_on_submit() else None
    if deck is None or (
        deck != "all" and (deck_label(db.session, deck) is None or not _may_study(deck))
    ):
        flash("That deck is not one of yours; choose one from the list.", "error")
        return redirect(url_for("study.queue"))
    settings_for_update(db.session, current_user.id).study_deck = None if deck == "all" else deck
    db.session.commit()
    return redirect(url_for("study.queue"))


def _may_study(deck: str) -> bool:
    """A deck of a bank the user may see: another student's personal deck is no deck."""
    kind, _, raw_id = deck.partition(":")
    if kind == "topic":
        topic = db.session.get(Topic, int(raw_id))
        bank = topic.bank if topic else None
    else:
        bank = db.session.get(QuestionBank, int(raw_id))
    return bank is not None and may_view_bank(current_user, bank)


@bp.post("/cards/<int:card_id>/check")
@login_required
def check(card_id: int):
    """Grade a typed answer; the student then confirms or overrides the suggested rating.

    CSRF on this and every other POST is checked by CSRFProtect before the view runs.
    """
    card = own_card_or_404(card_id)
    now = utcnow()
    question = card.question
    problem = answer_problem(question.kind, question.content, request.form)
    if problem:
        flash(problem, "error")
        return redirect(url_for("study.queue"))
    response = parse_response(question.kind, question.content, request.form)
    result = grade(question.kind, question.content, response)
    view = _card_view(card, now)
    view["shown_at"] = request.form.get("shown_at", type=epoch_ms) or view["shown_at"]
    return render_template(
        "study/checked.html",
        counts=queue_counts(db.session, current_user.id, now),
        undo=_undo_offer(),
        result=result,
        suggested=rating_for_grade(result.fraction).value,
        answer_json=json.dumps(response),
        **view,
    )


@bp.post("/cards/<int:card_id>/answer")
@login_required
def answer(card_id: int):
    form = RatingForm()
    if not form.validate_on_submit():
        flash("Pick Again, Hard, Good or Easy.", "error")
        return redirect(url_for("study.queue"))
    answer_data = None
    if form.answer.data:
        answer_data = json_object(form.answer.data)
    rating = fsrs.Rating(form.rating.data)
    grade_ = float(form.grade.data) if form.grade.data is not None else None
    overridden_from = None
    if form.override.data:
        # "I was right": the answer counts as correct and the card is rated Good.
        rating = fsrs.Rating.Good
        if grade_ is not None and grade_ < CORRECT_THRESHOLD:
            overridden_from, grade_ = grade_, 1.0
    now = utcnow()
    # One request per answer (inline, as the page's script sends it): the next card's
    # page comes back at once, from the study context read here for the answer too.
    user = current_user._get_current_object()
    context = (
        study_context(db.session, user.id, now, time_zone=user.time_zone)
        if form.inline.data
        else None
    )
    try:
        outcome = answer_card(
            db.session,
            user.id,
            card_id,
            rating,
            now,
            expected_version=form.version.data,
            duration_ms=_duration(form.shown_at.data),
            answer=answer_data,
            grade=grade_,
            overridden_from=overridden_from,
            context=context,
        )
    except CardNotFound:
        abort(404)
    except CardSuspended as exc:
        return refused(exc, url_for("study.queue"), "warning")
    except StaleAnswer:
        return refused("That answer was already recorded.", url_for("study.queue"), "info")
    if outcome.leech_now:
        flash(
            f"You have forgotten this card {outcome.card.lapses} times: it is marked as a "
            "leech and suspended. Consider rewriting it or reading its source again.",
            "warning",
        )
    if outcome.context is None:
        db.session.commit()
        return redirect(url_for("study.queue"))  # without script: Post/Redirect/Get
    # What this transaction read and wrote is what it commits, so the user, the settings
    # and the context stay loaded past the commit: the next card's page reads only the
    # counts and the card. The page's script replaces this POST's history entry with
    # /study/, so Back and reload never send the answer again (and a resent one is
    # refused as already recorded).
    _commit_keeping_loaded()
    return _study_page(now, context=outcome.context)


def _commit_keeping_loaded() -> None:
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


@bp.post("/undo")
@login_required
def undo():
    action_id = request.form.get("action_id", type=db_int)
    offer = _undo_offer()
    try:
        undo_last_answer(db.session, current_user.id, action_id)
    except NothingToUndo as exc:
        return refused(exc, url_for("study.queue"), "info")
    except StaleAnswer:
        return refused(
            "That card changed meanwhile, so nothing was undone.", url_for("study.queue"), "warning"
        )
    db.session.commit()
    kind = offer["kind"] if offer else "answer"
    flash(f"{kind.capitalize()} undone: the card is back as it was.", "success")
    return redirect(url_for("study.queue"))


@bp.post("/cards/<int:card_id>/<any(suspend, unsuspend, bury, unbury):action>")
@login_required
def card_action(card_id: int, action: str):
    change = {
        "suspend": suspend_card,
        "unsuspend": unsuspend_card,
        "bury": bury_card,
        "unbury": unbury_card,
    }[action]
    try:
        change(db.session, current_user.id, card_id, utcnow())
    except CardNotFound:
        abort(404)
    db.session.commit()
    flash(
        {
            "suspend": "Card suspended: it will not come up until you unsuspend it.",
            "unsuspend": "Card back in your reviews.",
            "bury": "Card buried until tomorrow.",
            "unbury": "Card unburied: it is back in today's queue.",
        }[action],
        "success",
    )
    return redirect(safe_next(request.form.get("next"), url_for("study.queue")))


@bp.post("/add")
@login_required
def add():
    form = AddToReviewsForm()
    if not form.validate_on_submit():
        flash("That is not a bank, topic or question that can be added.", "error")
        return redirect(url_for("banks.index"))
    scope = {
        "bank_id": form.bank_id.data,
        "topic_id": form.topic_id.data,
        "question_ids": [form.question_id.data] if form.question_id.data else None,
    }
    if not any(scope.values()):
        flash("Choose a bank, a topic or a question to add.", "error")
        return redirect(url_for("banks.index"))
    if scope["bank_id"]:
        bank_or_404(scope["bank_id"])
    if scope["topic_id"]:
        topic_or_404(scope["topic_id"])
    if scope["question_ids"]:
        question_or_404(form.question_id.data)
    added = add_to_reviews(db.session, current_user.id, now=utcnow(), **scope)
    db.session.commit()
    if added:
        flash(f"Added {added} card{'s' if added != 1 else ''} to your reviews.", "success")
    else:
        flash("Those questions are already in your reviews.", "info")
    return redirect(safe_next(request.form.get("next"), url_for("study.queue")))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    current = get_settings(db.session, current_user.id)
    form = SettingsForm(obj=current)
    if request.method == "GET":
        form.learning_steps.data = format_steps(current.learning_steps)
        form.relearning_steps.data = format_steps(current.relearning_steps)
    if form.validate_on_submit():
        try:
            learning = parse_steps(form.learning_steps.data)
        except SettingsError as exc:
            form.learning_steps.errors = [str(exc)]
        try:
            relearning = parse_steps(form.relearning_steps.data or "", allow_empty=True)
        except SettingsError as exc:
            form.relearning_steps.errors = [str(exc)]
        if not form.learning_steps.errors and not form.relearning_steps.errors:
            with reported_on(form, SettingsError, fallback="desired_retention"):
                update_settings(
                    db.session,
                    current_user.id,
                    desired_retention=float(form.desired_retention.data),
                    new_per_day=form.new_per_day.data,
                    max_reviews_per_day=form.max_reviews_per_day.data,
                    learning_steps=learning,
                    relearning_steps=relearning,
                    maximum_interval=form.maximum_interval.data,
                    day_starts_at_hour=form.day_starts_at_hour.data,
                    new_card_order=form.new_card_order.data,
                )
                db.session.commit()
                flash("Settings saved. They apply from your next answer.", "success")
                return redirect(url_for("study.settings"))
    suspended = db.session.scalars(
        select(ReviewCard)
        .options(selectinload(ReviewCard.question))
        .where(ReviewCard.user_id == current_user.id, ReviewCard.suspended.is_(True))
        .order_by(ReviewCard.id)
    ).all()
    return render_form(
        "study/settings.html",
        form,
        settings=current,
        suspended=suspended,
        buried=buried_cards(db.session, current_user.id, utcnow()),
        optimizer_ready=optimizer_available(),
    )


def _exam_scopes() -> list[tuple[str, str]]:
    choices = []
    for bank in visible_banks(db.session, current_user):
        choices.append((f"bank:{bank.id}", bank.title))
        for topic in sorted(bank.topics, key=lambda t: t.path):
            choices.append((f"topic:{topic.id}", f"{bank.title} › {topic.path}"))
    return choices


@bp.route("/exams", methods=["GET", "POST"])
@login_required
def exams():
    form = ExamDateForm()
    form.scope.choices = _exam_scopes()
    now = utcnow()
    settings_row = get_settings(db.session, current_user.id)
    today = study_day(now, current_user.time_zone, settings_row.day_starts_at_hour)
    if form.validate_on_submit():
        kind, _, raw_id = form.scope.data.partition(":")
        scope = {"bank_id": int(raw_id)} if kind == "bank" else {"topic_id": int(raw_id)}
        with reported_on(form, ExamError, fallback="exam_on"):
            set_exam_date(
                db.session,
                current_user.id,
                exam_on=form.exam_on.data,
                label=form.label.data or "",
                today=today,
                now=now,
                target_retention=(
                    float(form.target_retention.data)
                    if form.target_retention.data is not None
                    else DEFAULT_EXAM_TARGET
                ),
                **scope,
            )
            db.session.commit()
            flash(
                "Exam date set: cards likely below the target on the day get one review "
                "on its eve.",
                "success",
            )
            return redirect(url_for("study.exams"))
    db.session.commit()
    return render_form(
        "study/exams.html", form, exam_panel=exam_overview(db.session, current_user.id, now)
    )


@bp.post("/exams/<int:exam_id>/target")
@login_required
def exam_target(exam_id: int):
    form = ExamTargetForm()
    if not form.validate_on_submit():
        flash("The exam target must be a number from 0.71 to 0.99, like 0.95.", "error")
        return redirect(url_for("study.exams")), 303
    try:
        set_exam_target(db.session, current_user.id, exam_id, float(form.target_retention.data))
    except LookupError:
        abort(404)
    except ExamError as exc:
        return refused(exc, url_for("study.exams"))
    db.session.commit()
    flash("Exam target saved.", "success")
    return redirect(url_for("study.exams"))


@bp.post("/exams/<int:exam_id>/delete")
@login_required
def delete_exam(exam_id: int):
    try:
        delete_exam_date(db.session, current_user.id, exam_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash("Exam date removed.", "success")
    return redirect(url_for("study.exams"))


@bp.get("/progress")
def old_progress():
    """The progress page moved to /progress/; old bookmarks still arrive there."""
    return redirect(url_for("progress.index"), code=301)
