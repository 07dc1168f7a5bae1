"""Teachers' results pages: a class's gradebook and its exports, grade overrides, and the
item analysis of a quiz. A student sees their own row of the gradebook."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import clock
from ..access import (
    class_or_404,
    managed_quiz_or_403,
    student_in_quiz_or_404,
    taught_class_or_403,
    teaches,
)
from ..analytics.item_analysis import ATTEMPT_CHOICES, item_analysis_chart, shown
from ..attempts import gradebook as book
from ..attempts import quizzes as rules
from ..extensions import db
from ..web import render_form, reported_on
from .forms import ActionForm, GradeOverrideForm
from .views import _labels, _settled, bp

# Item analyses of this process, by quiz and choice, with the state of the attempts they
# were computed from: computed again once an attempt is finished or an item regraded.
_ANALYSES: dict[tuple[int, str], tuple] = {}
MAX_CACHED_ANALYSES = 200

CHOICE_LABELS = {
    "first": "First attempts",
    "all": "All attempts",
    "highest": "Highest-scoring attempts",
    "last": "Last attempts",
}


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_stem(school_class) -> str:  # type: ignore[no-untyped-def]
    safe = "".join(c if c.isalnum() else "-" for c in school_class.name).strip("-")
    return (safe or "class")[:60]


@bp.get("/classes/<int:class_id>/gradebook")
@login_required
def gradebook(class_id: int):
    school_class = class_or_404(class_id)
    teacher = teaches(current_user, school_class)
    for quiz in rules.class_quizzes(db.session, school_class.id, published_only=False):
        _settled(quiz_id=quiz.id)
    now = clock.now()
    grades = book.gradebook(
        db.session,
        school_class,
        now,
        user_id=None if teacher else current_user.id,
        published_only=not teacher,
    )
    # A student sees a computed grade as the quiz's review options allow; a teacher's
    # override, given with its comment, always.
    visible = {
        quiz.id: teacher
        or any(
            rules.review_visible(quiz, "score", a, now)
            for row in grades.rows
            for a in row.cells[i].attempts
            if a.state == "finished"
        )
        for i, quiz in enumerate(grades.quizzes)
    }
    return render_template(
        "quizzes/gradebook.html",
        book=grades,
        school_class=school_class,
        teacher=teacher,
        visible=visible,
        labels=_labels(),
    )


def _export_book(class_id: int):  # type: ignore[no-untyped-def]
    school_class = taught_class_or_403(class_id)
    for quiz in rules.class_quizzes(db.session, school_class.id, published_only=False):
        _settled(quiz_id=quiz.id)
    return school_class, book.gradebook(db.session, school_class, clock.now())


@bp.get("/classes/<int:class_id>/gradebook.csv")
@login_required
def gradebook_csv(class_id: int):
    school_class, grades = _export_book(class_id)
    data = book.to_csv(book.gradebook_table(grades))
    return _download(data, f"{_file_stem(school_class)}-gradebook.csv", "text/csv")


@bp.get("/classes/<int:class_id>/gradebook.xlsx")
@login_required
def gradebook_xlsx(class_id: int):
    school_class, grades = _export_book(class_id)
    data = book.to_xlsx(book.gradebook_table(grades), school_class.name)
    return _download(
        data,
        f"{_file_stem(school_class)}-gradebook.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/classes/<int:class_id>/responses.csv")
@login_required
def responses_csv(class_id: int):
    school_class, _ = _export_book(class_id)
    data = book.to_csv(book.responses_table(db.session, school_class))
    return _download(data, f"{_file_stem(school_class)}-responses.csv", "text/csv")


@bp.route("/<int:quiz_id>/grades/<int:user_id>", methods=["GET", "POST"])
@login_required
def override_grade(quiz_id: int, user_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    student = student_in_quiz_or_404(quiz, user_id)
    _settled(quiz_id=quiz.id)
    existing = book.override_of(db.session, quiz.id, user_id)
    attempts = rules.user_attempts(db.session, quiz.id, user_id)
    computed = rules.quiz_grade(attempts, quiz.grading_method)
    form = GradeOverrideForm()
    if request.method == "GET" and existing is not None:
        form.grade.data = f"{existing.grade * 100:g}"
        form.comment.data = existing.comment
    if form.validate_on_submit():
        with reported_on(form, fallback="grade"):
            book.set_grade_override(
                db.session,
                quiz,
                user_id,
                book.parse_percent(form.grade.data),
                form.comment.data or "",
                current_user.id,
                clock.now(),
            )
            db.session.commit()
            flash(f"Grade of {student.display_name} set.", "success")
            return redirect(url_for("quizzes.gradebook", class_id=quiz.class_id))
    return render_form(
        "quizzes/override_grade.html",
        form,
        quiz=quiz,
        student=student,
        existing=existing,
        computed=computed,
        attempts=attempts,
        clear_form=ActionForm(),
    )


@bp.post("/<int:quiz_id>/grades/<int:user_id>/clear")
@login_required
def clear_grade(quiz_id: int, user_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    student = student_in_quiz_or_404(quiz, user_id)
    if not ActionForm().validate_on_submit():
        flash("The form expired; press the button again.", "error")
        return redirect(url_for("quizzes.override_grade", quiz_id=quiz.id, user_id=user_id))
    if book.clear_grade_override(db.session, quiz, user_id):
        db.session.commit()
        flash(f"{student.display_name}'s grade is computed again.", "success")
    return redirect(url_for("quizzes.gradebook", class_id=quiz.class_id))


@bp.get("/<int:quiz_id>/item-analysis")
@login_required
def item_analysis(quiz_id: int):
    quiz = managed_quiz_or_403(quiz_id)
    _settled(quiz_id=quiz.id)
    choice = request.args.get("attempts", "first")
    if choice not in ATTEMPT_CHOICES:
        choice = "first"
    key = (quiz.id, choice)
    version = book.analysis_version(db.session, quiz)
    cached = _ANALYSES.get(key)
    if cached is None or cached[0] != version:
        if len(_ANALYSES) >= MAX_CACHED_ANALYSES:
            _ANALYSES.pop(next(iter(_ANALYSES)))
        cached = (version, *book.quiz_item_analysis(db.session, quiz, choice))
        _ANALYSES[key] = cached
    _, analysis, prompts = cached
    return render_template(
        "quizzes/item_analysis.html",
        quiz=quiz,
        analysis=analysis,
        prompts=prompts,
        choice=choice,
        choices=CHOICE_LABELS,
        # The chart escapes every label it draws (tests/unit/test_charts.py).
        chart=Markup(item_analysis_chart(analysis)) if analysis.questions else "",  # noqa: S704
        shown=shown,
    )


@bp.get("/classes/<int:class_id>/memory")
@login_required
def class_memory(class_id: int):
    school_class = taught_class_or_403(class_id)
    memory = book.class_memory_of(db.session, school_class, clock.now())
    prompts = book.question_prompts(db.session, [q.question_id for q in memory.most_forgotten])
    return render_template(
        "quizzes/class_memory.html", school_class=school_class, memory=memory, prompts=prompts
    )
