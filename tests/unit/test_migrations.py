"""Migrations and models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app.extensions import db


def test_upgrade_from_empty_matches_the_models(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "questions", "question_banks", "topics", "source_documents"} <= tables
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_keeps_existing_data(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="0001")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, display_name, password_hash, role, time_zone, active,"
                " created_at, updated_at) VALUES ('kept@example.com', 'Kept', 'x', 'student',"
                " 'UTC', true, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    upgrade()
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT email FROM users")) == "kept@example.com"
        assert "review_cards" in inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
