"""What to study next: learning steps, due reviews, exam reviews, then new cards.

Every query names one student and filters on the (user_id, due) or (user_id, reps,
position) index, so the queue never reads other students' cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import fsrs
from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from ..models import Question, QuestionBank, ReviewCard, SourceDocument, Topic
from .cards import scope_condition
from .context import (
    QueueEntry,
    StudyContext,
    archived_question_ids,
    not_set_aside,
    not_suspended_or_buried,
    study_context,
)
from .days import as_utc, day_bounds, study_day
from .exams import exam_candidates, new_card_priority
from .fsrs_cards import scheduler_for, to_fsrs_card
from .recall import retrievability_expression, retrievability_order, retrievability_params

__all__ = [
    "LEARN_AHEAD",
    "DeckCounts",
    "QueueCounts",
    "QueueEntry",
    "deck_counts",
    "deck_label",
    "next_card",
    "next_card_and_counts",
    "next_due_at",
    "queue_counts",
]

LEARNING_STATES = (fsrs.State.Learning.value, fsrs.State.Relearning.value)
# Anki's default "learn ahead limit": with nothing else left, a learning step due this
# soon is shown now rather than a "next card in 7m" page.
LEARN_AHEAD = timedelta(minutes=20)


@dataclass
class QueueCounts:
    learning: int
    due: int
    new: int
    exam: int
    reviews_done_today: int
    new_done_today: int

    @property
    def total(self) -> int:
        return self.learning + self.due + self.new + self.exam

    @property
    def waiting(self) -> int:
        """Reviews to do today (learning steps, due reviews, exam reviews): the one
        "due today" figure the home page, the study page and Progress all show."""
        return self.learning + self.due + self.exam


@dataclass
class DeckCounts:
    deck: str  # "bank:<id>" or "topic:<id>"
    label: str
    depth: int  # 0 for a bank, 1 for its top-level topics, ...
    learning: int
    due: int
    new: int


def _deck_condition(session: Session, deck: str | None) -> ColumnElement[bool] | None:
    """Cards whose question is in the deck; None for every card."""
    if not deck:
        return None
    kind, _, raw_id = deck.partition(":")
    if kind not in ("bank", "topic") or not raw_id.isdigit():
        return None
    scope = scope_condition(session, **{f"{kind}_id": int(raw_id)})
    if scope is None:
        return None
    return ReviewCard.question_id.in_(select(Question.id).where(scope))


def deck_label(session: Session, deck: str | None) -> str | None:
    """ "History" or "History › Timeline" for a deck; None for "all" or a deck gone."""
    kind, _, raw_id = (deck or "").partition(":")
    if not raw_id.isdigit():
        return None
    if kind == "bank":
        bank = session.get(QuestionBank, int(raw_id))
        return bank.title if bank else None
    if kind == "topic":
        topic = session.get(Topic, int(raw_id))
        return f"{topic.bank.title} › {topic.path}" if topic else None
    return None


def _in_deck(query: Select, deck: ColumnElement[bool] | None) -> Select:
    return query if deck is None else query.where(deck)


# Written into the SQL as constants, not bound: the steps index is partial, and a
# planner can only match its WHERE against constants (PostgreSQL's generic plans for
# prepared statements see no parameter values).
ANSWERED = ReviewCard.reps > literal_column("0")
IN_STEPS = ReviewCard.state.in_([literal_column(str(state)) for state in LEARNING_STATES])
IN_REVIEW = ReviewCard.state == literal_column(str(fsrs.State.Review.value))


def _learning_due(user_id: int | BindParameter, now: datetime | ColumnElement) -> Select:
    """Cards in a learning or relearning step whose step has run out: exact to the minute.

    Read through the partial index of answered cards in a step, which holds only the
    few cards in a step: new cards are in the learning state too, due since they were
    added, and in a (user_id, state, due) range a large deck's new cards would all be
    read and passed over. Answered cards, so an archived question holds none back.
    """
    return (
        select(ReviewCard)
        .with_hint(ReviewCard, "INDEXED BY ix_review_cards_user_steps", "sqlite")
        .where(
            ReviewCard.user_id == user_id,
            ReviewCard.due <= now,
            ANSWERED,
            IN_STEPS,
            not_suspended_or_buried(now),
        )
    )


def _reviews_due(
    user_id: int | BindParameter, now: datetime | ColumnElement, day_end: datetime | ColumnElement
) -> Select:
    """Review cards due today: as in Anki, from the start of the study day their due is in.

    Read through (user_id, state, due, ...), which has every column filtered and ranked
    on, so only the day's reviews are read, from the index alone. SQLite's planner, with
    its statistics, may otherwise walk (user_id, due) or (user_id, reps) and read every
    overdue or every answered card of a large deck.
    """
    return (
        select(ReviewCard)
        .with_hint(ReviewCard, "INDEXED BY ix_review_cards_user_state_due", "sqlite")
        .where(
            ReviewCard.user_id == user_id,
            ReviewCard.due < day_end,
            ANSWERED,
            IN_REVIEW,
            not_suspended_or_buried(now),
        )
    )


def _new_cards(user_id: int | BindParameter, now: datetime | ColumnElement) -> Select:
    return select(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.reps == 0, not_set_aside(now)
    )


def _new_order(new_card_order: str) -> tuple[ColumnElement, ...]:
    """File order (as added), or a shuffle that is fixed per card, so a page reload or a
    revealed answer shows the same card. The shuffle's offset is the bound parameter
    `shuffle_offset` (_queue_params)."""
    if new_card_order == "random":
        # In 64-bit arithmetic: the product overflows PostgreSQL's 32-bit integer.
        card_id = cast(ReviewCard.id, BigInteger)
        offset = bindparam("shuffle_offset", type_=BigInteger)
        shuffled = (card_id * 2654435761 + offset) % 4294967296
        return (shuffled, ReviewCard.id)
    return (ReviewCard.position, ReviewCard.id)


def _queue_params(user_id: int, now: datetime, context: StudyContext) -> dict[str, Any]:
    """The values the queue's statements are bound with."""
    return {
        "user_id": user_id,
        "now": now,
        "ahead": now + LEARN_AHEAD,
        "day_end": context.day_end,
        "shuffle_offset": user_id * 40503,
        "reviews_left": context.reviews_left,
        "new_left": context.new_left,
    }


def due_reviews(
    session: Session,
    context: StudyContext,
    user_id: int,
    now: datetime,
    *,
    deck: ColumnElement[bool] | None = None,
) -> list[QueueEntry]:
    """Review cards due today, the least retrievable first.

    Anki offers this order for FSRS ("retrievability ascending"): with more due than the
    day's limit, the cards most likely forgotten are the ones worth reviewing today.
    """
    scheduler = scheduler_for(context.settings)
    entries = [
        QueueEntry(card, "due", scheduler.get_card_retrievability(to_fsrs_card(card), now))
        for card in session.scalars(_in_deck(_reviews_due(user_id, now, context.day_end), deck))
    ]
    entries.sort(key=lambda entry: (entry.retrievability, entry.card.due, entry.card.id))
    return entries


def _limited(query: Select, limit: int | BindParameter) -> Select:
    """A subquery of at most `limit` rows: a count over it stops there."""
    rows = query.with_only_columns(ReviewCard.id).limit(limit)
    return select(func.count()).select_from(rows.subquery())


def _next_card_statement(
    dialect: str,
    *,
    reviews: bool,
    new_card_order: str | None,
    deck: ColumnElement[bool] | None = None,
    exam_first: ColumnElement[int] | None = None,
    counted: bool = False,
) -> Select:
    """The first of the candidates of every kind (the first learning step due, the least
    retrievable review, the first new card, a step due within the learn-ahead limit, in
    that order), with its question and the review's retrievability, in one statement of
    bound parameters (_queue_params and retrievability_params): one row, or none, to
    load. Exam reviews come between reviews and new cards; _choose looks for them when
    the row is a new card or a step ahead. `reviews` and `new_card_order` (None: no new
    cards) say which kinds the day's limits still allow. `counted`: the row carries the
    queue's three counts too (those of _queue_counts_statement)."""
    user_id, now = bindparam("user_id"), bindparam("now")
    recall = retrievability_expression(dialect)
    branches: list[tuple[int, Select]] = [
        (0, _learning_due(user_id, now).order_by(ReviewCard.due, ReviewCard.id)),
    ]
    if reviews:
        due = _reviews_due(user_id, now, bindparam("day_end"))
        by_recall = retrievability_order(dialect)
        branches.append((1, due.order_by(by_recall, ReviewCard.due, ReviewCard.id)))
    if new_card_order is not None:
        order = _new_order(new_card_order)
        order = (exam_first, *order) if exam_first is not None else order
        branches.append((3, _new_cards(user_id, now).order_by(*order)))
    ahead = _learning_due(user_id, bindparam("ahead"))
    branches.append((4, ahead.order_by(ReviewCard.due, ReviewCard.id)))
    candidates = []
    for rank, query in branches:
        chosen = _in_deck(query, deck).with_only_columns(ReviewCard.id).limit(1).subquery()
        candidates.append(select(chosen.c.id, literal(rank).label("rank")))
    picked = union_all(*candidates).subquery()
    statement = (
        select(ReviewCard, picked.c.rank, recall)
        .join(picked, picked.c.id == ReviewCard.id)
        .options(
            joinedload(ReviewCard.question).options(
                joinedload(Question.topic),
                # What a card's citation shows, not the document's whole text.
                joinedload(Question.source_document).load_only(
                    SourceDocument.slug,
                    SourceDocument.title,
                    SourceDocument.short_title,
                    SourceDocument.owner_id,
                ),
            )
        )
        .order_by(picked.c.rank)
        .limit(1)
    )
    if counted:
        statement = statement.add_columns(*_queue_counts_statement(deck).selected_columns)
    return statement


@cache
def _whole_queue_statement(
    dialect: str, reviews: bool, new_card_order: str | None, counted: bool
) -> Select:
    """_next_card_statement for every card (no deck, no exam coming): built once per
    kind of day, so a call only binds its values."""
    return _next_card_statement(
        dialect, reviews=reviews, new_card_order=new_card_order, counted=counted
    )


def next_card(
    session: Session,
    user_id: int,
    now: datetime,
    *,
    context: StudyContext | None = None,
    deck: str | None = None,
) -> QueueEntry | None:
    """The card to show now, or None when nothing is available until later.

    `deck` ("bank:<id>" or "topic:<id>") limits the queue to that deck; None studies all.
    The candidates of every kind come back from one statement, with their questions;
    exam reviews, when the student has an exam coming, are looked up between reviews
    and new cards.
    """
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    entry, _ = _choose(session, user_id, now, context, _deck_condition(session, deck))
    return entry


def next_card_and_counts(
    session: Session,
    user_id: int,
    now: datetime,
    *,
    context: StudyContext | None = None,
    deck: str | None = None,
) -> tuple[QueueEntry | None, QueueCounts]:
    """next_card and queue_counts, in one statement when there is a card to show: the
    counts ride along on the candidates' rows."""
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    in_deck = _deck_condition(session, deck)
    entry, raw = _choose(session, user_id, now, context, in_deck, counted=True)
    if raw is None:  # no candidate row to carry them
        raw = _raw_queue_counts(session, user_id, now, context, in_deck)
    return entry, _queue_counts_from(session, user_id, now, context, in_deck, raw)


def _choose(
    session: Session,
    user_id: int,
    now: datetime,
    context: StudyContext,
    in_deck: ColumnElement[bool] | None,
    *,
    counted: bool = False,
) -> tuple[QueueEntry | None, tuple[int, int, int] | None]:
    """The next card, and with `counted` the raw counts (None when no row came back)."""
    scheduler = scheduler_for(context.settings)
    dialect = session.get_bind().dialect.name
    reviews = bool(context.reviews_left)
    new_card_order = context.settings.new_card_order if context.new_left else None
    exam_first = None
    if new_card_order is not None and in_deck is None and context.may_have_exams:
        # Unseen cards in an exam's scope come first, so they are learned in time.
        exam_first = new_card_priority(session, user_id, context.today)
    if in_deck is None and exam_first is None:
        statement = _whole_queue_statement(dialect, reviews, new_card_order, counted)
    else:
        statement = _next_card_statement(
            dialect,
            reviews=reviews,
            new_card_order=new_card_order,
            deck=in_deck,
            exam_first=exam_first,
            counted=counted,
        )
    params = _queue_params(user_id, now, context) | retrievability_params(scheduler, now)
    row = session.execute(statement, params).first()
    rank = row[1] if row is not None else None
    raw = tuple(row[3:6]) if counted and row is not None else None
    if rank == 0:
        return QueueEntry(row[0], "learning"), raw
    if rank == 1:
        return QueueEntry(row[0], "due", row[2]), raw
    if context.reviews_left and in_deck is None:
        exam = exam_candidates(session, user_id, now, context=context)
        if exam:
            return exam[0], raw
    if rank is None:
        return None, raw
    return QueueEntry(row[0], "new" if rank == 3 else "learning"), raw


def _raw_counts(user_id: int, now: datetime, context: StudyContext):
    """(learning, due today, new) count expressions over one student's available cards."""
    learning = (
        (ReviewCard.due <= now + LEARN_AHEAD)
        & (ReviewCard.reps > 0)
        & ReviewCard.state.in_(LEARNING_STATES)
    )
    review = (
        (ReviewCard.due < context.day_end)
        & (ReviewCard.reps > 0)
        & (ReviewCard.state == fsrs.State.Review.value)
    )
    return (
        func.count().filter(learning),
        func.count().filter(review),
        func.count().filter(ReviewCard.reps == 0),
    )


def queue_counts(
    session: Session,
    user_id: int,
    now: datetime,
    *,
    context: StudyContext | None = None,
    deck: str | None = None,
) -> QueueCounts:
    """How many cards next_card would show today, by kind, within the daily limits.

    Learning counts the steps due within the learn-ahead limit, as Anki's count does.
    One statement of three counts, each over an index range ((user_id, state, due) or
    (user_id, reps, position)) and each stopping at the day's limit, so a deck of
    50,000 cards is never read whole.
    """
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    in_deck = _deck_condition(session, deck)
    raw = _raw_queue_counts(session, user_id, now, context, in_deck)
    return _queue_counts_from(session, user_id, now, context, in_deck, raw)


def _raw_queue_counts(
    session: Session,
    user_id: int,
    now: datetime,
    context: StudyContext,
    in_deck: ColumnElement[bool] | None,
) -> tuple[int, int, int]:
    statement = _whole_queue_counts() if in_deck is None else _queue_counts_statement(in_deck)
    return tuple(session.execute(statement, _queue_params(user_id, now, context)).one())


def _queue_counts_from(
    session: Session,
    user_id: int,
    now: datetime,
    context: StudyContext,
    in_deck: ColumnElement[bool] | None,
    raw: tuple[int, int, int],
) -> QueueCounts:
    """The counts shown, from the raw ones: within the day's limits, with exam reviews."""
    learning_count, due_count, new_count = raw
    due = min(due_count, context.reviews_left)
    # The review limit caps new cards as well: reviews come first.
    new = min(new_count, context.new_left, context.reviews_left - due)
    exam = 0
    if context.reviews_left > due and in_deck is None:
        candidates = exam_candidates(session, user_id, now, context=context)
        exam = min(len(candidates), context.reviews_left - due)
    return QueueCounts(
        learning=learning_count,
        due=due,
        new=new,
        exam=exam,
        reviews_done_today=context.reviews_done,
        new_done_today=context.new_done,
    )


def _queue_counts_statement(deck: ColumnElement[bool] | None = None) -> Select:
    """Three counts in one statement of bound parameters (_queue_params): the steps due
    within the learn-ahead limit, and the reviews and new cards, each up to its limit."""
    user_id, now = bindparam("user_id"), bindparam("now")
    learning = _learning_due(user_id, bindparam("ahead")).where(not_suspended_or_buried(now))
    learning = _in_deck(learning, deck)
    reviews = _in_deck(_reviews_due(user_id, now, bindparam("day_end")), deck)
    new = _in_deck(_new_cards(user_id, now), deck)
    return select(
        select(func.count())
        .select_from(learning.with_only_columns(ReviewCard.id).subquery())
        .scalar_subquery(),
        _limited(reviews, bindparam("reviews_left", type_=Integer)).scalar_subquery(),
        _limited(new, bindparam("new_left", type_=Integer)).scalar_subquery(),
    )


@cache
def _whole_queue_counts() -> Select:
    return _queue_counts_statement()


def deck_counts(
    session: Session, user_id: int, now: datetime, *, context: StudyContext | None = None
) -> list[DeckCounts]:
    """Each bank the student studies, then its topics (a topic covers its sub-topics),
    with what it has for today, within the daily limits."""
    now = as_utc(now)
    context = context or study_context(session, user_id, now)
    rows = session.execute(
        select(Question.bank_id, Question.topic_id, *_raw_counts(user_id, now, context))
        .join(Question, ReviewCard.question_id == Question.id)
        .where(ReviewCard.user_id == user_id, not_set_aside(now))
        .group_by(Question.bank_id, Question.topic_id)
    ).all()
    if not rows:
        return []
    bank_ids = {row[0] for row in rows}
    banks = {
        bank.id: bank
        for bank in session.scalars(select(QuestionBank).where(QuestionBank.id.in_(bank_ids)))
    }
    topics = list(session.scalars(select(Topic).where(Topic.bank_id.in_(bank_ids))))
    path_of = {topic.id: topic.path for topic in topics}

    def capped(learning: int, due: int, new: int) -> tuple[int, int, int]:
        due = min(due, context.reviews_left)
        return learning, due, min(new, context.new_left, context.reviews_left - due)

    decks = []
    for bank_id in sorted(bank_ids, key=lambda i: (banks[i].title.casefold(), i)):
        bank_rows = [row for row in rows if row[0] == bank_id]
        totals = [sum(row[i] for row in bank_rows) for i in (2, 3, 4)]
        decks.append(DeckCounts(f"bank:{bank_id}", banks[bank_id].title, 0, *capped(*totals)))
        for topic in sorted((t for t in topics if t.bank_id == bank_id), key=lambda t: t.path):
            inside = [
                row
                for row in bank_rows
                if row[1] is not None
                and (path_of[row[1]] == topic.path or path_of[row[1]].startswith(topic.path + "/"))
            ]
            if not inside:
                continue
            totals = [sum(row[i] for row in inside) for i in (2, 3, 4)]
            decks.append(
                DeckCounts(
                    f"topic:{topic.id}", topic.name, topic.path.count("/") + 1, *capped(*totals)
                )
            )
    return decks


def next_due_at(session: Session, user_id: int, now: datetime) -> datetime | None:
    """When a card not available now becomes available, for "next card in 7m".

    A card is available once it is due and no longer buried; a card held back by a
    daily limit waits, as well, for the next study day, when the limits start again.
    """
    now = as_utc(now)
    context = study_context(session, user_id, now)
    settings = context.settings
    kinds: list[tuple[ColumnElement[bool], bool, bool]] = [
        (and_(ReviewCard.reps > 0, ReviewCard.state.in_(LEARNING_STATES)), False, False)
    ]
    # A limit of zero never resets: those cards are not coming.
    if settings.max_reviews_per_day > 0:
        review = and_(ReviewCard.reps > 0, ReviewCard.state == fsrs.State.Review.value)
        kinds.append((review, not context.reviews_left, True))
    if settings.new_per_day > 0:
        kinds.append((ReviewCard.reps == 0, not context.new_left, False))
    times = []
    for kind, held_by_limit, whole_day in kinds:
        earliest, earliest_after_now = _earliest_available(session, user_id, now, kind)
        if held_by_limit and earliest is not None:
            times.append(max(earliest, context.day_end))
        elif earliest_after_now is not None:
            if whole_day:
                # A review card is offered from the start of its due day.
                hour = settings.day_starts_at_hour
                day = study_day(earliest_after_now, context.time_zone, hour)
                earliest_after_now = max(now, day_bounds(day, context.time_zone, hour)[0])
            times.append(earliest_after_now)
    return min(times, default=None)


def _earliest_available(
    session: Session, user_id: int, now: datetime, kind: ColumnElement[bool]
) -> tuple[datetime | None, datetime | None]:
    """The earliest moment a card of this kind is due and unburied: at all, and after now."""
    available_at = case(
        (ReviewCard.buried_until > ReviewCard.due, ReviewCard.buried_until),
        else_=ReviewCard.due,
    )
    earliest, earliest_after_now = session.execute(
        select(func.min(available_at), func.min(case((available_at > now, available_at)))).where(
            ReviewCard.user_id == user_id,
            ReviewCard.suspended.is_(False),
            or_(ReviewCard.reps > 0, ReviewCard.question_id.not_in(archived_question_ids())),
            kind,
        )
    ).one()
    return earliest, earliest_after_now
