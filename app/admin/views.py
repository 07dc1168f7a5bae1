from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..access import admin_or_403
from ..accounts import create_user, parse_role
from ..extensions import db
from ..models import Role, User
from ..web import render_form, reported_on
from .forms import UserCreateForm, UserEditForm

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PAGE_SIZE = 50


@bp.get("/users")
def users():
    admin_or_403()
    search = request.args.get("q", "").strip()
    query = select(User).order_by(User.email)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(User.email.like(like), func.lower(User.display_name).like(like)))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    admin_or_403()
    form = UserCreateForm()
    if form.validate_on_submit():
        with reported_on(form):
            user = create_user(
                db.session,
                form.email.data,
                form.password.data,
                display_name=form.display_name.data,
                role=parse_role(form.role.data),
            )
            db.session.commit()
            flash(f"Created {user.email} as {user.role}.", "success")
            return redirect(url_for("admin.users"))
    return render_form("admin/new_user.html", form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    admin_or_403()
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (
            form.role.data != Role.ADMIN.value or not form.active.data
        ):
            # An admin locking themselves out could leave no admin at all.
            form.role.errors = ["You cannot remove your own admin role or deactivate yourself."]
        else:
            with reported_on(form):
                user.role = parse_role(form.role.data).value
                user.active = form.active.data
                db.session.commit()
                flash(f"Saved {user.email}.", "success")
                return redirect(url_for("admin.users"))
    return render_form("admin/edit_user.html", form, user=user)
