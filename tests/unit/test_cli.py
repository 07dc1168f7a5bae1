from __future__ import annotations

import shutil

from sqlalchemy import func, select

from app.extensions import db
from app.models import Question, User


def test_create_user_with_role_and_password_from_stdin(runner):
    result = runner.invoke(
        args=["create-user", "Teach@Example.com", "--role", "teacher", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "teach@example.com"))
    assert user.role == "teacher" and user.check_password("a long enough password")


def test_create_user_refuses_a_bad_role(runner):
    result = runner.invoke(
        args=["create-user", "x@example.com", "--role", "wizard", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "Unknown role 'wizard'" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_user_refuses_an_existing_email(runner, student):
    result = runner.invoke(
        args=["create-user", student.email.upper(), "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-user", "y@example.com", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0 and "at least 10" in result.output


def test_seed_demo_prints_credentials_once(runner):
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "student@example.com" in first.output and "password:" in first.output
    roles = sorted(u.role for u in db.session.scalars(select(User)))
    assert roles == ["admin", "student", "teacher"]
    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0 and "already exist" in second.output
    assert len(db.session.scalars(select(User)).all()) == 3


def test_seed_demo_is_refused_in_production(app, runner):
    app.config["ALLOW_DEMO_SEED"] = False
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code != 0 and "refused in production" in result.output
    assert db.session.scalar(select(User)) is None


def test_seed_reports_counts_and_a_second_run_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    total = db.session.scalar(select(func.count()).select_from(Question))
    assert total >= 150
    assert first.output.strip() == (
        f"Sources: 2 created, 0 updated. Banks: 2 created. Questions: {total} in seed data, "
        f"{total} created, 0 updated, 0 unchanged."
    )
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert second.output.strip() == (
        f"Sources: 0 created, 0 updated. Banks: 0 created. Questions: {total} in seed data, "
        f"0 created, 0 updated, {total} unchanged."
    )


def test_seed_with_a_bad_question_exits_1_naming_it_and_writes_nothing(app, tmp_path):
    data = tmp_path / "seed_data"
    shutil.copytree(app.config["SEED_DATA_DIR"], data)
    (data / "banks" / "zz-bad.yaml").write_text(
        "bank: article\ntopic: Bad\nquestions:\n  - id: bad-1\n    type: essay_plus\n"
        "    prompt: Why?\n",
        encoding="utf-8",
    )
    app.config["SEED_DATA_DIR"] = str(data)
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 1
    assert "zz-bad.yaml, line 4, question 1 (bad-1): unknown question type 'essay_plus'" in (
        result.output
    )
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    assert db.session.scalar(select(User)) is None


def test_seed_reports_a_bank_that_changed_under_it_without_a_traceback(app, monkeypatch):
    from app import seeding
    from app.errors import Conflict

    def conflicting(*args, **kwargs):
        raise Conflict("The bank has questions now; preview the import again.")

    monkeypatch.setattr(seeding, "apply", conflicting)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 1 and "The bank has questions now" in result.output
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
