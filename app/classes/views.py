"""Class pages: a teacher's classes and their roster; a student's classes and joining one."""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import (
    author_or_403,
    class_or_404,
    may_share_bank,
    owned_class_or_403,
    signed_in_user,
    taught_class_or_403,
    teaches,
    visible_banks,
)
from ..attempts import quizzes as quiz_rules
from ..clock import now
from ..errors import DomainError
from ..extensions import db
from ..models import QuestionBank
from ..web import refused, render_form, reported_on
from . import roster
from .forms import ClassForm, CoTeacherForm, JoinForm, ShareBankForm

bp = Blueprint("classes", __name__, url_prefix="/classes", template_folder="templates")


def _join_url(school_class) -> str:  # type: ignore[no-untyped-def]
    return url_for("classes.join_link", code=school_class.join_code, _external=True)


@bp.get("/")
@login_required
def index():
    taught = list(db.session.scalars(roster.taught_classes_query(current_user.id)))
    joined = list(db.session.scalars(roster.joined_classes_query(current_user.id)))
    return render_template(
        "classes/index.html",
        taught=taught,
        joined=joined,
        join_form=JoinForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    user = author_or_403()
    form = ClassForm()
    if request.method == "GET":
        form.time_zone.data = user.time_zone
    if form.validate_on_submit():
        with reported_on(form):
            school_class = roster.create_class(
                db.session,
                user,
                name=form.name.data,
                description=form.description.data or "",
                time_zone=form.time_zone.data,
                now=now(),
            )
            db.session.commit()
            flash(f"Class {school_class.name} created. Students join with its code.", "success")
            return redirect(url_for("classes.show", class_id=school_class.id))
    return render_form("classes/new.html", form)


@bp.get("/<int:class_id>")
@login_required
def show(class_id: int):
    school_class = class_or_404(class_id)
    is_teacher = teaches(current_user, school_class)
    context = {"school_class": school_class, "is_teacher": is_teacher}
    context["quizzes"] = quiz_rules.class_quizzes(
        db.session, school_class.id, published_only=not is_teacher
    )
    if not is_teacher:
        context["quiz_status"] = {
            quiz.id: quiz_rules.student_status(db.session, quiz, current_user.id, now())
            for quiz in context["quizzes"]
        }
    if context["is_teacher"]:
        shared_ids = {shared.bank_id for shared in school_class.shared_banks}
        share_form = ShareBankForm()
        share_form.bank_id.choices = [
            (bank.id, bank.title)
            for bank in visible_banks(db.session, current_user)
            if bank.id not in shared_ids and may_share_bank(current_user, bank)
        ]
        context.update(
            students=roster.students(school_class),
            co_teachers=roster.co_teachers(school_class),
            join_url=_join_url(school_class),
            teacher_form=CoTeacherForm(),
            share_form=share_form,
        )
    return render_template("classes/show.html", **context)


@bp.route("/<int:class_id>/edit", methods=["GET", "POST"])
@login_required
def edit(class_id: int):
    school_class = taught_class_or_403(class_id)
    form = ClassForm(obj=school_class)
    if form.validate_on_submit():
        with reported_on(form):
            roster.update_class(
                db.session,
                school_class,
                name=form.name.data,
                description=form.description.data or "",
                time_zone=form.time_zone.data,
            )
            db.session.commit()
            flash("Class saved.", "success")
            return redirect(url_for("classes.show", class_id=school_class.id))
    return render_form("classes/edit.html", form, school_class=school_class)


@bp.get("/<int:class_id>/qr.svg")
@login_required
def qr_code(class_id: int):
    school_class = taught_class_or_403(class_id)
    buffer = io.BytesIO()
    segno.make(_join_url(school_class), error="m").save(
        buffer, kind="svg", scale=8, border=2, title=f"Join {school_class.name}"
    )
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:class_id>/projector")
@login_required
def projector(class_id: int):
    """The code, link and QR code large, to show on a projector."""
    school_class = taught_class_or_403(class_id)
    return render_template(
        "classes/projector.html", school_class=school_class, join_url=_join_url(school_class)
    )


def _back(school_class) -> str:  # type: ignore[no-untyped-def]
    return url_for("classes.show", class_id=school_class.id)


def _act(school_class, action, message: str):  # type: ignore[no-untyped-def]
    """Run a roster change, commit it and say so; a refusal says why and writes nothing."""
    try:
        action()
    except DomainError as exc:
        return refused(exc, _back(school_class))
    db.session.commit()
    flash(message, "success")
    return redirect(_back(school_class))


@bp.post("/<int:class_id>/code")
@login_required
def regenerate_code(class_id: int):
    school_class = taught_class_or_403(class_id)
    return _act(
        school_class,
        lambda: roster.regenerate_code(db.session, school_class),
        "New join code made: the old one no longer works.",
    )


@bp.post("/<int:class_id>/joining")
@login_required
def joining(class_id: int):
    school_class = taught_class_or_403(class_id)
    is_open = request.form.get("open") == "1"
    return _act(
        school_class,
        lambda: roster.set_joining(db.session, school_class, is_open),
        "Joining is open." if is_open else "Joining is closed: the code lets no one in.",
    )


@bp.post("/<int:class_id>/archive")
@login_required
def archive(class_id: int):
    school_class = owned_class_or_403(class_id)
    archived = request.form.get("archived", "1") == "1"
    return _act(
        school_class,
        lambda: roster.set_archived(db.session, school_class, archived, now()),
        "Class archived." if archived else "Class restored.",
    )


@bp.post("/<int:class_id>/students/<int:user_id>/remove")
@login_required
def remove_student(class_id: int, user_id: int):
    school_class = taught_class_or_403(class_id)
    return _act(
        school_class,
        lambda: roster.remove_student(db.session, school_class, user_id, now()),
        "Student removed from the class.",
    )


@bp.post("/<int:class_id>/students/<int:user_id>/readmit")
@login_required
def readmit_student(class_id: int, user_id: int):
    school_class = taught_class_or_403(class_id)
    return _act(
        school_class,
        lambda: roster.readmit_student(db.session, school_class, user_id),
        "Student let back into the class.",
    )


@bp.post("/<int:class_id>/teachers")
@login_required
def add_teacher(class_id: int):
    school_class = owned_class_or_403(class_id)
    form = CoTeacherForm()
    if not form.validate():
        return refused(
            " ".join(form.email.errors) or "Type the teacher's email.", _back(school_class)
        )
    return _act(
        school_class,
        lambda: roster.add_co_teacher(db.session, school_class, form.email.data, now()),
        "Co-teacher added.",
    )


@bp.post("/<int:class_id>/teachers/<int:user_id>/remove")
@login_required
def remove_teacher(class_id: int, user_id: int):
    school_class = owned_class_or_403(class_id)
    return _act(
        school_class,
        lambda: roster.remove_co_teacher(db.session, school_class, user_id),
        "Co-teacher removed.",
    )


@bp.post("/<int:class_id>/banks")
@login_required
def share_bank(class_id: int):
    school_class = taught_class_or_403(class_id)
    bank_id = request.form.get("bank_id", type=int)
    bank = db.session.get(QuestionBank, bank_id) if bank_id else None
    if bank is None or not may_share_bank(current_user, bank):
        return refused("Choose a bank from the list.", _back(school_class))
    return _act(
        school_class,
        lambda: roster.share_bank(db.session, school_class, bank, current_user, now()),
        f"{bank.title} shared with the class.",
    )


@bp.post("/<int:class_id>/banks/<int:bank_id>/unshare")
@login_required
def unshare_bank(class_id: int, bank_id: int):
    school_class = taught_class_or_403(class_id)
    return _act(
        school_class,
        lambda: roster.unshare_bank(db.session, school_class, bank_id),
        "Bank no longer shared with the class.",
    )


# -- joining -----------------------------------------------------------------------------------


@bp.post("/join")
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        with reported_on(form):
            school_class = roster.class_by_code(db.session, form.code.data)
            return _joined(school_class)
    taught = list(db.session.scalars(roster.taught_classes_query(current_user.id)))
    joined = list(db.session.scalars(roster.joined_classes_query(current_user.id)))
    page = render_template("classes/index.html", taught=taught, joined=joined, join_form=form)
    return page, 422


@bp.get("/join/<code>")
@login_required
def join_link(code: str):
    """The join link (and QR code) lands here: the class's name and one button."""
    signed_in_user()
    try:
        school_class = roster.class_by_code(db.session, code)
    except DomainError as exc:
        return render_template("classes/join.html", school_class=None, error=exc.message), 404
    if teaches(current_user, school_class):
        return redirect(_back(school_class))
    member = roster.membership(db.session, school_class, current_user.id)
    if member is not None and member.active and member.role == "student":
        return redirect(_back(school_class))
    return render_template("classes/join.html", school_class=school_class, error=None)


@bp.post("/join/<code>")
@login_required
def join_by_link(code: str):
    try:
        school_class = roster.class_by_code(db.session, code)
    except DomainError as exc:
        return refused(exc, url_for("classes.index"))
    return _joined(school_class)


def _joined(school_class):  # type: ignore[no-untyped-def]
    try:
        roster.join_class(db.session, school_class, current_user, now())
    except DomainError as exc:
        return refused(exc, url_for("classes.index"))
    db.session.commit()
    flash(f"You are in {school_class.name}.", "success")
    return redirect(_back(school_class))
