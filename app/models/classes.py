"""Classes a teacher runs: their members (teachers and students) and the banks shared with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .banks import QuestionBank
from .base import Base
from .types import UtcDateTime, utcnow
from .users import User

MEMBER_ROLES = ("teacher", "student")


class SchoolClass(Base):
    """A class: its owner teaches it; students join it with its code while joining is open."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    joining_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()
    members: Mapped[list[ClassMember]] = relationship(
        back_populates="school_class",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ClassMember.id",
    )
    shared_banks: Mapped[list[ClassBank]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ClassBank.id"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class ClassMember(Base):
    """One user in one class, as a co-teacher or a student; a removed student keeps the row."""

    __tablename__ = "class_members"
    __table_args__ = (
        UniqueConstraint("class_id", "user_id"),
        CheckConstraint("role in ('teacher', 'student')", name="member_role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="student", server_default="student")
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    school_class: Mapped[SchoolClass] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.removed_at is None


class ClassBank(Base):
    """A bank a teacher shared with a class: its students browse, practise and review it."""

    __tablename__ = "class_banks"
    __table_args__ = (UniqueConstraint("class_id", "bank_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    bank: Mapped[QuestionBank] = relationship()
