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
    page = student_client.get("/study/progress").get_data(as_text=True)
    assert page.count('aria-current="page"') == 1
    assert 'active" aria-current="page" href="/study/progress"' in page
