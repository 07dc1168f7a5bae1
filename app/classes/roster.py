"""Class rules: creating a class, its join code, joining, the roster, co-teachers, shared banks.

Plain functions on a SQLAlchemy session and plain values; they flush but never commit, take
`now` as an argument and raise `app.errors` kinds with a message a person can read.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts import is_valid_time_zone
from ..errors import Conflict, Invalid, NotFound
from ..models import ClassBank, ClassMember, QuestionBank, Role, SchoolClass, User, normalize_email

# No 0/O, 1/I/L, 5/S or 2/Z: a code read off a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 7
MAX_NAME = 120
MAX_DESCRIPTION = 5000


def new_join_code(session: Session) -> str:
    """A code no class uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code


def normalize_code(raw: str) -> str:
    """What a student typed, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]+", "", raw or "").upper()


def _check_fields(name: str, description: str, time_zone: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise Invalid("Give the class a name.", field="name")
    if len(name) > MAX_NAME:
        raise Invalid(f"The name must be at most {MAX_NAME} characters.", field="name")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f"The description must be at most {MAX_DESCRIPTION} characters.", field="description"
        )
    if not is_valid_time_zone(time_zone or ""):
        raise Invalid(
            f"Unknown time zone {time_zone!r}: use an IANA name like Europe/Paris.",
            field="time_zone",
        )
    return name, description


def create_class(
    session: Session,
    owner: User,
    *,
    name: str,
    description: str = "",
    time_zone: str = "UTC",
    now: datetime,
) -> SchoolClass:
    if owner.role_enum not in (Role.TEACHER, Role.ADMIN):
        raise Invalid("Only teachers create classes.")
    name, description = _check_fields(name, description, time_zone)
    school_class = SchoolClass(
        owner_id=owner.id,
        name=name,
        description=description,
        time_zone=time_zone,
        join_code=new_join_code(session),
        joining_open=True,
        created_at=now,
    )
    session.add(school_class)
    session.flush()
    return school_class


def update_class(
    session: Session, school_class: SchoolClass, *, name: str, description: str, time_zone: str
) -> SchoolClass:
    _check_not_archived(school_class)
    school_class.name, school_class.description = _check_fields(name, description, time_zone)
    school_class.time_zone = time_zone
    session.flush()
    return school_class


def _check_not_archived(school_class: SchoolClass) -> None:
    if school_class.archived:
        raise Conflict("This class is archived: restore it before changing it.")


def regenerate_code(session: Session, school_class: SchoolClass) -> str:
    """A new code; the old one stops working at once."""
    _check_not_archived(school_class)
    school_class.join_code = new_join_code(session)
    session.flush()
    return school_class.join_code


def set_joining(session: Session, school_class: SchoolClass, is_open: bool) -> None:
    _check_not_archived(school_class)
    school_class.joining_open = is_open
    session.flush()


def set_archived(
    session: Session, school_class: SchoolClass, archived: bool, now: datetime
) -> None:
    """Archive (no joining, no changes; members still see it) or restore the class."""
    school_class.archived_at = now if archived else None
    session.flush()


def class_by_code(session: Session, raw_code: str) -> SchoolClass:
    code = normalize_code(raw_code)
    school_class = None
    if len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET):
        school_class = session.scalar(select(SchoolClass).where(SchoolClass.join_code == code))
    if school_class is None:
        raise NotFound("No class has this code. Check it with your teacher.", field="code")
    return school_class


def membership(session: Session, school_class: SchoolClass, user_id: int) -> ClassMember | None:
    return session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.user_id == user_id
        )
    )


def join_class(
    session: Session, school_class: SchoolClass, user: User, now: datetime
) -> ClassMember:
    """Enrol `user` as a student; joining twice is harmless."""
    if school_class.owner_id == user.id:
        raise Conflict("You teach this class.", field="code")
    member = membership(session, school_class, user.id)
    if member is not None and member.role == "teacher":
        raise Conflict("You teach this class.", field="code")
    if member is not None and member.active:
        return member
    if school_class.archived:
        raise Conflict("This class is archived: it takes no new students.", field="code")
    if member is not None:
        raise Conflict(
            "Your teacher removed you from this class; ask them to let you back in.", field="code"
        )
    if not school_class.joining_open:
        raise Conflict("This class is closed to new students. Ask your teacher.", field="code")
    member = ClassMember(class_id=school_class.id, user_id=user.id, role="student", joined_at=now)
    session.add(member)
    session.flush()
    return member


def _student(session: Session, school_class: SchoolClass, user_id: int) -> ClassMember:
    member = membership(session, school_class, user_id)
    if member is None or member.role != "student":
        raise NotFound("That student is not in this class.")
    return member


def remove_student(
    session: Session, school_class: SchoolClass, user_id: int, now: datetime
) -> ClassMember:
    """The student loses access to the class; their own history stays theirs."""
    _check_not_archived(school_class)
    member = _student(session, school_class, user_id)
    if member.removed_at is None:
        member.removed_at = now
    session.flush()
    return member


def readmit_student(session: Session, school_class: SchoolClass, user_id: int) -> ClassMember:
    _check_not_archived(school_class)
    member = _student(session, school_class, user_id)
    member.removed_at = None
    session.flush()
    return member


def add_co_teacher(
    session: Session, school_class: SchoolClass, email: str, now: datetime
) -> ClassMember:
    _check_not_archived(school_class)
    user = session.scalar(select(User).where(User.email == normalize_email(email or "")))
    if user is None:
        raise Invalid("No account has this email.", field="email")
    if user.role_enum not in (Role.TEACHER, Role.ADMIN):
        raise Invalid(f"{user.display_name} is not a teacher.", field="email")
    if user.id == school_class.owner_id:
        raise Conflict(f"{user.display_name} already teaches this class.", field="email")
    member = membership(session, school_class, user.id)
    if member is not None and member.role == "teacher":
        raise Conflict(f"{user.display_name} already teaches this class.", field="email")
    if member is None:
        member = ClassMember(class_id=school_class.id, user_id=user.id, joined_at=now)
        session.add(member)
    member.role = "teacher"
    member.removed_at = None
    session.flush()
    return member


def remove_co_teacher(session: Session, school_class: SchoolClass, user_id: int) -> None:
    member = membership(session, school_class, user_id)
    if member is None or member.role != "teacher":
        raise NotFound("That teacher is not a co-teacher of this class.")
    session.delete(member)
    session.flush()


def share_bank(
    session: Session, school_class: SchoolClass, bank: QuestionBank, by: User, now: datetime
) -> ClassBank:
    _check_not_archived(school_class)
    if bank.personal:
        raise Invalid("A personal deck stays private: it cannot be shared.", field="bank_id")
    shared = session.scalar(
        select(ClassBank).where(ClassBank.class_id == school_class.id, ClassBank.bank_id == bank.id)
    )
    if shared is not None:
        raise Conflict(f"{bank.title} is already shared with this class.", field="bank_id")
    shared = ClassBank(class_id=school_class.id, bank_id=bank.id, shared_by_id=by.id, shared_at=now)
    session.add(shared)
    session.flush()
    return shared


def unshare_bank(session: Session, school_class: SchoolClass, bank_id: int) -> None:
    shared = session.scalar(
        select(ClassBank).where(ClassBank.class_id == school_class.id, ClassBank.bank_id == bank_id)
    )
    if shared is None:
        raise NotFound("That bank is not shared with this class.")
    session.delete(shared)
    session.flush()


def students(school_class: SchoolClass) -> list[ClassMember]:
    """Every student row, current ones first, each group by name."""
    rows = [m for m in school_class.members if m.role == "student"]
    return sorted(rows, key=lambda m: (m.removed_at is not None, m.user.display_name.lower()))


def co_teachers(school_class: SchoolClass) -> list[ClassMember]:
    return [m for m in school_class.members if m.role == "teacher"]


def taught_classes_query(user_id: int):  # type: ignore[no-untyped-def]
    """Classes the user owns or co-teaches, newest first."""
    co_taught = select(ClassMember.class_id).where(
        ClassMember.user_id == user_id, ClassMember.role == "teacher"
    )
    return (
        select(SchoolClass)
        .where((SchoolClass.owner_id == user_id) | SchoolClass.id.in_(co_taught))
        .order_by(SchoolClass.created_at.desc(), SchoolClass.id.desc())
    )


def joined_classes_query(user_id: int):  # type: ignore[no-untyped-def]
    """Classes the user is a current student of, by name."""
    joined = select(ClassMember.class_id).where(
        ClassMember.user_id == user_id,
        ClassMember.role == "student",
        ClassMember.removed_at.is_(None),
    )
    return select(SchoolClass).where(SchoolClass.id.in_(joined)).order_by(SchoolClass.name)


def shared_bank_ids_query(user_id: int):  # type: ignore[no-untyped-def]
    """Ids of the banks shared with any class the user currently belongs to as a student."""
    joined = select(ClassMember.class_id).where(
        ClassMember.user_id == user_id,
        ClassMember.role == "student",
        ClassMember.removed_at.is_(None),
    )
    return select(ClassBank.bank_id).where(ClassBank.class_id.in_(joined))
