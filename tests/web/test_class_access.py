"""Who may open and change what in a class: every class route as every kind of user."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.classes import roster
from app.extensions import db
from app.models import Role
from tests.factories import CLOCK_START, make_bank

PEOPLE = [
    "owner",
    "co_teacher",
    "other_teacher",
    "student",
    "removed_student",
    "other_student",
    "anonymous",
    "admin",
]
OK, LOGIN = "ok", "login"

# What each person gets: "ok" (200 for a page, a redirect back to the class for an action),
# 403, 404, or "login" (an anonymous visitor is sent to log in).
TEACHERS_ONLY = {
    "owner": OK,
    "co_teacher": OK,
    "other_teacher": 404,
    "student": 403,
    "removed_student": 404,
    "other_student": 404,
    "anonymous": LOGIN,
    "admin": OK,
}
OWNER_ONLY = {**TEACHERS_ONLY, "co_teacher": 403}
MEMBERS = {**TEACHERS_ONLY, "student": OK}

ROUTES = [
    ("GET", "/classes/{id}", MEMBERS),
    ("GET", "/classes/{id}/edit", TEACHERS_ONLY),
    ("POST", "/classes/{id}/edit", TEACHERS_ONLY),
    ("GET", "/classes/{id}/qr.svg", TEACHERS_ONLY),
    ("GET", "/classes/{id}/projector", TEACHERS_ONLY),
    ("POST", "/classes/{id}/code", TEACHERS_ONLY),
    ("POST", "/classes/{id}/joining", TEACHERS_ONLY),
    ("POST", "/classes/{id}/students/{student}/remove", TEACHERS_ONLY),
    ("POST", "/classes/{id}/students/{removed}/readmit", TEACHERS_ONLY),
    ("POST", "/classes/{id}/banks", TEACHERS_ONLY),
    ("POST", "/classes/{id}/banks/{shared_bank}/unshare", TEACHERS_ONLY),
    ("POST", "/classes/{id}/archive", OWNER_ONLY),
    ("POST", "/classes/{id}/teachers", OWNER_ONLY),
    ("POST", "/classes/{id}/teachers/{co_teacher}/remove", OWNER_ONLY),
]


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        owner=make_user(Role.TEACHER),
        co_teacher=make_user(Role.TEACHER),
        other_teacher=make_user(Role.TEACHER),
        student=make_user(Role.STUDENT),
        removed_student=make_user(Role.STUDENT),
        other_student=make_user(Role.STUDENT),
        admin=make_user(Role.ADMIN),
        extra_teacher=make_user(Role.TEACHER),
    )


def build_class(people):
    """A fresh class with a co-teacher, a student, a removed student and a shared bank."""
    c = roster.create_class(db.session, people.owner, name="Class", now=CLOCK_START)
    roster.add_co_teacher(db.session, c, people.co_teacher.email, CLOCK_START)
    roster.join_class(db.session, c, people.student, CLOCK_START)
    roster.join_class(db.session, c, people.removed_student, CLOCK_START)
    roster.remove_student(db.session, c, people.removed_student.id, CLOCK_START)
    shared = make_bank("Shared", commit=False)
    roster.share_bank(db.session, c, shared, people.owner, CLOCK_START)
    unshared = make_bank("Not shared yet", commit=False)
    db.session.commit()
    return c, shared, unshared


def form_for(path, people, unshared):
    if path.endswith("/edit"):
        return {"name": "Renamed", "description": "", "time_zone": "UTC"}
    if path.endswith("/banks"):
        return {"bank_id": str(unshared.id)}
    if path.endswith("/teachers"):
        return {"email": people.extra_teacher.email}
    if path.endswith("/joining"):
        return {"open": "0"}
    return {}


@pytest.mark.parametrize("person", PEOPLE)
def test_every_class_route_answers_each_person_as_the_rules_say(app, client, auth, people, person):
    if person != "anonymous":
        assert auth.login(getattr(people, person)).status_code == 302
    for method, template, expected in ROUTES:
        c, shared, unshared = build_class(people)
        path = template.format(
            id=c.id,
            student=people.student.id,
            removed=people.removed_student.id,
            shared_bank=shared.id,
            co_teacher=people.co_teacher.id,
        )
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=form_for(path, people, unshared))
        want = expected[person]
        where = f"{person} {method} {path}"
        if want == LOGIN:
            assert response.status_code == 302, where
            assert "/auth/login" in response.headers["Location"], where
        elif want == OK and method == "POST":
            assert response.status_code == 302, where
            assert response.headers["Location"].endswith(f"/classes/{c.id}"), where
        elif want == OK:
            assert response.status_code == 200, where
        else:
            assert response.status_code == want, where


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("owner", 200),
        ("other_teacher", 200),
        ("admin", 200),
        ("student", 403),
        ("anonymous", LOGIN),
    ],
)
def test_only_teachers_open_the_new_class_form(client, auth, people, person, expected):
    if person != "anonymous":
        auth.login(getattr(people, person))
    response = client.get("/classes/new")
    if expected == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == expected


def test_students_cannot_create_a_class_by_posting(client, auth, people):
    auth.login(people.student)
    response = client.post("/classes/new", data={"name": "Mine", "time_zone": "UTC"})
    assert response.status_code == 403
    assert list(db.session.scalars(roster.joined_classes_query(people.student.id))) == []


def test_a_teacher_lists_only_the_classes_they_teach_and_a_student_only_those_joined(
    client, auth, people
):
    mine = roster.create_class(db.session, people.owner, name="Mine", now=CLOCK_START)
    roster.create_class(db.session, people.other_teacher, name="Theirs", now=CLOCK_START)
    joined = roster.create_class(db.session, people.other_teacher, name="Joined", now=CLOCK_START)
    roster.join_class(db.session, joined, people.student, CLOCK_START)
    left = roster.create_class(db.session, people.other_teacher, name="Left", now=CLOCK_START)
    roster.join_class(db.session, left, people.student, CLOCK_START)
    roster.remove_student(db.session, left, people.student.id, CLOCK_START)
    roster.add_co_teacher(db.session, mine, people.co_teacher.email, CLOCK_START)
    db.session.commit()

    auth.login(people.owner)
    page = client.get("/classes/").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page and "Joined" not in page
    auth.logout()

    auth.login(people.co_teacher)
    page = client.get("/classes/").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    auth.logout()

    auth.login(people.student)
    page = client.get("/classes/").get_data(as_text=True)
    assert "Joined" in page and "Mine" not in page and "Theirs" not in page and "Left" not in page
