from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User
from tests.factories import PASSWORD


def register(client, email="new@example.com", password=PASSWORD, confirm=None, tz="Europe/Paris"):
    return client.post(
        "/auth/register",
        data={
            "email": email,
            "display_name": "New Person",
            "password": password,
            "confirm": confirm or password,
            "time_zone": tz,
        },
    )


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_creates_a_logged_in_student(client):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == Role.STUDENT.value
    assert user.time_zone == "Europe/Paris"
    assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
    home = client.get("/")
    assert "Hello, New Person" in home.get_data(as_text=True)


def test_duplicate_email_differing_in_case_is_refused(client, student):
    response = register(client, email=student.email.upper())
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert user_count() == 1


def test_short_password_is_refused_and_nothing_written(client):
    response = register(client, password="short")
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert user_count() == 0


def test_mismatched_confirmation_is_refused(client):
    response = register(client, confirm="something else entirely")
    assert "do not match" in response.get_data(as_text=True)
    assert user_count() == 0


def test_unknown_time_zone_is_refused(client):
    response = register(client, tz="Mars/Olympus_Mons")
    assert response.status_code == 422
    assert "time zone" in response.get_data(as_text=True)
    assert user_count() == 0


def test_login_with_wrong_password_fails(client, student):
    response = client.post("/auth/login", data={"email": student.email, "password": "wrong pass!!"})
    assert response.status_code == 422
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302


def test_login_is_case_insensitive_and_honours_next(client, student):
    response = client.post(
        "/auth/login?next=/auth/profile",
        data={"email": student.email.upper(), "password": PASSWORD},
    )
    assert response.headers["Location"] == "/auth/profile"


def test_login_ignores_offsite_next(client, student):
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": student.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_remember_cookie(client, student):
    client.post("/auth/login", data={"email": student.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_inactive_account_cannot_log_in(auth, student):
    student.active = False
    db.session.commit()
    response = auth.login(student)
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)


def test_logout_requires_post_and_logs_out(student_client):
    assert student_client.get("/auth/logout").status_code == 405
    assert student_client.post("/auth/logout").status_code == 302
    assert student_client.get("/auth/profile").status_code == 302


def test_change_password(student_client, student):
    response = student_client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.check_password("a new long password")


def test_change_password_needs_the_current_one(student_client, student):
    response = student_client.post(
        "/auth/password",
        data={
            "current_password": "not my password",
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert response.status_code == 422
    db.session.refresh(student)
    assert student.check_password(PASSWORD)


def test_profile_saves_time_zone_and_refuses_bad_one(student_client, student):
    ok = student_client.post(
        "/auth/profile", data={"display_name": "Renamed", "time_zone": "America/New_York"}
    )
    assert ok.status_code == 302
    bad = student_client.post("/auth/profile", data={"display_name": "X", "time_zone": "Nowhere"})
    assert bad.status_code == 422
    db.session.refresh(student)
    assert (student.display_name, student.time_zone) == ("Renamed", "America/New_York")


def test_a_refused_password_is_shown_on_the_password_field(client):
    page = register(client, password="  spaces around it  ").get_data(as_text=True)
    assert "must not start or end with spaces" in page
    invalid = re.findall(r'<input[^>]*class="[^"]*is-invalid[^"]*"[^>]*>', page)
    assert len(invalid) == 1 and 'name="password"' in invalid[0]
    assert user_count() == 0


def test_a_taken_email_is_shown_on_the_email_field(client, student):
    page = register(client, email=student.email).get_data(as_text=True)
    invalid = re.findall(r'<input[^>]*class="[^"]*is-invalid[^"]*"[^>]*>', page)
    assert len(invalid) == 1 and 'name="email"' in invalid[0]


def test_sign_up_refuses_a_common_password_and_one_equal_to_the_email(client):
    response = register(client, password="password12")
    assert response.status_code == 422
    assert "most common" in response.get_data(as_text=True)
    response = register(client, email="longname@example.com", password="longname@example.com")
    assert response.status_code == 422
    assert "must not be your email" in response.get_data(as_text=True)
    assert user_count() == 0
