"""Review history brought from elsewhere (an Anki package's revlog) into a student's reviews.

Each imported question with a history gets the student's review card, and each past answer
a review log, as if the student had answered here: the FSRS state is recomputed by replaying
the answers in order through the student's own scheduler, so the card is due when FSRS says,
not when Anki's own scheduler had put it. Answers without a rating (Anki's manual
reschedules) and answers dated after `now` are left out. A question the student already
reviews keeps its card and history untouched: nothing is merged into a history of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import fsrs
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Question, ReviewCard, ReviewLog
from .cards import add_to_reviews
from .days import as_utc
from .fsrs_cards import card_snapshot, copy_fsrs_state, scheduler_for
from .settings import get_settings


class PastReview(Protocol):
    reviewed_at: datetime
    rating: int  # 1 Again .. 4 Easy; anything else is not an answer
    duration_ms: int


@dataclass
class HistoryImport:
    cards: int = 0  # cards created with a history
    reviews: int = 0  # review logs written
    kept: int = 0  # questions the student already reviewed, left as they were


def import_review_history(
    session: Session,
    user_id: int,
    bank_id: int,
    history: Mapping[str, Sequence[PastReview]],
    now: datetime,
) -> HistoryImport:
    """Give the student a card with its replayed history for every question of the bank
    whose external id has one (flush, never commit)."""
    now = as_utc(now)
    outcome = HistoryImport()
    wanted = {key: entries for key, entries in history.items() if entries}
    if not wanted:
        return outcome
    questions = dict(
        session.execute(
            select(Question.external_id, Question.id).where(
                Question.bank_id == bank_id, Question.external_id.in_(list(wanted))
            )
        ).all()
    )
    reviewed = set(
        session.scalars(
            select(ReviewCard.question_id).where(
                ReviewCard.user_id == user_id, ReviewCard.question_id.in_(list(questions.values()))
            )
        )
    )
    outcome.kept = len(reviewed)
    fresh = {key: qid for key, qid in questions.items() if qid not in reviewed}
    if not fresh:
        return outcome
    add_to_reviews(session, user_id, question_ids=sorted(fresh.values()), now=now)
    cards = {
        card.question_id: card
        for card in session.scalars(
            select(ReviewCard).where(
                ReviewCard.user_id == user_id, ReviewCard.question_id.in_(list(fresh.values()))
            )
        )
    }
    scheduler = scheduler_for(get_settings(session, user_id))
    for key, question_id in fresh.items():
        card = cards[question_id]
        answers = sorted(
            (
                entry
                for entry in wanted[key]
                if 1 <= entry.rating <= 4 and as_utc(entry.reviewed_at) <= now
            ),
            key=lambda entry: entry.reviewed_at,
        )
        if not answers:
            continue
        state = fsrs.Card(card_id=card.id, due=as_utc(answers[0].reviewed_at))
        for entry in answers:
            when = as_utc(entry.reviewed_at)
            rating = fsrs.Rating(entry.rating)
            before = card_snapshot(card)
            lapsed = card.state == fsrs.State.Review.value and rating == fsrs.Rating.Again
            state, _ = scheduler.review_card(state, rating, when)
            session.add(
                ReviewLog(
                    card_id=card.id,
                    user_id=user_id,
                    question_id=question_id,
                    rating=rating.value,
                    reviewed_at=when,
                    duration_ms=max(0, int(entry.duration_ms or 0)),
                    state_before=before["state"],
                    state_after=state.state.value,
                    was_new=card.reps == 0,
                    card_before=before,
                    interval_seconds=max(0, round((state.due - when).total_seconds())),
                )
            )
            copy_fsrs_state(state, into=card)
            card.reps += 1
            card.lapses += int(lapsed)
            outcome.reviews += 1
        card.version += 1
        outcome.cards += 1
    session.flush()
    return outcome
