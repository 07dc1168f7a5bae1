"""The queue ranks due reviews by retrievability in SQL: the same floats, the same card."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ReviewCard
from app.scheduling import get_settings, next_card, scheduler_for, to_fsrs_card
from app.scheduling.context import study_context
from app.scheduling.queue import due_reviews
from app.scheduling.recall import retrievability_order, retrievability_params, retrievability_sql

from .helpers import T0, review_card, set_settings


def _shuffle_deck(cards: list[ReviewCard], rng: random.Random) -> None:
    """Random stabilities and ages, some on whole days exactly, a few reviewed "later"."""
    for card in cards:
        card.stability = 10 ** rng.uniform(-1.5, 2.6)
        if rng.random() < 0.3:
            card.last_review = T0 - timedelta(days=rng.randrange(0, 400))
        else:
            card.last_review = T0 - timedelta(seconds=rng.uniform(-3600, 400 * 86400))
        card.due = T0 - timedelta(hours=rng.uniform(0, 2000))
        if rng.random() < 0.15:  # ties in R: the due date and the id decide
            card.stability, card.last_review = 5.0, T0 - timedelta(days=3)
    db.session.commit()


def test_sql_retrievability_and_choice_match_fsrs_on_random_decks(app, student, bank):
    set_settings(student.id, max_reviews_per_day=9999)
    rng = random.Random(15)
    cards = [
        review_card(student.id, question, stability=1.0, last_review=T0 - timedelta(days=1))
        for question in bank.questions
    ]
    for deck in range(12):
        if deck == 6:  # personal parameters change the decay and the factor
            settings = get_settings(db.session, student.id)
            parameters = list(scheduler_for(settings).parameters)
            parameters[20] = 0.35
            settings.parameters = parameters
            db.session.commit()
        _shuffle_deck(cards, rng)
        now = T0 + timedelta(minutes=rng.choice([0, 1, 90]))
        scheduler = scheduler_for(get_settings(db.session, student.id))
        in_sql = dict(
            db.session.execute(
                select(ReviewCard.id, retrievability_sql(db.session, scheduler, now)).where(
                    ReviewCard.user_id == student.id
                )
            ).all()
        )
        in_python = {
            card.id: scheduler.get_card_retrievability(to_fsrs_card(card), now) for card in cards
        }
        assert in_sql == in_python  # bit for bit, not approximately
        context = study_context(db.session, student.id, now)
        expected = due_reviews(db.session, context, student.id, now)[0]
        chosen = next_card(db.session, student.id, now)
        assert chosen.reason == "due"
        assert chosen.card.id == expected.card.id
        assert chosen.retrievability == expected.retrievability


def test_a_review_dated_days_ahead_counts_no_days_elapsed(app, student, bank):
    """A last review after `now` (a clock set back) is 0 days old, as in fsrs, however far
    ahead: integer division alone would give -1 day for one 1.5 days ahead."""
    now = T0
    cards = [
        review_card(student.id, question, stability=2.0, last_review=now + timedelta(hours=hours))
        for question, hours in zip(bank.questions, (1, 25, 36, 24 * 9 + 7), strict=False)
    ]
    scheduler = scheduler_for(get_settings(db.session, student.id))
    in_sql = dict(
        db.session.execute(
            select(ReviewCard.id, retrievability_sql(db.session, scheduler, now)).where(
                ReviewCard.user_id == student.id
            )
        ).all()
    )
    assert in_sql == {card.id: 1.0 for card in cards}
    assert all(scheduler.get_card_retrievability(to_fsrs_card(card), now) == 1.0 for card in cards)


def test_the_queue_order_key_sorts_every_card_as_retrievability_does(app, student, bank):
    """-t / S in place of R: the whole order, ties and a card never reviewed included."""
    rng = random.Random(7)
    cards = [
        review_card(student.id, question, stability=1.0, last_review=T0 - timedelta(days=1))
        for question in bank.questions
    ]
    dialect = db.session.get_bind().dialect.name
    for _ in range(8):
        _shuffle_deck(cards, rng)
        cards[0].last_review = None  # R = 0: first
        db.session.commit()
        now = T0 + timedelta(minutes=rng.choice([0, 1, 90]))
        scheduler = scheduler_for(get_settings(db.session, student.id))
        in_sql = db.session.scalars(
            select(ReviewCard.id)
            .where(ReviewCard.user_id == student.id)
            .order_by(retrievability_order(dialect), ReviewCard.due, ReviewCard.id),
            retrievability_params(scheduler, now),
        ).all()
        in_python = [
            card.id
            for card in sorted(
                cards,
                key=lambda c: (
                    scheduler.get_card_retrievability(to_fsrs_card(c), now),
                    c.due,
                    c.id,
                ),
            )
        ]
        assert in_sql == in_python
