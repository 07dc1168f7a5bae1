"""Account rules shared by the sign-up form, the admin pages and the CLI."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import Conflict, Invalid
from .models import AuditEntry, PasswordResetToken, Role, User, UserSession, normalize_email

MIN_PASSWORD_LENGTH = 10
PASSWORD_MESSAGE = f"The password must be at least {MIN_PASSWORD_LENGTH} characters."


class AccountError(Invalid):
    """A readable reason why an account change was refused; `field` names the input at fault."""


class EmailTaken(Conflict, AccountError):
    """Another account already uses this email."""

    def __init__(self, email: str) -> None:
        super().__init__(f"An account with the email {email} already exists.", field="email")


def email_taken(session: Session, email: str, except_user_id: int | None = None) -> bool:
    query = select(func.count()).select_from(User).where(User.email == normalize_email(email))
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return bool(session.scalar(query))


COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The most common passwords (app/data/common_passwords.txt), lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def check_password_rules(password: str, email: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(PASSWORD_MESSAGE, field="password")
    if password.strip() != password or not password.strip():
        raise AccountError("The password must not start or end with spaces.", field="password")
    if email and normalize_email(password) == normalize_email(email):
        raise AccountError("The password must not be your email address.", field="password")
    if password.lower() in common_passwords():
        raise AccountError(
            "This password is one of the most common ones and easy to guess: choose another.",
            field="password",
        )


def is_valid_time_zone(name: str) -> bool:
    if name not in available_time_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: list[str] = []


def available_time_zones() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))
    return _ZONES


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(
            f"Unknown role {value!r}: choose one of {choices}.", field="role"
        ) from None


def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    display_name: str | None = None,
    role: Role = Role.STUDENT,
    time_zone: str = "UTC",
) -> User:
    """Create an account after checking every rule; writes nothing on failure."""
    email = normalize_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an email address.", field="email")
    if email_taken(session, email):
        raise EmailTaken(email)
    check_password_rules(password, email)
    if not is_valid_time_zone(time_zone):
        raise AccountError(
            f"Unknown time zone {time_zone!r}: use an IANA name like Europe/Paris.",
            field="time_zone",
        )
    user = User(
        email=email,
        display_name=(display_name or email.split("@")[0])[:80],
        role=role.value,
        time_zone=time_zone,
        active=True,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


# -- signing in -----------------------------------------------------------------------------

# Checked when the email has no account, so a wrong password takes as long either way.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))

DEACTIVATED_MESSAGE = "This account is deactivated. Ask an administrator."
NO_MATCH_MESSAGE = "That email and password do not match an account."


def authenticate(session: Session, email: str, password: str) -> User:
    """The account `email` and `password` open; AccountError otherwise.

    Unknown emails and wrong passwords get the same message after the same work (a hash
    check). Only someone who knows the password learns that the account is deactivated.
    """
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AccountError(NO_MATCH_MESSAGE, field="password")
    if not user.check_password(password):
        raise AccountError(NO_MATCH_MESSAGE, field="password")
    if not user.is_active:
        raise AccountError(DEACTIVATED_MESSAGE, field="email")
    return user


def start_session(session: Session, user: User) -> str:
    """Open a sign-in for `user`; its token goes into the session and the remember cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token=token))
    session.flush()
    user.session_token = token
    return token


def user_for_session(session: Session, token: str) -> User | None:
    """The active user whose sign-in `token` is, or None when it was ended."""
    if not token or len(token) > 64:
        return None
    user = session.scalar(_user_for_session_statement(), {"token": token})
    if user is None or not user.is_active:
        return None
    user.session_token = token
    return user


@cache
def _user_for_session_statement() -> Select:
    """Run on every request: built once, the token bound on each call."""
    return (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token == bindparam("token"))
    )


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token == token))
        session.flush()


def end_all_sessions(session: Session, user: User) -> None:
    """Sign `user` out everywhere: every session and remember cookie stops working."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def change_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password and end every sign-in of the account."""
    check_password_rules(new_password, user.email)
    user.set_password(new_password)
    end_all_sessions(session, user)


# -- recovery -------------------------------------------------------------------------------

RESET_LINK_VALID_FOR = timedelta(hours=24)
RESET_LINK_INVALID = "This password reset link is not valid any more: ask for a new one."


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_reset_token(session: Session, user: User, now: datetime) -> str:
    """A one-time token to set a new password, valid 24 hours; earlier ones stop working.

    Only its hash is stored: the token itself is shown (or mailed) once.
    """
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + RESET_LINK_VALID_FOR,
        )
    )
    session.flush()
    return token


def reset_token_user(session: Session, token: str, now: datetime) -> User:
    """The account an unused, unexpired `token` resets; AccountError otherwise."""
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise AccountError(RESET_LINK_INVALID)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AccountError(RESET_LINK_INVALID)
    return user


def redeem_reset_token(session: Session, token: str, new_password: str, now: datetime) -> User:
    """Use `token` once to set `new_password`; ends every sign-in of the account."""
    user = reset_token_user(session, token, now)
    change_password(session, user, new_password)
    # Only one of two simultaneous uses can mark the token used.
    marked = session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == _token_hash(token),
            PasswordResetToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if marked.rowcount != 1:
        raise AccountError(RESET_LINK_INVALID)
    session.flush()
    return user


# -- administration -------------------------------------------------------------------------


def record(
    session: Session,
    actor: User | None,
    target: User | None,
    action: str,
    detail: str,
    now: datetime,
) -> AuditEntry:
    """Add an entry to the account audit log."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        target_id=target.id if target else None,
        action=action,
        detail=detail[:2000],
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def active_admin_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True))
        )
        or 0
    )


def update_account(
    session: Session,
    user: User,
    *,
    email: str,
    display_name: str,
    role: Role,
    active: bool,
) -> list[str]:
    """Apply an administrator's edit; returns what changed, refuses leaving no active admin.

    Deactivating an account ends all its sign-ins.
    """
    email = normalize_email(email)
    display_name = display_name.strip()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an email address.", field="email")
    if not display_name:
        raise AccountError("Give a display name.", field="display_name")
    if email != user.email and email_taken(session, email, except_user_id=user.id):
        raise EmailTaken(email)
    was_active_admin = user.role == Role.ADMIN.value and user.active
    stays_active_admin = role is Role.ADMIN and active
    if was_active_admin and not stays_active_admin and active_admin_count(session) <= 1:
        raise AccountError(
            "This is the last active administrator: make another one first.", field="role"
        )
    changes = []
    if email != user.email:
        changes.append(f"email {user.email} → {email}")
        user.email = email
    if display_name != user.display_name:
        changes.append(f"name {user.display_name} → {display_name}")
        user.display_name = display_name[:80]
    if role.value != user.role:
        changes.append(f"role {user.role} → {role.value}")
        user.role = role.value
    if bool(active) != bool(user.active):
        changes.append("activated" if active else "deactivated")
        user.active = bool(active)
        if not active:
            end_all_sessions(session, user)
    session.flush()
    return changes
