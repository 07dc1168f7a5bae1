from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..access import safe_next, signed_in_user
from ..accounts import (
    AccountError,
    EmailTaken,
    authenticate,
    create_user,
    end_all_sessions,
    end_session,
    issue_reset_token,
    record,
    redeem_reset_token,
    reset_token_user,
    start_session,
)
from ..accounts import (
    change_password as set_new_password,
)
from ..clock import now
from ..extensions import db, limiter
from ..mail import mail_enabled, send_mail
from ..models import User, normalize_email
from ..web import render_form, reported_on
from .forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def _config_limit(name: str):  # type: ignore[no-untyped-def]
    return lambda: current_app.config[name]


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    """Only refused attempts count: a successful login redirects."""
    return response.status_code == 422


def _address_key() -> str:
    return f"address:{get_remote_address()}"


def _email_key() -> str:
    email = normalize_email(request.form.get("email", ""))[:254]
    return f"email:{email}" if email else _address_key()


def _user_key() -> str:
    return f"user:{getattr(current_user, 'id', None) or get_remote_address()}"


def sign_in(user: User, *, remember: bool = False) -> None:
    """Open a new sign-in for `user` in this browser, with a fresh CSRF token."""
    start_session(db.session, user)
    db.session.commit()
    login_user(user, remember=remember)
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_config_limit("SIGNUP_RATE_LIMIT"), key_func=_address_key, methods=["POST"])
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
            sign_in(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("core.home"))
    return render_form("auth/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT"), key_func=_email_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    _config_limit("LOGIN_ADDRESS_RATE_LIMIT"),
    key_func=_address_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        with reported_on(form):
            user = authenticate(db.session, form.email.data, form.password.data)
            sign_in(user, remember=form.remember.data)
            flash(f"Logged in as {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    return render_form("auth/login.html", form, can_mail_reset=mail_enabled(current_app.config))


@bp.post("/logout")
@login_required
def logout():
    end_session(db.session, current_user.session_token)
    db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    end_all_sessions(db.session, current_user)
    db.session.commit()
    logout_user()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    _config_limit("PASSWORD_RATE_LIMIT"), key_func=_user_key, methods=["POST"], deduct_when=_failed
)
def change_password():
    user = signed_in_user()._get_current_object()  # type: ignore[attr-defined]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors = ["That is not your current password."]
        else:
            with reported_on(form, fields={"password": "new_password"}):
                set_new_password(db.session, user, form.new_password.data)
                db.session.commit()
                # Every other sign-in has ended; this browser stays signed in.
                remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                sign_in(user, remember=remember_cookie in request.cookies)
                flash("Your password is changed. You are logged out everywhere else.", "success")
                return redirect(url_for("auth.profile"))
    return render_form("auth/password.html", form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.time_zone = form.time_zone.data
        current_user.share_reviews_with_classes = bool(form.share_reviews_with_classes.data)
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("auth.profile"))
    return render_form("auth/profile.html", form)


FORGOT_ANSWER = (
    "If an account uses that email, a link to set a new password is on its way. "
    "It works once, within 24 hours."
)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_config_limit("RESET_RATE_LIMIT"), key_func=_email_key, methods=["POST"])
@limiter.limit(_config_limit("SIGNUP_RATE_LIMIT"), key_func=_address_key, methods=["POST"])
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("auth.change_password"))
    enabled = mail_enabled(current_app.config)
    form = ForgotPasswordForm()
    if enabled and form.validate_on_submit():
        email = normalize_email(form.email.data)
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is not None and user.is_active:
            token = issue_reset_token(db.session, user, now())
            detail = "asked for on the login page"
            record(db.session, None, user, "reset link mailed", detail, now())
            db.session.commit()
            link = url_for("auth.reset_password", token=token, _external=True)
            send_mail(
                current_app.config,
                user.email,
                "Set a new password for Recall",
                f"Hello {user.display_name},\n\nOpen this link to set a new password:\n\n"
                f"{link}\n\nIt works once, within 24 hours. If you did not ask for it, "
                "ignore this message: your password stays as it is.\n",
            )
        flash(FORGOT_ANSWER, "info")
        return redirect(url_for("auth.login"))
    return render_form("auth/forgot.html", form, enabled=enabled)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_config_limit("LOGIN_ADDRESS_RATE_LIMIT"), key_func=_address_key, methods=["POST"])
def reset_password(token: str):
    try:
        user = reset_token_user(db.session, token, now())
    except AccountError as exc:
        return render_template("auth/reset.html", form=None, message=exc.message), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with reported_on(form, fields={"password": "new_password"}, fallback="new_password"):
            redeem_reset_token(db.session, token, form.new_password.data, now())
            record(db.session, user, user, "password reset", "through a reset link", now())
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash("Your password is set. Log in with it.", "success")
            return redirect(url_for("auth.login"))
    return render_form("auth/reset.html", form, message=None, user=user)
