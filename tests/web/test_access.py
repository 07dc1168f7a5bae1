from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Role, User

ADMIN_PAGES = ["/admin/users", "/admin/users/new"]


@pytest.mark.parametrize("url", ADMIN_PAGES + ["/auth/profile", "/auth/password"])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_students_and_teachers_get_403_on_admin_pages(client, auth, make_user, url):
    for role in (Role.STUDENT, Role.TEACHER):
        user = make_user(role)
        auth.login(user)
        assert client.get(url).status_code == 403
        auth.logout()


def test_403_page_uses_the_layout(student_client):
    page = student_client.get("/admin/users").get_data(as_text=True)
    assert "Not allowed" in page and 'aria-label="Main"' in page


def test_admin_makes_a_teacher(admin_client, student):
    response = admin_client.post(
        f"/admin/users/{student.id}", data={"role": "teacher", "active": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.role == "teacher"


def test_admin_cannot_demote_themselves(admin_client, admin):
    response = admin_client.post(
        f"/admin/users/{admin.id}", data={"role": "student", "active": "y"}
    )
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_admin_creates_user_and_duplicate_is_refused(admin_client):
    data = {
        "email": "T@Example.com",
        "display_name": "T",
        "role": "teacher",
        "password": "long enough pw",
    }
    assert admin_client.post("/admin/users/new", data=data).status_code == 302
    again = admin_client.post("/admin/users/new", data=data)
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="t@example.com").count() == 1


def test_navigation_shows_each_role_only_what_it_may_use(client, auth, make_user):
    student = make_user(Role.STUDENT)
    auth.login(student)
    assert "/admin/users" not in client.get("/").get_data(as_text=True)
    auth.logout()
    admin = make_user(Role.ADMIN)
    auth.login(admin)
    assert "/admin/users" in client.get("/").get_data(as_text=True)


def test_unknown_page_is_404_in_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_navigation_marks_only_the_current_page(student_client):
    page = student_client.get("/progress/").get_data(as_text=True)
    assert page.count('aria-current="page"') == 1
    assert 'active" aria-current="page" href="/progress/"' in page


def test_navigation_links_follow_where_the_app_is_mounted(student_client):
    """The navigation's URLs are built once per mount point, not once for all."""
    plain = student_client.get("/progress/").get_data(as_text=True)
    mounted = student_client.get(
        "/progress/", environ_overrides={"SCRIPT_NAME": "/recall"}
    ).get_data(as_text=True)
    assert 'href="/progress/"' in plain and 'href="/recall/progress/"' not in plain
    assert 'href="/recall/progress/"' in mounted and 'href="/study/"' not in mounted
    again = student_client.get("/progress/").get_data(as_text=True)
    assert 'href="/recall/progress/"' not in again


# One test per rule in app/access.py.


def test_roles_admins_hold_every_role(make_user):
    from app.access import has_role, is_admin, may_author, may_manage_users

    student, teacher, admin = (make_user(role) for role in Role)
    assert [has_role(u, Role.TEACHER) for u in (student, teacher, admin)] == [False, True, True]
    assert [is_admin(u) for u in (student, teacher, admin)] == [False, False, True]
    assert [may_author(u) for u in (student, teacher, admin)] == [False, True, True]
    assert [may_manage_users(u) for u in (student, teacher, admin)] == [False, False, True]


def test_anonymous_visitors_pass_no_predicate(app):
    from flask_login import AnonymousUserMixin

    from app.access import has_role, may_author, may_edit_bank, may_view_bank, owns_card
    from app.models import QuestionBank, ReviewCard

    anonymous = AnonymousUserMixin()
    bank = QuestionBank(title="B", owner_id=None)
    assert not has_role(anonymous, Role.STUDENT) and not may_author(anonymous)
    assert not may_view_bank(anonymous, bank) and not may_edit_bank(anonymous, bank)
    assert not owns_card(anonymous, ReviewCard(user_id=1))


def test_may_edit_bank_owner_teacher_or_admin_only(make_user):
    from app.access import may_edit_bank
    from app.models import QuestionBank

    owner, other = make_user(Role.TEACHER), make_user(Role.TEACHER)
    admin = make_user(Role.ADMIN)
    owned = QuestionBank(title="Owned", owner_id=owner.id)
    seeded = QuestionBank(title="Seeded", owner_id=None)
    assert may_edit_bank(owner, owned) and may_edit_bank(admin, owned)
    assert not may_edit_bank(other, owned)
    assert may_edit_bank(admin, seeded) and not may_edit_bank(owner, seeded)
    owner.role = Role.STUDENT.value  # a teacher made a student keeps no edit rights
    assert not may_edit_bank(owner, owned)


def test_every_signed_in_user_may_view_every_bank(make_user):
    from app.access import may_view_bank
    from app.models import QuestionBank

    bank = QuestionBank(title="B", owner_id=None)
    assert all(may_view_bank(make_user(role), bank) for role in Role)


def test_owns_card_only_for_the_cards_user(make_user):
    from app.access import owns_card
    from app.models import ReviewCard

    me, other = make_user(), make_user()
    assert owns_card(me, ReviewCard(user_id=me.id))
    assert not owns_card(other, ReviewCard(user_id=me.id))


def test_visible_banks_lists_every_bank_by_title_for_signed_in_users(make_user):
    from flask_login import AnonymousUserMixin

    from app.access import visible_banks
    from app.models import QuestionBank

    db.session.add_all([QuestionBank(title="Zoology"), QuestionBank(title="Algebra")])
    db.session.commit()
    titles = [bank.title for bank in visible_banks(db.session, make_user())]
    assert titles == ["Algebra", "Zoology"]
    assert visible_banks(db.session, AnonymousUserMixin()) == []


def test_teacher_sees_edit_links_only_in_own_bank(auth, client, make_user):
    from app.models import QuestionBank

    owner, other = make_user(Role.TEACHER), make_user(Role.TEACHER)
    bank = QuestionBank(title="Mine", owner_id=owner.id)
    db.session.add(bank)
    db.session.commit()
    auth.login(owner)
    assert "New question" in client.get(f"/banks/{bank.id}").get_data(as_text=True)
    client.post("/auth/logout")
    auth.login(other)
    assert "New question" not in client.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert client.get(f"/banks/{bank.id}/questions/new").status_code == 403


def test_missing_bank_is_404_before_any_ownership_check(teacher_client):
    assert teacher_client.get("/banks/999/questions/new").status_code == 404
    assert teacher_client.get("/banks/999").status_code == 404
