from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access import safe_next
from ..accounts import EmailTaken, check_password_rules, create_user
from ..extensions import db, limiter
from ..models import User, normalize_email
from ..web import render_form, reported_on
from .forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        with reported_on(form):
            try:
                user = create_user(
                    db.session,
                    form.email.data,
                    form.password.data,
                    display_name=form.display_name.data.strip(),
                    time_zone=form.time_zone.data,
                )
                db.session.commit()
            except IntegrityError:
                # The same email registered at the same moment (a double submit): one account.
                raise EmailTaken(normalize_email(form.email.data)) from None
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("core.home"))
    return render_form("auth/register.html", form)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == normalize_email(form.email.data)))
        if user is None or not user.check_password(form.password.data):
            form.password.errors = ["That email and password do not match an account."]
        elif not user.is_active:
            form.email.errors = ["This account is deactivated. Ask an administrator."]
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Logged in as {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    return render_form("auth/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors = ["That is not your current password."]
        else:
            with reported_on(form, fields={"password": "new_password"}):
                check_password_rules(form.new_password.data)
                current_user.set_password(form.new_password.data)
                db.session.commit()
                flash("Your password is changed.", "success")
                return redirect(url_for("auth.profile"))
    return render_form("auth/password.html", form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.time_zone = form.time_zone.data
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("auth.profile"))
    return render_form("auth/profile.html", form)
