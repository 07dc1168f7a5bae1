"""Operator commands: flask seed, flask create-user."""

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


def register_commands(app: Flask) -> None:
    for command in (seed_command, create_user_command):
        app.cli.add_command(command)
