"""Operator commands: seed, create-user, import-questions and export-questions."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .accounts import AccountError, EmailTaken, create_user, email_taken, parse_role
from .extensions import db
from .models import Role

DEMO_ACCOUNTS = [
    ("student@example.com", "Demo Student", Role.STUDENT),
    ("teacher@example.com", "Demo Teacher", Role.TEACHER),
    ("admin@example.com", "Demo Admin", Role.ADMIN),
]


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also create a demo student, teacher and admin.")
@with_appcontext
def seed_command(demo: bool) -> None:
    """Load the source documents and question banks in seed_data/ (idempotent)."""
    from .errors import DomainError
    from .seeding import load_seed_data

    if demo and not current_app.config.get("ALLOW_DEMO_SEED", False):
        raise click.ClickException("--demo is refused in production: it creates known accounts.")
    try:
        report = load_seed_data(db.session, Path(current_app.config["SEED_DATA_DIR"]))
    except DomainError as exc:  # SeedError, or the database changed under the run
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    created_accounts = []
    if demo:
        for email, name, role in DEMO_ACCOUNTS:
            if email_taken(db.session, email):
                continue
            password = secrets.token_urlsafe(12)
            create_user(db.session, email, password, display_name=name, role=role)
            created_accounts.append((email, password, role))
    db.session.commit()
    click.echo(report.summary())
    if demo:
        if created_accounts:
            click.echo("Demo accounts (save these passwords; they are not shown again):")
            for email, password, role in created_accounts:
                click.echo(f"  {role.value:<8} {email}  password: {password}")
        else:
            click.echo("Demo accounts already exist; nothing changed.")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    default=Role.STUDENT.value,
    show_default=True,
    help="student, teacher or admin.",
)
@click.option("--name", "display_name", default=None, help="Display name (default: from email).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email: str, role: str, display_name: str | None, password_stdin: bool):
    """Create an account with the given role."""
    try:
        parsed_role = parse_role(role)
        if email_taken(db.session, email):
            raise EmailTaken(email.strip().lower())
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = create_user(db.session, email, password, display_name=display_name, role=parsed_role)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


FORMAT_NAMES = ("gift", "aiken", "moodlexml", "csv", "apkg", "json")


@click.command("import-questions")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--bank", "bank_name", required=True, help="The bank's slug or title; created if missing."
)
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(("auto", *FORMAT_NAMES)),
    help="The file's format.",
)
@click.option("--topic", default=None, help='Put the questions under this topic ("Parent/Child").')
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid questions even if some are not."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the counts.")
@click.option("--term-separator", default=None, help="CSV flashcards: between term and definition.")
@click.option("--card-separator", default=None, help="CSV flashcards: between cards.")
@click.option(
    "--history-for",
    "history_email",
    default=None,
    help="Anki: bring the cards' review history into this user's reviews (an email).",
)
@with_appcontext
def import_questions_command(
    path: Path,
    bank_name: str,
    fmt: str,
    topic: str | None,
    dry_run: bool,
    skip_invalid: bool,
    as_json: bool,
    term_separator: str | None,
    card_separator: str | None,
    history_email: str | None,
) -> None:
    """Import questions from a GIFT, Aiken, Moodle XML, CSV, Anki or JSON file into a bank."""
    import json

    from .clock import now
    from .core.views import media_store
    from .errors import DomainError
    from .formats.registry import import_drafts, read_file

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    options = {}
    if term_separator is not None:
        options["term_separator"] = term_separator
    if card_separator is not None:
        options["card_separator"] = card_separator
    if options and fmt not in ("auto", "csv"):
        raise click.ClickException("--term-separator and --card-separator apply to CSV only.")
    history_for = None
    if history_email is not None:
        from sqlalchemy import select

        from .models import User, normalize_email

        user = db.session.scalar(select(User).where(User.email == normalize_email(history_email)))
        if user is None:
            raise click.ClickException(f"There is no user with the email {history_email!r}.")
        history_for = user.id
    try:
        store = media_store()
        result = read_file(
            data, path.name, "csv" if options else fmt, max_media_bytes=store.max_bytes, **options
        )
        report = import_drafts(
            db.session,
            bank_name,
            result,
            topic=topic,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            media=store,
            now=now(),
            history_for=history_for,
        )
    except DomainError as exc:
        db.session.rollback()
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "bank": bank_name,
                        "format": fmt,
                        "created": 0,
                        "updated": 0,
                        "skipped": 0,
                        "by_type": {},
                        "errors": [{"line": getattr(exc, "line", None), "message": str(exc)}],
                    }
                )
            )
            sys.exit(1)
        raise click.ClickException(str(exc)) from exc
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        for notice in report.notices:
            click.echo(f"notice: {notice}")
        for error in report.errors:
            click.echo(f"error: {error['message']}", err=True)
        verb = "Would import" if dry_run else ("Imported" if report.written else "Nothing imported")
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.by_type.items()))
        click.echo(
            f"{verb} into {report.bank!r} ({report.format}): {report.created} created, "
            f"{report.updated} updated, {report.skipped} skipped"
            + (f" ({kinds})" if kinds else "")
            + "."
        )
        if report.errors and not skip_invalid:
            click.echo("Nothing was written; fix the errors or use --skip-invalid.", err=True)
    if report.errors:
        sys.exit(1)


@click.command("export-questions")
@click.option("--bank", "bank_name", required=True, help="The bank's slug or title.")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMAT_NAMES))
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output).",
)
@with_appcontext
def export_questions_command(bank_name: str, fmt: str, output: Path | None) -> None:
    """Export a bank's questions; questions the format cannot hold are listed, not dropped."""
    from .core.views import media_store
    from .errors import DomainError
    from .formats.registry import export_bank

    try:
        result = export_bank(db.session, bank_name, fmt, media=media_store())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.session.rollback()
    if output is None and fmt == "apkg":
        click.get_binary_stream("stdout").write(result.data)
    elif output is None:
        click.echo(result.data.decode("utf-8"), nl=False)
    else:
        try:
            output.write_bytes(result.data)
        except OSError as exc:
            raise click.ClickException(
                f"{output}: cannot be written: {exc.strerror or exc}"
            ) from exc
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for left in result.left_out:
        click.echo(f"not exported: {left}", err=True)
    click.echo(
        f"Exported {result.written} questions ({fmt}); {len(result.left_out)} not exported.",
        err=True,
    )


@click.group("quizzes")
def quizzes_group() -> None:
    """Quiz upkeep for a scheduler."""


@quizzes_group.command("finish-overdue")
@with_appcontext
def finish_overdue_command() -> None:
    """Apply each quiz's rule to the attempts whose deadline has passed."""
    from .attempts.quizzes import process_overdue
    from .clock import now

    changed = process_overdue(db.session, now())
    db.session.commit()
    click.echo(f"{changed} attempt{'s' if changed != 1 else ''} settled.")


def register_commands(app: Flask) -> None:
    for command in (
        seed_command,
        create_user_command,
        import_questions_command,
        export_questions_command,
        quizzes_group,
    ):
        app.cli.add_command(command)
