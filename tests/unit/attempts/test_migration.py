"""Upgrading a database with practice items drawn before snapshots existed keeps them working."""

from __future__ import annotations

import json

from flask_migrate import upgrade
from sqlalchemy import select, text

from app.attempts import presentation, stored_result, your_answer
from app.extensions import db
from app.models import PracticeItem

PICK_B = {
    "prompt": "Pick B",
    "options": [{"text": "A", "correct": False}, {"text": "B", "correct": True}],
}
STAMP = "'2026-01-01 00:00:00'"


def _insert(conn, sql: str, **values) -> None:
    conn.execute(text(sql), values)


def test_upgrade_backfills_item_snapshots_from_the_question(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="0002")
    with db.engine.begin() as conn:
        _insert(
            conn,
            "INSERT INTO users (id, email, display_name, password_hash, role, time_zone, active,"
            f" created_at, updated_at) VALUES (1, 'old@example.com', 'Old', 'x', 'student',"
            f" 'UTC', true, {STAMP}, {STAMP})",
        )
        _insert(
            conn,
            "INSERT INTO question_banks (id, slug, title, description, created_at, updated_at)"
            f" VALUES (1, 'old', 'Old', '', {STAMP}, {STAMP})",
        )
        _insert(
            conn,
            "INSERT INTO questions (id, bank_id, kind, external_id, content, explanation,"
            " difficulty, version, created_at, updated_at) VALUES (1, 1, 'multiple_choice',"
            f" 'q1', :content, '', 2, 5, {STAMP}, {STAMP})",
            content=json.dumps(PICK_B),
        )
        _insert(
            conn,
            "INSERT INTO practice_sessions (id, user_id, feedback, criteria, created_at,"
            f" finished_at, score) VALUES (1, 1, 'now', '{{}}', {STAMP}, {STAMP}, 1.0)",
        )
        _insert(
            conn,
            "INSERT INTO practice_items (id, session_id, question_id, position,"
            " presentation_order, response, fraction, answered_at) VALUES (1, 1, 1, 1,"
            f" :order, :response, 1.0, {STAMP})",
            order=json.dumps({"options": [1, 0]}),
            response=json.dumps({"choice": 1}),
        )
    upgrade()
    db.session.expire_all()
    item = db.session.scalar(select(PracticeItem))
    assert (item.question_version, item.question_kind) == (5, "multiple_choice")
    assert item.content == PICK_B and item.response == {"choice": 1}
    assert [choice.index for choice in presentation(item).options] == [1, 0]
    assert stored_result(item).correct and your_answer(item) == "B"
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
