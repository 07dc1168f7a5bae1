"""Class rules on a session: who may join, what a removal keeps, what archiving stops."""

from __future__ import annotations

import pytest

from app.classes import roster
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models import Role
from tests.factories import CLOCK_START, make_bank


@pytest.fixture
def school_class(app, teacher):
    return roster.create_class(db.session, teacher, name="Class", now=CLOCK_START)


def test_only_teachers_create_classes(app, student):
    with pytest.raises(Invalid, match="Only teachers"):
        roster.create_class(db.session, student, name="Mine", now=CLOCK_START)


def test_the_owner_and_co_teachers_cannot_join_as_students(app, school_class, teacher, make_user):
    co = make_user(Role.TEACHER)
    roster.add_co_teacher(db.session, school_class, co.email, CLOCK_START)
    for user in (teacher, co):
        with pytest.raises(Conflict, match="You teach this class"):
            roster.join_class(db.session, school_class, user, CLOCK_START)


def test_a_co_teacher_is_added_once(app, school_class, teacher, make_user):
    co = make_user(Role.TEACHER)
    roster.add_co_teacher(db.session, school_class, co.email, CLOCK_START)
    with pytest.raises(Conflict, match="already teaches"):
        roster.add_co_teacher(db.session, school_class, co.email, CLOCK_START)
    with pytest.raises(Conflict, match="already teaches"):
        roster.add_co_teacher(db.session, school_class, teacher.email, CLOCK_START)
    roster.remove_co_teacher(db.session, school_class, co.id)
    assert roster.co_teachers(school_class) == []
    with pytest.raises(NotFound):
        roster.remove_co_teacher(db.session, school_class, co.id)


def test_removal_keeps_the_row_and_its_join_date(app, school_class, student):
    member = roster.join_class(db.session, school_class, student, CLOCK_START)
    roster.remove_student(db.session, school_class, student.id, CLOCK_START.replace(hour=13))
    assert member.joined_at == CLOCK_START and member.removed_at.hour == 13
    assert not member.active
    assert list(db.session.scalars(roster.joined_classes_query(student.id))) == []
    roster.readmit_student(db.session, school_class, student.id)
    assert member.active and member.joined_at == CLOCK_START


def test_an_archived_class_refuses_changes_until_restored(app, school_class, teacher, student):
    roster.set_archived(db.session, school_class, True, CLOCK_START)
    bank = make_bank("B", commit=False)
    for change in (
        lambda: roster.regenerate_code(db.session, school_class),
        lambda: roster.set_joining(db.session, school_class, False),
        lambda: roster.share_bank(db.session, school_class, bank, teacher, CLOCK_START),
        lambda: roster.update_class(
            db.session, school_class, name="N", description="", time_zone="UTC"
        ),
    ):
        with pytest.raises(Conflict, match="archived"):
            change()
    roster.set_archived(db.session, school_class, False, CLOCK_START)
    assert roster.regenerate_code(db.session, school_class) == school_class.join_code


def test_codes_are_normalized_and_unknown_ones_not_found(app, school_class):
    code = school_class.join_code
    assert roster.class_by_code(db.session, f" {code.lower()[:2]} - {code[2:]}") is school_class
    for bad in ("", "   ", "X" * 40):
        with pytest.raises(NotFound, match="No class has this code"):
            roster.class_by_code(db.session, bad)
