"""Quiz pages: a teacher sets up, previews and grades a quiz; a student takes it and reviews it.

Every attempt read first settles the overdue attempts it concerns (`process_overdue`), so the
rule the quiz chose applies without a process running at the deadline.
"""

from __future__ import annotations

import random
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock
from ..access import (
    managed_quiz_or_403,
    may_manage_quiz,
    may_view_quiz,
    own_attempt_or_404,
    quiz_or_404,
    reviewable_attempt_or_404,
    takeable_quiz_or_403,
    taught_class_or_403,
    visible_banks,
)
from ..attempts import items as attempt_items
from ..attempts import quizzes as rules
from ..extensions import db
from ..inputs import db_int
from ..models import Question, Quiz, QuizAttempt, QuizItem, QuizOverride, Topic
from ..models.quizzes import REVIEW_PARTS
from ..questions import QUESTION_TYPES, describe_response, present, render_plain
from ..scheduling import (
    ExamError,
    ExamNotFound,
    class_exam_date,
    delete_class_exam_date,
    set_class_exam_date,
)
from ..web import refused, render_form, reported_on
from .forms import (
    ActionForm,
    AddQuestionsForm,
    ClassExamForm,
    GradeForm,
    OverrideForm,
    QuizForm,
    RandomRuleForm,
)

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes", template_folder="templates")

EXPIRED = "The form expired; press the button again."


def _settled(**where: int) -> None:
    """Apply the overdue rules to what is about to be read, and keep the result."""
    if rules.process_overdue(db.session, clock.now(), **where):
        db.session.commit()


def _attempt_settled(attempt: QuizAttempt) -> None:
    """`_settled` for one loaded attempt: no statement unless its deadline or release passed."""
    if rules.settle_attempt(db.session, attempt, clock.now()):
        db.session.commit()


def _in_zone(quiz: Quiz, moment: datetime | None) -> str:
    if moment is None:
        return "–"
    local = rules.utc_to_local(moment, quiz.school_class.time_zone)
    return f"{local:%a %d %b %Y, %H:%M}"


def _duration(seconds: int | None) -> str:
    if not seconds:
        return "No limit"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} min")
    if rest:
        parts.append(f"{rest} s")
    return " ".join(parts)


@bp.app_context_processor
def quiz_helpers() -> dict:
    return {
        "quiz_time": _in_zone,
        "duration": _duration,
        "percent": rules.percent,
        "time_taken": rules.time_taken,
        "format_points": attempt_items.format_points,
    }


def _settings(form: QuizForm, quiz_class_zone: str) -> rules.QuizSettings:
    return rules.QuizSettings(
        title=form.title.data or "",
        description=form.description.data or "",
        open_at=rules.local_to_utc(form.open_at.data, quiz_class_zone, "open_at"),
        close_at=rules.local_to_utc(form.close_at.data, quiz_class_zone, "close_at"),
        time_limit_minutes=form.time_limit_minutes.data,
        attempts_allowed=form.attempts_allowed.data
        if form.attempts_allowed.data is not None
        else 1,
        grading_method=form.grading_method.data,
        shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data,
        review_score=form.review_score.data,
        review_answers=form.review_answers.data,
        review_right_answers=form.review_right_answers.data,
        review_feedback=form.review_feedback.data,
        overdue_handling=form.overdue_handling.data,
        grace_minutes=form.grace_minutes.data or 0,
        send_missed_to_reviews=form.send_missed_to_reviews.data,
        missed_to_reviews_at=form.missed_to_reviews_at.data,
    )


# -- setting up (teachers) -----------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/new", methods=["GET", "POST"])
@login_required
def new(class_id: int):
    school_class = taught_class_or_403(class_id)
    form = QuizForm()
    if form.validate_on_submit():
        with reported_on(form):
            quiz = rules.create_quiz(
                db.session,
                school_class.id,
                current_user.id,
                _settings(form, school_class.time_zone),
                clock.now(),
            )
            db.session.commit()
            flash("Quiz created. Now add its questions.", "success")
            return redirect(url_for("quizzes.questions", quiz_id=quiz.id))
    return render_form("quizzes/settings.html", form, school_class=school_class, quiz=None)


@bp.route("/<int:quiz_id>/edit", methods=["GET", "POST"])
@login_required
def edit(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    zone = quiz.school_class.time_zone
    form = QuizForm(obj=quiz)
    if request.method == "GET":
        form.open_at.data = rules.utc_to_local(quiz.open_at, zone)
        form.close_at.data = rules.utc_to_local(quiz.close_at, zone)
        form.time_limit_minutes.data = (
            quiz.time_limit_seconds // 60 if quiz.time_limit_seconds else None
        )
        form.grace_minutes.data = quiz.grace_seconds // 60
    if form.validate_on_submit():
        with reported_on(form):
            rules.update_quiz(db.session, quiz, _settings(form, zone), clock.now())
            db.session.commit()
            flash("Quiz saved.", "success")
            return redirect(url_for("quizzes.show", quiz_id=quiz.id))
    return render_form("quizzes/settings.html", form, school_class=quiz.school_class, quiz=quiz)


@bp.post("/<int:quiz_id>/publish")
@login_required
def publish(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.show", quiz_id=quiz.id)
    if not ActionForm().validate_on_submit():
        return refused(EXPIRED, here)
    wanted = request.form.get("published") == "1"
    try:
        rules.set_published(db.session, quiz, wanted)
    except rules.QuizError as exc:
        return refused(exc, here)
    db.session.commit()
    flash("Published: the class's students can see it." if wanted else "Hidden from students.")
    return redirect(here)


def _rule_form(quiz: Quiz) -> RandomRuleForm:
    form = RandomRuleForm(prefix="rule")
    banks = visible_banks(db.session, current_user)
    titles = {bank.id: bank.title for bank in banks}
    form.bank_id.choices = [(bank.id, bank.title) for bank in banks]
    topics = db.session.scalars(
        select(Topic).where(Topic.bank_id.in_(list(titles))).order_by(Topic.bank_id, Topic.path)
    ).all()
    form.topic_id.choices = [(0, "Any topic")] + [
        (topic.id, f"{titles[topic.bank_id]}: {topic.path.replace('/', ' › ')}") for topic in topics
    ]
    return form


def _questions_form(bank_id: int | None) -> tuple[AddQuestionsForm, list[Question]]:
    form = AddQuestionsForm(prefix="pick")
    listed: list[Question] = []
    if bank_id is not None:
        listed = list(
            db.session.scalars(
                select(Question)
                .where(Question.bank_id == bank_id, Question.kind.in_(rules.QUIZ_KINDS))
                .order_by(Question.topic_id, Question.id)
            )
        )
    form.question_ids.choices = [(q.id, str(q.id)) for q in listed]
    return form, listed


def _chosen_bank() -> int | None:
    banks = {bank.id for bank in visible_banks(db.session, current_user)}
    bank_id = request.args.get("bank", type=db_int)
    return bank_id if bank_id in banks else None


@bp.get("/<int:quiz_id>/questions")
@login_required
def questions(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    bank_id = _chosen_bank()
    pick_form, listed = _questions_form(bank_id)
    return render_template(
        "quizzes/questions.html",
        quiz=quiz,
        banks=visible_banks(db.session, current_user),
        bank_id=bank_id,
        listed=listed,
        pick_form=pick_form,
        rule_form=_rule_form(quiz),
        action_form=ActionForm(),
        types=QUESTION_TYPES,
        plain=_plain_prompt,
    )


def _plain_prompt(question: Question) -> str:
    text = render_plain(str(question.content.get("prompt") or question.content.get("text") or ""))
    return text[:160]


@bp.post("/<int:quiz_id>/questions")
@login_required
def add_questions(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    bank_id = request.form.get("bank", type=db_int)
    here = url_for("quizzes.questions", quiz_id=quiz.id, bank=bank_id)
    form = AddQuestionsForm(prefix="pick")
    form.question_ids.choices = None  # checked against the database by the rule
    form.question_ids.validate_choice = False
    if not form.validate_on_submit():
        return refused("Tick questions and give their points (a number).", here)
    try:
        added = rules.add_questions(
            db.session, quiz, form.question_ids.data or [], form.points.data
        )
    except rules.QuizError as exc:
        return refused(exc, here)
    db.session.commit()
    flash(f"Added {added} question{'s' if added != 1 else ''}.", "success")
    return redirect(here)


@bp.post("/<int:quiz_id>/rules")
@login_required
def add_rule(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.questions", quiz_id=quiz.id)
    form = _rule_form(quiz)
    if not form.validate_on_submit():
        errors = [error for field in form for error in field.errors]
        return refused(errors[0] if errors else EXPIRED, here)
    try:
        rules.add_random_rule(
            db.session,
            quiz,
            bank_id=form.bank_id.data,
            topic_id=form.topic_id.data,
            difficulty=form.difficulty.data,
            kind=form.kind.data,
            count=form.count.data,
            points=form.points.data,
        )
    except rules.QuizError as exc:
        return refused(exc, here)
    db.session.commit()
    flash("Random draw added: each student gets their own questions.", "success")
    return redirect(here)


@bp.post("/<int:quiz_id>/slots/<int:slot_id>/delete")
@login_required
def remove_slot(quiz_id: int, slot_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.questions", quiz_id=quiz.id)
    if not ActionForm().validate_on_submit():
        return refused(EXPIRED, here)
    try:
        rules.remove_slot(db.session, quiz, slot_id)
    except rules.QuizNotFound:
        abort(404)
    db.session.commit()
    flash("Removed from the quiz.")
    return redirect(here)


@bp.get("/<int:quiz_id>/preview")
@login_required
def preview(quiz_id: int):
    """The quiz as a student would get it: one sample draw, nothing stored."""
    quiz = managed_quiz_or_403(quiz_id)
    rng = random.Random()
    drawn = rules.draw_questions(db.session, quiz, rng)
    options_rng = rng if quiz.shuffle_options else attempt_items.AuthoredOrder()
    shown = []
    for question, points in drawn:
        frozen = attempt_items.snapshot(question)
        shown.append(
            (question, points, present(frozen["question_kind"], frozen["content"], rng=options_rng))
        )
    return render_template("quizzes/preview.html", quiz=quiz, shown=shown, types=QUESTION_TYPES)


# -- the quiz page -------------------------------------------------------------------------------


@bp.get("/<int:quiz_id>")
@login_required
def show(quiz_id: int):
    quiz = quiz_or_404(quiz_id)
    _settled(quiz_id=quiz.id)
    now = clock.now()
    if may_manage_quiz(current_user, quiz):
        exam = class_exam_date(db.session, quiz.id)
        return render_template(
            "quizzes/show_teacher.html",
            quiz=quiz,
            form=ActionForm(),
            exam=exam,
            exam_form=ClassExamForm(obj=exam),
            count=rules.question_count(quiz),
            total=rules.total_points(quiz),
            ungraded=rules.ungraded_count(db.session, [quiz.id]),
            labels=_labels(),
        )
    status = rules.student_status(db.session, quiz, current_user.id, now)
    override = rules.override_for(db.session, quiz.id, current_user.id)
    attempts = rules.user_attempts(db.session, quiz.id, current_user.id)
    return render_template(
        "quizzes/show_student.html",
        quiz=quiz,
        status=status,
        attempts=attempts,
        grade_visible=any(
            rules.review_visible(quiz, "score", a, now) for a in attempts if a.state == "finished"
        ),
        close_at=rules.effective_close(quiz, override),
        time_limit=rules.effective_time_limit(quiz, override),
        score_visible=lambda a: rules.review_visible(quiz, "score", a, now),
        form=ActionForm(),
        labels=_labels(),
    )


@bp.post("/<int:quiz_id>/exam")
@login_required
def set_exam(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.show", quiz_id=quiz.id)
    form = ClassExamForm()
    if not form.validate_on_submit():
        errors = [error for field in form for error in field.errors]
        return refused(errors[0] if errors else EXPIRED, here)
    now = clock.now()
    try:
        set_class_exam_date(
            db.session,
            quiz,
            exam_on=form.exam_on.data,
            today=rules.utc_to_local(now, quiz.school_class.time_zone).date(),
            label=form.label.data or "",
            now=now,
        )
    except ExamError as exc:
        return refused(exc, here)
    db.session.commit()
    flash("Exam date set: the class's reviews prepare this quiz's questions for it.", "success")
    return redirect(here)


@bp.post("/<int:quiz_id>/exam/delete")
@login_required
def delete_exam(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.show", quiz_id=quiz.id)
    if not ActionForm().validate_on_submit():
        return refused(EXPIRED, here)
    try:
        delete_class_exam_date(db.session, quiz.id)
    except ExamNotFound:
        abort(404)
    db.session.commit()
    flash("Exam date removed.")
    return redirect(here)


def _labels() -> dict:
    return {
        "grading": rules.GRADING_LABELS,
        "review": rules.REVIEW_TIME_LABELS,
        "parts": rules.REVIEW_PART_LABELS,
        "overdue": rules.OVERDUE_LABELS,
        "missed": rules.MISSED_TIME_LABELS,
        "review_parts": REVIEW_PARTS,
    }


# -- taking (students) ---------------------------------------------------------------------------


@bp.post("/<int:quiz_id>/start")
@login_required
def start(quiz_id: int):
    quiz = takeable_quiz_or_403(quiz_id)
    here = url_for("quizzes.show", quiz_id=quiz.id)
    if not ActionForm().validate_on_submit():
        return refused(EXPIRED, here)
    try:
        attempt = rules.start_attempt(db.session, quiz, current_user.id, clock.now())
    except rules.QuizError as exc:
        return refused(exc, here)
    attempt_id, position = attempt.id, _first_open(attempt)
    if _inline():
        # The first question comes back at once, drawn before the commit expires it.
        page = _take_page(attempt, rules.item_at(attempt, position), clock.now())
        db.session.commit()
        return page
    db.session.commit()  # expires the attempt: nothing below reads it again
    return redirect(url_for("quizzes.take", attempt_id=attempt_id, position=position))


def _inline() -> bool:
    """The page's script asked for the next page in the response (inline=y): one request
    per answer. It then puts the page's own address in the history, so reload and Back
    never post again. Without script: Post/Redirect/Get."""
    return request.form.get("inline") == "y"


def _first_open(attempt: QuizAttempt) -> int:
    item = attempt_items.next_unanswered(attempt.items)
    return item.position if item is not None else 1


def _closed_redirect(attempt: QuizAttempt):  # type: ignore[no-untyped-def]
    if attempt.state == "abandoned":
        flash("Time ran out before this attempt was submitted: it is not counted.", "error")
    else:
        flash("This attempt is submitted.", "info")
    return redirect(url_for("quizzes.review", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def resume(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    _attempt_settled(attempt)
    if attempt.state not in rules.OPEN_STATES:
        return _closed_redirect(attempt)
    if attempt.state == "overdue":
        return redirect(url_for("quizzes.submit", attempt_id=attempt.id))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id, position=_first_open(attempt)))


@bp.route("/attempts/<int:attempt_id>/<int:position>", methods=["GET", "POST"])
@login_required
def take(attempt_id: int, position: int):
    attempt = own_attempt_or_404(attempt_id)
    if request.method == "GET":
        _attempt_settled(attempt)  # an answer settles it itself, under the attempt's lock
    if attempt.state not in rules.OPEN_STATES:
        return _closed_redirect(attempt)
    here = url_for("quizzes.take", attempt_id=attempt.id, position=position)
    if request.method == "POST":
        # The items are read once the attempt is locked, by the answer itself.
        if not ActionForm().validate_on_submit():
            return refused(EXPIRED, here)
        seen = request.form.get("sequence", default=-1, type=db_int)
        try:
            rules.save_answer(db.session, attempt, position, request.form, seen, clock.now())
        except rules.QuizNotFound:
            db.session.rollback()
            abort(404)
        except (rules.QuizError, rules.StaleAnswer) as exc:
            db.session.rollback()
            _attempt_settled(attempt)
            if attempt.state not in rules.OPEN_STATES:
                return _closed_redirect(attempt)
            if attempt.state == "overdue":
                return refused(exc, url_for("quizzes.submit", attempt_id=attempt.id))
            return refused(exc, here)
        after = [other.position for other in attempt.items if other.position > position]
        if request.form.get("go") == "submit" or not after:
            db.session.commit()
            return redirect(url_for("quizzes.submit", attempt_id=attempt_id))
        if _inline():
            page = _take_page(attempt, rules.item_at(attempt, min(after)), clock.now())
            db.session.commit()
            return page
        db.session.commit()  # expires the attempt: nothing below reads it again
        return redirect(url_for("quizzes.take", attempt_id=attempt_id, position=min(after)))
    try:
        item = rules.item_at(attempt, position)
    except rules.QuizNotFound:
        abort(404)
    if attempt.state == "overdue":
        return redirect(url_for("quizzes.submit", attempt_id=attempt.id))
    return _take_page(attempt, item, clock.now())


def _take_page(attempt: QuizAttempt, item: QuizItem, now: datetime) -> str:
    show_feedback = rules.review_visible(attempt.quiz, "feedback", attempt, now)
    return render_template(
        "quizzes/take.html",
        attempt=attempt,
        quiz=attempt.quiz,
        item=item,
        qtype=QUESTION_TYPES[item.question_kind],
        p=attempt_items.presentation(item),
        saved=attempt_items.your_answer(item) if item.answered_at else None,
        result=attempt_items.stored_result(item)
        if show_feedback and item.fraction is not None
        else None,
        seconds_left=_seconds_left(attempt, now),
        form=ActionForm(),
    )


def _seconds_left(attempt: QuizAttempt, now: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["GET", "POST"])
@login_required
def submit(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    _attempt_settled(attempt)
    if attempt.state not in rules.OPEN_STATES:
        return _closed_redirect(attempt)
    here = url_for("quizzes.submit", attempt_id=attempt.id)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            return refused(EXPIRED, here)
        try:
            rules.finish_attempt(db.session, attempt, clock.now())
        except rules.QuizError as exc:
            return refused(exc, here)
        db.session.commit()
        flash("Attempt submitted.", "success")
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    now = clock.now()
    return render_template(
        "quizzes/submit.html",
        attempt=attempt,
        quiz=attempt.quiz,
        unanswered=[item for item in attempt.items if item.answered_at is None],
        seconds_left=_seconds_left(attempt, now),
        grace_left=_grace_left(attempt, now),
        form=ActionForm(),
    )


def _grace_left(attempt: QuizAttempt, now: datetime) -> int | None:
    if attempt.state != "overdue" or attempt.deadline is None:
        return None
    end = attempt.deadline.timestamp() + attempt.quiz.grace_seconds
    return max(0, int(end - now.timestamp()))


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = reviewable_attempt_or_404(attempt_id)
    _attempt_settled(attempt)
    quiz = attempt.quiz
    if attempt.state in rules.OPEN_STATES and attempt.user_id == current_user.id:
        return redirect(url_for("quizzes.resume", attempt_id=attempt.id))
    now = clock.now()
    teacher = may_manage_quiz(current_user, quiz)
    visible = {
        part: teacher or rules.review_visible(quiz, part, attempt, now) for part in REVIEW_PARTS
    }
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        quiz=quiz,
        reviewed=attempt_items.review(attempt.items),
        visible=visible,
        teacher=teacher,
        still_enrolled=may_view_quiz(current_user, quiz),
        pending=rules.attempt_pending(db.session, attempt),
        needs_grading=rules.needs_grading,
    )


# -- results, grading and overrides (teachers) ---------------------------------------------------


@bp.get("/<int:quiz_id>/results")
@login_required
def results(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    _settled(quiz_id=quiz.id)
    return render_template(
        "quizzes/results.html",
        quiz=quiz,
        rows=rules.results(db.session, quiz),
        ungraded=rules.ungraded_count(db.session, [quiz.id]),
        labels=_labels(),
    )


@bp.get("/<int:quiz_id>/grading")
@login_required
def grading(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    _settled(quiz_id=quiz.id)
    queue = rules.grading_queue(db.session, quiz.id)
    return render_template(
        "quizzes/grading.html",
        quiz=quiz,
        queue=queue,
        form=GradeForm(),
        describe=lambda item: describe_response(
            item.question_kind, item.content, item.response or {}
        ),
        present=attempt_items.presentation,
    )


@bp.post("/<int:quiz_id>/grading/<int:item_id>")
@login_required
def grade(quiz_id: int, item_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.grading", quiz_id=quiz.id)
    form = GradeForm()
    if not form.validate_on_submit():
        errors = [error for field in form for error in field.errors]
        return refused(errors[0] if errors else EXPIRED, here)
    try:
        rules.grade_essay(
            db.session,
            quiz,
            item_id,
            form.points.data,
            form.comment.data or "",
            current_user.id,
            clock.now(),
        )
    except rules.QuizNotFound:
        abort(404)
    except rules.QuizError as exc:
        return refused(exc, here)
    db.session.commit()
    flash("Graded: the student's score is updated.", "success")
    return redirect(here)


def _override_form(quiz: Quiz) -> OverrideForm:
    form = OverrideForm()
    form.user_id.choices = [
        (m.user_id, m.user.display_name)
        for m in quiz.school_class.members
        if m.role == "student" and m.removed_at is None
    ]
    return form


@bp.route("/<int:quiz_id>/overrides", methods=["GET", "POST"])
@login_required
def overrides(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    form = _override_form(quiz)
    if form.validate_on_submit():
        with reported_on(form):
            rules.set_override(
                db.session,
                quiz,
                form.user_id.data,
                time_limit_minutes=form.time_limit_minutes.data,
                close_at=rules.local_to_utc(
                    form.close_at.data, quiz.school_class.time_zone, "close_at"
                ),
                extra_attempts=form.extra_attempts.data or 0,
                now=clock.now(),
            )
            db.session.commit()
            flash("Override saved.", "success")
            return redirect(url_for("quizzes.overrides", quiz_id=quiz.id))
    existing = db.session.scalars(select(QuizOverride).where(QuizOverride.quiz_id == quiz.id)).all()
    return render_form(
        "quizzes/overrides.html", form, quiz=quiz, existing=existing, action_form=ActionForm()
    )


@bp.post("/<int:quiz_id>/overrides/<int:user_id>/delete")
@login_required
def delete_override(quiz_id: int, user_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    here = url_for("quizzes.overrides", quiz_id=quiz.id)
    if not ActionForm().validate_on_submit():
        return refused(EXPIRED, here)
    try:
        rules.delete_override(db.session, quiz, user_id, clock.now())
    except rules.QuizNotFound:
        abort(404)
    db.session.commit()
    flash("Override removed.")
    return redirect(here)
