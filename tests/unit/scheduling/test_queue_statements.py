"""The queue's statements: built once and bound on each call, and read through the
indexes that hold only the cards asked for."""

from __future__ import annotations

from datetime import timedelta

import fsrs
from sqlalchemy import Column, bindparam, text
from sqlalchemy.sql import visitors

from app.extensions import db
from app.models import ReviewCard
from app.scheduling import add_to_reviews, answer_card, next_card, queue_counts, study_context
from app.scheduling import context as context_module
from app.scheduling import queue as queue_module
from app.scheduling.fsrs_cards import scheduler_for
from app.scheduling.queue import _learning_due, _reviews_due
from app.scheduling.recall import retrievability_expression, retrievability_params

from .helpers import T0, answer, cards_of, review_card, set_settings


def _refuse(*args, **kwargs):  # noqa: ARG001
    raise AssertionError("a statement was built")


def test_a_warm_queue_binds_values_and_builds_no_statement(
    app, monkeypatch, make_user, student, bank
):
    other = make_user(email="other@example.com")
    for user in (student, other):
        add_to_reviews(db.session, user.id, bank_id=bank.id, now=T0)
        set_settings(user.id, new_card_order="random")
    db.session.commit()
    first = next_card(db.session, student.id, T0)
    queue_counts(db.session, student.id, T0)
    for module, name in (
        (queue_module, "select"),
        (queue_module, "union_all"),
        (queue_module, "joinedload"),
        (context_module, "select"),
    ):
        monkeypatch.setattr(module, name, _refuse)
    # Another student, another moment: the same statements, other values.
    later = T0 + timedelta(hours=3)
    entry = next_card(db.session, other.id, later)
    counts = queue_counts(db.session, other.id, later)
    assert entry.reason == "new" and entry.card.user_id == other.id
    assert counts.new == 20 and counts.due == 0
    assert next_card(db.session, student.id, T0).card.id == first.card.id


def test_learning_steps_are_found_among_many_new_cards(app, student, bank):
    """New cards are in the learning state too, all due: the steps index leaves them out."""
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    card = cards_of(student.id)[5]
    answer(student.id, card, fsrs.Rating.Again, T0)
    later = T0 + timedelta(minutes=2)
    entry = next_card(db.session, student.id, later)
    assert (entry.reason, entry.card.id) == ("learning", card.id)
    assert queue_counts(db.session, student.id, later).learning == 1


def _plan(statement) -> str:
    """The plan of a queue statement, its values bound as the queue binds them."""
    dialect = db.engine.dialect
    compiled = statement.compile(dialect=dialect)
    values = {"user_id": 1, "now": T0, "day_end": T0 + timedelta(days=1)}
    params = compiled.construct_params(values)
    if dialect.name == "sqlite":
        sql = "EXPLAIN QUERY PLAN " + compiled.string
        positional = [params[name] for name in compiled.positiontup]
        rows = db.session.connection().exec_driver_sql(sql, tuple(positional)).all()
        return "\n".join(str(row[-1]) for row in rows)
    # The tables are tiny: only an index the query's WHERE proves usable is chosen.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = db.session.connection().exec_driver_sql("EXPLAIN " + compiled.string, params).all()
    return "\n".join(row[0] for row in rows)


def test_learning_steps_are_read_through_the_steps_index(app, student, bank):
    """The index is partial: it is usable only when the query's WHERE, as written,
    implies the index's own (on PostgreSQL even in a generic plan, without values)."""
    review_card(student.id, bank.questions[0], stability=3.0, last_review=T0 - timedelta(days=4))
    study_context(db.session, student.id, T0)
    query = _learning_due(bindparam("user_id"), bindparam("now"))
    plan = _plan(query.with_only_columns(ReviewCard.id))
    assert "ix_review_cards_user_steps" in plan, plan


def test_the_due_review_index_holds_every_column_the_ranking_reads(app):
    """So the day's reviews are ranked from the index alone (an index-only scan on
    PostgreSQL, whose indexes, unlike SQLite's, do not carry the row id)."""
    query = _reviews_due(bindparam("user_id"), bindparam("now"), bindparam("day_end"))
    query = query.with_only_columns(ReviewCard.id).order_by(
        retrievability_expression(db.engine.dialect.name), ReviewCard.due, ReviewCard.id
    )
    read = {
        element.name
        for element in visitors.iterate(query)
        if isinstance(element, Column) and element.table is ReviewCard.__table__
    }
    index = next(i for i in ReviewCard.__table__.indexes if i.name.endswith("user_state_due"))
    assert read >= {"user_id", "state", "due", "last_review_us", "stability", "id"}
    assert read <= {column.name for column in index.columns}


def _statements_of(call) -> list[str]:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_an_answer_with_no_exam_coming_runs_five_statements(app, student, bank):
    """The card, the settings with whether an exam may be coming, the update and the two
    inserts (the log, the action for undo): no study day is counted for the exam caps."""
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    set_settings(student.id, desired_retention=0.9)
    db.session.commit()
    first, second = cards_of(student.id)[:2]
    answer(student.id, first, fsrs.Rating.Good, T0)  # warm: compiled statements
    db.session.commit()
    user_id, card_id, version = student.id, second.id, second.version
    db.session.expunge_all()

    def answer_second() -> None:
        answer_card(db.session, user_id, card_id, fsrs.Rating.Good, T0, expected_version=version)

    statements = _statements_of(answer_second)
    db.session.commit()
    assert len(statements) == 5, "\n".join(s[:40] for s in statements)
    assert not any("review_logs.reviewed_at >=" in s for s in statements)


def test_the_next_card_statement_loads_one_card_of_all_its_candidates(app, student, bank):
    """A learning step due, a due review, new cards and a step due soon are all
    candidates; the statement's one row is the first of them, with the counts."""
    add_to_reviews(db.session, student.id, bank_id=bank.id, now=T0)
    db.session.commit()
    step, soon = cards_of(student.id)[:2]
    answer(student.id, step, fsrs.Rating.Again, T0 - timedelta(minutes=15))
    answer(student.id, soon, fsrs.Rating.Again, T0 - timedelta(seconds=30))
    question = bank.questions[-1]
    db.session.delete(next(c for c in cards_of(student.id) if c.question_id == question.id))
    db.session.commit()
    due = review_card(student.id, question, stability=2.0, last_review=T0 - timedelta(days=3))
    context = study_context(db.session, student.id, T0)
    statement = queue_module._whole_queue_statement(
        db.engine.dialect.name, True, context.settings.new_card_order, True
    )
    params = queue_module._queue_params(student.id, T0, context) | retrievability_params(
        scheduler_for(context.settings), T0
    )
    rows = db.session.execute(statement, params).all()
    assert [(row[0].id, row[1]) for row in rows] == [(step.id, 0)]
    entry, counts = queue_module.next_card_and_counts(db.session, student.id, T0)
    assert (entry.reason, entry.card.id) == ("learning", step.id)
    assert (counts.learning, counts.due) == (2, 1)
    db.session.delete(step)
    db.session.commit()
    assert next_card(db.session, student.id, T0).card.id == due.id
