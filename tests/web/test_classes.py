"""A teacher's class: creating it, the join code, link and QR code, joining, the roster."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.classes import roster
from app.extensions import db
from app.models import ClassMember, Role, SchoolClass
from tests.factories import CLOCK_START, make_bank


def only_class() -> SchoolClass:
    return db.session.scalars(select(SchoolClass)).one()


def test_a_teacher_creates_a_class_and_gets_a_code_link_and_qr_code(teacher_client, clock):
    response = teacher_client.post(
        "/classes/new",
        data={"name": "History 9B", "description": "Tuesdays", "time_zone": "Europe/Paris"},
    )
    c = only_class()
    assert response.status_code == 302 and response.headers["Location"] == f"/classes/{c.id}"
    assert (c.name, c.description, c.time_zone) == ("History 9B", "Tuesdays", "Europe/Paris")
    assert c.created_at == CLOCK_START and c.joining_open and not c.archived
    page = teacher_client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert c.join_code in page and f"/classes/join/{c.join_code}" in page
    assert f"/classes/{c.id}/qr.svg" in page
    qr = teacher_client.get(f"/classes/{c.id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and b"<path" in qr.data
    projector = teacher_client.get(f"/classes/{c.id}/projector").get_data(as_text=True)
    assert c.join_code in projector and f"http://localhost/classes/join/{c.join_code}" in projector


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "time_zone": "UTC"}, "Give the class a name."),
        ({"name": "X" * 121, "time_zone": "UTC"}, "at most 120"),
        ({"name": "Fine", "time_zone": "Mars/Olympus"}, "Choose a time zone"),
    ],
)
def test_bad_class_input_gets_a_message_and_writes_nothing(teacher_client, data, message):
    response = teacher_client.post("/classes/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SchoolClass)) == 0


def test_a_teacher_edits_the_class(teacher_client, teacher):
    c = roster.create_class(db.session, teacher, name="Old", now=CLOCK_START)
    db.session.commit()
    page = teacher_client.get(f"/classes/{c.id}/edit").get_data(as_text=True)
    assert 'value="Old"' in page
    response = teacher_client.post(
        f"/classes/{c.id}/edit", data={"name": "New", "description": "d", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    db.session.refresh(c)
    assert (c.name, c.time_zone) == ("New", "Asia/Tokyo")


def test_join_codes_are_short_unique_and_free_of_look_alike_characters(app, teacher):
    codes = {
        roster.create_class(db.session, teacher, name=f"C{n}", now=CLOCK_START).join_code
        for n in range(40)
    }
    assert len(codes) == 40
    for code in codes:
        assert len(code) == roster.CODE_LENGTH
        assert not set(code) & set("0O1IL5S2Z")


def test_a_student_joins_with_the_code_typed_loosely(app, client, auth, teacher, student):
    c = roster.create_class(db.session, teacher, name="Biology", now=CLOCK_START)
    db.session.commit()
    auth.login(student)
    typed = f" {c.join_code[:3].lower()}-{c.join_code[3:].lower()} "
    response = client.post("/classes/join", data={"code": typed})
    assert response.status_code == 302 and response.headers["Location"] == f"/classes/{c.id}"
    assert roster.membership(db.session, c, student.id).active
    page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert "Biology" in page and c.join_code not in page  # students do not see the roster tools
    assert "Biology" in client.get("/classes/").get_data(as_text=True)
    # Joining again is harmless.
    assert client.post("/classes/join", data={"code": c.join_code}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ClassMember)) == 1


def test_a_student_joins_through_the_link(app, client, auth, teacher, student):
    c = roster.create_class(db.session, teacher, name="Chemistry", now=CLOCK_START)
    db.session.commit()
    anonymous = client.get(f"/classes/join/{c.join_code}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    auth.login(student)
    page = client.get(f"/classes/join/{c.join_code}")
    assert page.status_code == 200 and "Join Chemistry" in page.get_data(as_text=True)
    assert roster.membership(db.session, c, student.id) is None  # opening the link joins nothing
    response = client.post(f"/classes/join/{c.join_code}")
    assert response.status_code == 302 and response.headers["Location"] == f"/classes/{c.id}"
    assert roster.membership(db.session, c, student.id).active
    # Once in, the link leads to the class.
    assert client.get(f"/classes/join/{c.join_code}").headers["Location"] == f"/classes/{c.id}"


def test_a_wrong_code_says_so_and_joins_nothing(student_client):
    response = student_client.post("/classes/join", data={"code": "NOPE999"})
    assert response.status_code == 422
    assert "No class has this code" in response.get_data(as_text=True)
    empty = student_client.post("/classes/join", data={"code": "  "})
    assert empty.status_code == 422 and "Type the code" in empty.get_data(as_text=True)
    link = student_client.get("/classes/join/NOPE999")
    assert link.status_code == 404 and "No class has this code" in link.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ClassMember)) == 0


def test_a_new_code_stops_the_old_one(app, client, auth, teacher, student):
    c = roster.create_class(db.session, teacher, name="Maths", now=CLOCK_START)
    db.session.commit()
    old = c.join_code
    auth.login(teacher)
    client.post(f"/classes/{c.id}/code")
    db.session.refresh(c)
    assert c.join_code != old
    auth.logout()
    auth.login(student)
    response = client.post("/classes/join", data={"code": old}, follow_redirects=True)
    assert "No class has this code" in response.get_data(as_text=True)
    client.post("/classes/join", data={"code": c.join_code})
    assert roster.membership(db.session, c, student.id).active


def test_closed_joining_and_archived_classes_take_no_one(app, client, auth, teacher, student):
    c = roster.create_class(db.session, teacher, name="Art", now=CLOCK_START)
    db.session.commit()
    auth.login(teacher)
    client.post(f"/classes/{c.id}/joining", data={"open": "0"})
    auth.logout()
    auth.login(student)
    response = client.post("/classes/join", data={"code": c.join_code}, follow_redirects=True)
    assert "closed to new students" in response.get_data(as_text=True)
    assert roster.membership(db.session, c, student.id) is None
    auth.logout()

    auth.login(teacher)
    client.post(f"/classes/{c.id}/joining", data={"open": "1"})
    client.post(f"/classes/{c.id}/archive", data={"archived": "1"})
    db.session.refresh(c)
    assert c.archived and c.joining_open
    refused = client.post(f"/classes/{c.id}/code", follow_redirects=True)
    assert "archived" in refused.get_data(as_text=True)
    auth.logout()
    auth.login(student)
    response = client.post(f"/classes/join/{c.join_code}", follow_redirects=True)
    assert "archived" in response.get_data(as_text=True)
    assert roster.membership(db.session, c, student.id) is None
    auth.logout()

    auth.login(teacher)
    client.post(f"/classes/{c.id}/archive", data={"archived": "0"})
    db.session.refresh(c)
    assert not c.archived


def test_a_removed_student_loses_the_class_and_cannot_rejoin_alone(
    app, client, auth, teacher, student
):
    c = roster.create_class(db.session, teacher, name="Music", now=CLOCK_START)
    roster.join_class(db.session, c, student, CLOCK_START)
    db.session.commit()
    auth.login(teacher)
    roster_page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert student.display_name in roster_page and student.email in roster_page
    client.post(f"/classes/{c.id}/students/{student.id}/remove")
    assert "Removed" in client.get(f"/classes/{c.id}").get_data(as_text=True)
    auth.logout()

    auth.login(student)
    assert client.get(f"/classes/{c.id}").status_code == 404
    assert "Music" not in client.get("/classes/").get_data(as_text=True)
    again = client.post("/classes/join", data={"code": c.join_code}, follow_redirects=True)
    assert "removed you" in again.get_data(as_text=True)
    assert client.get(f"/classes/{c.id}").status_code == 404
    auth.logout()

    auth.login(teacher)
    client.post(f"/classes/{c.id}/students/{student.id}/readmit")
    auth.logout()
    auth.login(student)
    assert client.get(f"/classes/{c.id}").status_code == 200


def test_the_owner_adds_a_co_teacher_who_then_manages_the_class(
    app, client, auth, teacher, make_user
):
    co = make_user(Role.TEACHER)
    pupil = make_user(Role.STUDENT)
    c = roster.create_class(db.session, teacher, name="Physics", now=CLOCK_START)
    db.session.commit()
    auth.login(teacher)
    not_teacher = client.post(
        f"/classes/{c.id}/teachers", data={"email": pupil.email}, follow_redirects=True
    )
    assert "is not a teacher" in not_teacher.get_data(as_text=True)
    unknown = client.post(
        f"/classes/{c.id}/teachers", data={"email": "nobody@example.com"}, follow_redirects=True
    )
    assert "No account has this email" in unknown.get_data(as_text=True)
    assert roster.co_teachers(c) == []
    client.post(f"/classes/{c.id}/teachers", data={"email": co.email.upper()})
    db.session.refresh(c)
    assert [m.user_id for m in roster.co_teachers(c)] == [co.id]
    auth.logout()

    auth.login(co)
    assert "Physics" in client.get("/classes/").get_data(as_text=True)
    page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert c.join_code in page
    assert client.post(f"/classes/{c.id}/code").status_code == 302
    assert client.post(f"/classes/{c.id}/archive").status_code == 403


def test_a_shared_bank_shows_to_the_class_with_practise_and_review(
    app, client, auth, teacher, student
):
    bank = make_bank("Cold War")
    c = roster.create_class(db.session, teacher, name="Modern history", now=CLOCK_START)
    roster.join_class(db.session, c, student, CLOCK_START)
    db.session.commit()
    auth.login(teacher)
    assert client.post(f"/classes/{c.id}/banks", data={"bank_id": str(bank.id)}).status_code == 302
    twice = client.post(
        f"/classes/{c.id}/banks", data={"bank_id": str(bank.id)}, follow_redirects=True
    )
    assert "already shared" in twice.get_data(as_text=True)
    bad = client.post(f"/classes/{c.id}/banks", data={"bank_id": "x"}, follow_redirects=True)
    assert "Choose a bank" in bad.get_data(as_text=True)
    auth.logout()

    auth.login(student)
    page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert "Cold War" in page and f"/banks/{bank.id}" in page
    assert f'name="bank_id" value="{bank.id}"' in page  # add to my reviews
    assert list(db.session.scalars(roster.shared_bank_ids_query(student.id))) == [bank.id]
    assert client.get(f"/banks/{bank.id}").status_code == 200
    auth.logout()

    auth.login(teacher)
    client.post(f"/classes/{c.id}/banks/{bank.id}/unshare")
    auth.logout()
    auth.login(student)
    assert "Cold War" not in client.get(f"/classes/{c.id}").get_data(as_text=True)


def test_the_home_page_leads_to_each_class_of_its_user(app, client, auth, teacher, student):
    c = roster.create_class(db.session, teacher, name="Latin 7A", now=CLOCK_START)
    roster.create_class(db.session, teacher, name="Not joined", now=CLOCK_START)
    roster.join_class(db.session, c, student, CLOCK_START)
    db.session.commit()
    auth.login(student)
    page = client.get("/").get_data(as_text=True)
    assert "Latin 7A" in page and f'href="/classes/{c.id}"' in page and "Not joined" not in page
    auth.logout()
    auth.login(teacher)
    page = client.get("/").get_data(as_text=True)
    assert "Latin 7A" in page and "Not joined" in page


def test_unknown_ids_and_bad_values_never_fail_the_server(teacher_client, teacher):
    c = roster.create_class(db.session, teacher, name="Edge", now=CLOCK_START)
    db.session.commit()
    assert teacher_client.get("/classes/999999").status_code == 404
    assert teacher_client.post(f"/classes/{c.id}/students/999999/remove").status_code == 302
    assert teacher_client.post(f"/classes/{c.id}/banks/999999/unshare").status_code == 302
    assert teacher_client.post(f"/classes/{c.id}/teachers", data={}).status_code == 302
    assert teacher_client.get("/classes/join/%00%ff").status_code == 404
