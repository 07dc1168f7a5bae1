"""Account rules shared by the sign-up form, the admin pages and the CLI."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import Conflict, Invalid
from .models import Role, User, normalize_email

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


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(PASSWORD_MESSAGE, field="password")
    if password.strip() != password or not password.strip():
        raise AccountError("The password must not start or end with spaces.", field="password")


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
    check_password_rules(password)
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
