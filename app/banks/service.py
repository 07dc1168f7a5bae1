"""Bank catalogue queries: counts by topic and type, filtered question lists."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    cast,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, selectinload

from ..models import Question, QuestionBank, Topic
from ..models.banks import topic_subtree


@dataclass
class BankSummary:
    bank: QuestionBank
    total: int = 0
    by_topic: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)


def bank_summaries(session: Session, banks: Sequence[QuestionBank]) -> list[BankSummary]:
    """These banks, in the order given, with their live question counts, in two grouped
    queries."""
    summaries = {bank.id: BankSummary(bank) for bank in banks}
    if not summaries:
        return []
    ids = list(summaries)
    by_type = session.execute(
        select(Question.bank_id, Question.kind, func.count())
        .where(Question.bank_id.in_(ids), Question.archived_at.is_(None))
        .group_by(Question.bank_id, Question.kind)
    )
    for bank_id, kind, count in by_type:
        summaries[bank_id].by_type[kind] = count
        summaries[bank_id].total += count
    by_topic = session.execute(
        select(Question.bank_id, Topic.path, func.count())
        .join(Topic, Question.topic_id == Topic.id, isouter=True)
        .where(Question.bank_id.in_(ids), Question.archived_at.is_(None))
        .group_by(Question.bank_id, Topic.path)
        .order_by(Topic.path)
    )
    for bank_id, path, count in by_topic:
        summaries[bank_id].by_topic[path or "(no topic)"] = count
    return list(summaries.values())


def topic_options(session: Session, bank_id: int) -> list[Topic]:
    return list(session.scalars(select(Topic).where(Topic.bank_id == bank_id).order_by(Topic.path)))


MAX_SEARCH_CHARS = 200


def filtered_questions(
    session: Session,
    bank_id: int,
    *,
    topic_id: int | None = None,
    kind: str | None = None,
    difficulty: int | None = None,
    search: str | None = None,
    tag: str | None = None,
) -> Select[tuple[Question]]:
    query = select(Question).where(Question.bank_id == bank_id, Question.archived_at.is_(None))
    topic = session.get(Topic, topic_id) if topic_id else None
    if topic is not None and topic.bank_id == bank_id:
        query = query.where(Question.topic_id.in_(topic_subtree(topic)))
    if kind:
        query = query.where(Question.kind == kind)
    if difficulty:
        query = query.where(Question.difficulty == difficulty)
    if search:
        # A search is a few words; a longer one is cut, as databases refuse huge patterns.
        like = f"%{search.lower()[:MAX_SEARCH_CHARS]}%"
        query = query.where(
            or_(
                func.lower(cast(Question.content, String)).like(like),
                func.lower(Question.explanation).like(like),
                func.lower(Question.external_id).like(like),
            )
        )
    if tag:
        query = query.where(has_tag(session, tag))
    # The list shows each question's topic: load them together, not one query per row.
    return query.options(selectinload(Question.topic)).order_by(
        Question.topic_id, Question.external_id
    )


def has_tag(session: Session, tag: str) -> ColumnElement[bool]:
    """Questions carrying this tag (exactly as written): JSONB containment on PostgreSQL,
    the rows of json_each elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(Question.tags, JSONB).contains([tag])
    values = func.json_each(Question.tags).table_valued("value")
    return exists(select(1).select_from(values).where(values.c.value == tag))


def presentation_rng(user_id: int, question: Question) -> random.Random:
    """The same shuffle for the same student and question version: a reload shows it again."""
    return random.Random(f"{user_id}:{question.id}:{question.version}")
