"""Password reset links (from an admin, or mailed), admin edits and the account log."""

from __future__ import annotations

import re
import socket
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, PasswordResetToken, User
from tests.factories import PASSWORD

NEW_PASSWORD = "a fresh passphrase here"


def link_in(text: str) -> str:
    match = re.search(r"https?://[^/\s\"]+(/auth/reset/[A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


def set_password(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"new_password": password, "confirm": password})


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_admin_issues_a_one_time_link_that_sets_a_new_password(app, admin_client, student):
    student_browser = app.test_client()
    student_browser.post("/auth/login", data={"email": student.email, "password": PASSWORD})
    page = admin_client.post(f"/admin/users/{student.id}/reset-link")
    assert page.status_code == 200
    path = link_in(page.get_data(as_text=True))
    # The account is signed out everywhere, and only the link's hash is stored.
    assert student_browser.get("/auth/profile").status_code == 302
    token = path.rsplit("/", 1)[1]
    assert db.session.scalar(select(PasswordResetToken.token_hash)) != token
    assert "reset link issued" in audit_actions()

    fresh = app.test_client()
    assert fresh.get(path).status_code == 200
    assert set_password(fresh, path).status_code == 302
    login = fresh.post("/auth/login", data={"email": student.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    # Single use.
    again = app.test_client().get(path)
    assert again.status_code == 404
    assert "not valid" in again.get_data(as_text=True)
    assert set_password(app.test_client(), path, "yet another passphrase").status_code == 404


def test_a_reset_link_expires_after_24_hours(app, admin_client, student, clock):
    path = link_in(
        admin_client.post(f"/admin/users/{student.id}/reset-link").get_data(as_text=True)
    )
    clock.advance(hours=23, minutes=59)
    assert app.test_client().get(path).status_code == 200
    clock.advance(minutes=2)
    assert set_password(app.test_client(), path).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, student.id).check_password(PASSWORD)


def test_a_reset_link_refuses_a_common_password_and_stays_usable(app, admin_client, student):
    path = link_in(
        admin_client.post(f"/admin/users/{student.id}/reset-link").get_data(as_text=True)
    )
    response = set_password(app.test_client(), path, "password12")
    assert response.status_code == 422
    assert "most common" in response.get_data(as_text=True)
    assert set_password(app.test_client(), path).status_code == 302


def test_only_admins_issue_reset_links(student_client, teacher):
    assert student_client.post(f"/admin/users/{teacher.id}/reset-link").status_code == 403
    assert db.session.scalar(select(PasswordResetToken)) is None


# -- "Forgot password?" by mail -------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ARG002
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def wait(self, count: int, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def smtp(app):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    yield inbox
    controller.stop()


def test_forgot_password_mails_a_link_and_answers_the_same_for_unknown_emails(
    app, client, student, smtp
):
    assert "Forgot password?" in client.get("/auth/login").get_data(as_text=True)
    known = client.post("/auth/forgot", data={"email": student.email}, follow_redirects=True)
    smtp.wait(1)
    assert len(smtp.messages) == 1
    recipients, body = smtp.messages[0]
    assert recipients == [student.email]
    unknown = client.post(
        "/auth/forgot", data={"email": "nobody@example.com"}, follow_redirects=True
    )
    time.sleep(0.3)
    assert len(smtp.messages) == 1
    assert known.status_code == unknown.status_code == 200
    message = "If an account uses that email"
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)

    body = body.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
    path = link_in(body)
    assert set_password(app.test_client(), path).status_code == 302
    assert db.session.get(User, student.id).check_password(NEW_PASSWORD)
    assert audit_actions() == ["reset link mailed", "password reset"]


def test_without_mail_the_forgot_page_points_to_an_administrator(client, student):
    assert "Forgot password?" not in client.get("/auth/login").get_data(as_text=True)
    page = client.post("/auth/forgot", data={"email": student.email})
    assert "Ask an administrator" in page.get_data(as_text=True)
    assert db.session.scalar(select(PasswordResetToken)) is None


# -- admin edits and the log ---------------------------------------------------------------------


def test_admins_edit_a_users_name_and_email_and_it_is_logged(admin_client, student):
    response = admin_client.post(
        f"/admin/users/{student.id}",
        data={
            "email": "Renamed@Example.com",
            "display_name": "Renamed Person",
            "role": "teacher",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, student.id)
    assert (user.email, user.display_name, user.role) == (
        "renamed@example.com",
        "Renamed Person",
        "teacher",
    )
    log = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "renamed@example.com" in log and "role student → teacher" in log


def test_an_email_in_use_is_refused_and_nothing_changes(admin_client, student, teacher):
    response = admin_client.post(
        f"/admin/users/{student.id}",
        data={"email": teacher.email, "display_name": "X", "role": "student", "active": "y"},
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, student.id).display_name != "X"
    assert audit_actions() == []


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app, admin):
    from app.accounts import AccountError, update_account
    from app.models import Role

    for role, active in ((Role.TEACHER, True), (Role.ADMIN, False)):
        with pytest.raises(AccountError, match="last active administrator"):
            update_account(
                db.session,
                admin,
                email=admin.email,
                display_name=admin.display_name,
                role=role,
                active=active,
            )
        db.session.rollback()


def test_an_admin_may_demote_another_admin_while_one_stays(app, admin_client, make_user):
    from app.models import Role

    other = make_user(Role.ADMIN)
    response = admin_client.post(
        f"/admin/users/{other.id}",
        data={
            "email": other.email,
            "display_name": other.display_name,
            "role": "student",
            "active": "y",
        },
    )
    assert response.status_code == 302


def test_the_account_log_is_for_admins_only(student_client):
    assert student_client.get("/admin/audit").status_code == 403


def test_admin_created_accounts_are_logged(admin_client):
    admin_client.post(
        "/admin/users/new",
        data={
            "email": "made@example.com",
            "display_name": "Made",
            "role": "teacher",
            "password": PASSWORD,
        },
    )
    assert audit_actions() == ["created"]
    assert "made@example.com" in admin_client.get("/admin/audit").get_data(as_text=True)
