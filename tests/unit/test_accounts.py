from __future__ import annotations

import pytest

from app.accounts import AccountError, EmailTaken, check_password_rules, create_user, parse_role
from app.errors import Conflict, Invalid


def test_a_taken_email_is_a_conflict_on_the_email_field(app, student):
    with pytest.raises(EmailTaken) as caught:
        create_user(app.extensions["sqlalchemy"].session, student.email, "long enough pw")
    assert isinstance(caught.value, Conflict) and isinstance(caught.value, AccountError)
    assert caught.value.field == "email" and "already exists" in caught.value.message


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: check_password_rules("short"), "password"),
        (lambda: check_password_rules(" spaces around it "), "password"),
        (lambda: parse_role("wizard"), "role"),
    ],
)
def test_account_errors_name_their_field(call, field):
    with pytest.raises(Invalid) as caught:
        call()
    assert caught.value.field == field


def test_bad_email_and_time_zone_name_their_fields(app):
    session = app.extensions["sqlalchemy"].session
    with pytest.raises(AccountError) as caught:
        create_user(session, "nobody", "long enough pw")
    assert caught.value.field == "email"
    with pytest.raises(AccountError) as caught:
        create_user(session, "a@example.com", "long enough pw", time_zone="Mars/Olympus")
    assert caught.value.field == "time_zone"


def test_the_common_password_list_is_shipped_and_large():
    from app.accounts import common_passwords

    assert len(common_passwords()) >= 10_000
    assert {"password12", "1234567890", "qwertyuiop"} <= common_passwords()


@pytest.mark.parametrize("password", ["1234567890", "password12", "Password12", "qwertyuiop"])
def test_common_passwords_are_refused(password):
    with pytest.raises(AccountError, match="most common"):
        check_password_rules(password)


def test_a_password_equal_to_the_email_is_refused():
    with pytest.raises(AccountError, match="email"):
        check_password_rules("Someone@Example.com", "someone@example.com")
    check_password_rules("a long unusual passphrase", "someone@example.com")
