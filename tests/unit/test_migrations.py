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


def test_foreign_keys_into_content_tables_are_indexed():
    """A delete follows each foreign key back to its rows: without an index on the key,
    deleting a bank of 10,000 questions scans the referring table once per question."""
    from app.models.base import Base

    unindexed = []
    for table in Base.metadata.sorted_tables:
        leading = {ix.columns[0].name for ix in table.indexes if len(ix.columns)}
        leading |= {
            next(iter(c.columns)).name
            for c in table.constraints
            if type(c).__name__ in ("UniqueConstraint", "PrimaryKeyConstraint") and c.columns
        }
        for fk in table.foreign_key_constraints:
            # Rows of users are deleted one at a time, not in bulk: those keys may go without.
            if fk.referred_table.name == "users":
                continue
            column = next(iter(fk.columns)).name
            if column not in leading:
                unindexed.append(f"{table.name}.{column}")
    assert unindexed == []


def test_last_review_us_is_filled_from_each_cards_last_review(app, make_user):
    """0024 adds the queue's integer copy of last_review and fills it, exact to the
    microsecond, on both databases; downgrading drops it and keeps the cards and logs."""
    from datetime import UTC, datetime

    from flask_migrate import downgrade

    from app.models import Role
    from app.models.types import epoch_microseconds
    from tests.factories import make_bank, make_card, make_log, make_question

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    student = make_user(Role.STUDENT)
    bank = make_bank()
    reviewed = [
        datetime(2026, 3, 1, 8, 30, 15, 654_321, tzinfo=UTC),
        datetime(2026, 3, 1, 8, 30, 15, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        None,
    ]
    cards = [
        make_card(student.id, make_question(bank), due=reviewed[0], last_review=moment)
        for moment in reviewed
    ]
    make_log(cards[0], reviewed[0])
    db.session.commit()
    db.session.remove()
    downgrade(revision="0023_review_logs_one_index")
    columns = {column["name"] for column in inspect(db.engine).get_columns("review_cards")}
    assert "last_review_us" not in columns
    upgrade()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT last_review_us FROM review_cards ORDER BY id")).all()
        assert [row[0] for row in stored] == [
            epoch_microseconds(moment) if moment else None for moment in reviewed
        ]
        assert conn.scalar(text("SELECT count(*) FROM review_logs")) == 1
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, db.metadata) == []
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
