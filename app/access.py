"""Who may do what: role and ownership, checked here and nowhere else."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import LoginManager, current_user

from .extensions import db
from .models import Role, User

_ANY_OWNER = object()


def check_access(*roles: Role, owner_id: int | None | object = _ANY_OWNER) -> None:
    """Abort unless the user has one of `roles` and owns the object. Admins pass.

    Anonymous users are sent to log in; a signed-in user without the role gets
    403; one with the role who does not own the object gets 403 as well (the
    object is visible to them, only not theirs to change). An object with no
    owner (`owner_id=None`, e.g. a seeded bank) is for admins only.
    """
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    role = current_user.role_enum
    if role is Role.ADMIN:
        return
    if roles and role not in roles:
        abort(403)
    if owner_id is not _ANY_OWNER and owner_id != current_user.id:
        abort(403)


def can_edit(owner_id: int | None) -> bool:
    """For templates: would check_access(TEACHER, owner_id=...) pass?"""
    if not current_user.is_authenticated:
        return False
    if current_user.role_enum is Role.ADMIN:
        return True
    return current_user.role_enum is Role.TEACHER and owner_id == current_user.id


def has_role(*roles: Role) -> bool:
    if not current_user.is_authenticated:
        return False
    return current_user.role_enum is Role.ADMIN or current_user.role_enum in roles


def register_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

    @login_manager.unauthorized_handler
    def unauthorized():  # type: ignore[no-untyped-def]
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths: no open redirect through a `next` value."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return fallback
