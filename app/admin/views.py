from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from ..access import admin_or_403
from ..accounts import (
    create_user,
    end_all_sessions,
    issue_reset_token,
    parse_role,
    record,
    update_account,
)
from ..clock import now
from ..extensions import db
from ..models import AuditEntry, Role, User
from ..web import render_form, reported_on
from .forms import UserCreateForm, UserEditForm

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PAGE_SIZE = 50


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


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
    admin = admin_or_403()
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
            record(db.session, admin, user, "created", f"{user.email} as {user.role}", now())
            db.session.commit()
            flash(f"Created {user.email} as {user.role}.", "success")
            return redirect(url_for("admin.users"))
    return render_form("admin/new_user.html", form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    admin = admin_or_403()
    user = _user_or_404(user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        if user.id == admin.id and (form.role.data != Role.ADMIN.value or not form.active.data):
            # An admin locking themselves out could leave no admin at all.
            form.role.errors = ["You cannot remove your own admin role or deactivate yourself."]
        else:
            with reported_on(form):
                changes = update_account(
                    db.session,
                    user,
                    email=form.email.data,
                    display_name=form.display_name.data,
                    role=parse_role(form.role.data),
                    active=form.active.data,
                )
                if changes:
                    record(db.session, admin, user, "edited", "; ".join(changes), now())
                db.session.commit()
                flash(f"Saved {user.email}.", "success")
                return redirect(url_for("admin.users"))
    return render_form("admin/edit_user.html", form, user=user)


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id: int):
    """A one-time link to set a new password, shown this once; the account is signed out."""
    admin = admin_or_403()
    user = _user_or_404(user_id)
    if not user.active:
        flash("Activate the account first: a deactivated account cannot set a password.", "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    token = issue_reset_token(db.session, user, now())
    end_all_sessions(db.session, user)
    detail = "valid 24 hours, signed out everywhere"
    record(db.session, admin, user, "reset link issued", detail, now())
    db.session.commit()
    link = url_for("auth.reset_password", token=token, _external=True)
    return render_template("admin/reset_link.html", user=user, link=link)


@bp.get("/audit")
def audit():
    admin_or_403()
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/audit.html", page=page)
