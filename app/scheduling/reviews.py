"""Answering a card through FSRS, undo, interval previews, leeches."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

import fsrs
from sqlalchemy import Insert, Update, bindparam, delete, insert, update
from sqlalchemy.orm import Session, make_transient_to_detached, object_session
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import Conflict
from ..models import ReviewCard, ReviewLog, StudyAction, StudySettings
from ..models.reviews import last_review_us_of
from ..questions import CORRECT_THRESHOLD
from .actions import last_action, record_action
from .cards import user_card
from .context import StudyContext, settings_and_exams
from .days import as_utc
from .exams import ExamCaps, apply_exam_cap
from .fsrs_cards import card_snapshot, restore_snapshot, scheduler_for, to_fsrs_card
from .settings import format_interval, settings_for_update

# Anki's default leech threshold. As in Anki, a card that keeps lapsing after being
# unsuspended is flagged again every half threshold (12, 16, ... lapses).
LEECH_LAPSES = 8
# Below half marks an answer counts as forgotten: FSRS treats Hard as a recall, and a
# mostly wrong answer should not grow the card's stability.
PASS_MARK = 0.5


class StaleAnswer(RuntimeError):
    """The card changed since it was shown: a resubmit, a double click or a second tab."""


class NothingToUndo(LookupError):
    """The student has no answer left to undo."""


class CardSuspended(Conflict):
    """An answer for a card suspended since it was shown (an old tab): refused."""


@dataclass
class AnswerOutcome:
    card: ReviewCard
    log: ReviewLog
    leech_now: bool
    # The study context given to answer_card, with this answer counted in it: the next
    # card's page needs no second read of it.
    context: StudyContext | None = None


def rating_for_grade(fraction: float) -> fsrs.Rating:
    """The rating a graded answer suggests: below half marks → Again, at least half → Hard,
    right → Good.

    Easy is never suggested: whether recall was effortless is the student's call, and
    the student can override any suggestion.
    """
    if fraction >= CORRECT_THRESHOLD:
        return fsrs.Rating.Good
    if fraction >= PASS_MARK:
        return fsrs.Rating.Hard
    return fsrs.Rating.Again


def is_leech_lapse(lapses: int) -> bool:
    if lapses < LEECH_LAPSES:
        return False
    return (lapses - LEECH_LAPSES) % (LEECH_LAPSES // 2) == 0


def interval_previews(
    card: ReviewCard,
    settings: StudySettings,
    now: datetime,
    *,
    context: StudyContext | None = None,
) -> dict[fsrs.Rating, str]:
    """The interval each button leads to, from the scheduler answer_card uses.

    `context` (the student's, at `now`) saves reading it again."""
    now = as_utc(now)
    scheduler = scheduler_for(settings)
    session = object_session(card)
    caps = ExamCaps(session, card.user_id, card, now, context) if session is not None else None
    previews = {}
    for rating in fsrs.Rating:
        after, _ = scheduler.review_card(to_fsrs_card(card), rating, now)
        due = (caps.cap(after) if caps is not None else None) or after.due
        previews[rating] = format_interval((due - now).total_seconds())
    return previews


def answer_card(
    session: Session,
    user_id: int,
    card_id: int,
    rating: fsrs.Rating,
    now: datetime,
    *,
    expected_version: int,
    duration_ms: int | None = None,
    answer: dict[str, Any] | None = None,
    grade: float | None = None,
    overridden_from: float | None = None,
    context: StudyContext | None = None,
) -> AnswerOutcome:
    """Apply one answer through FSRS, once: `expected_version` is the version shown.

    `context` (the student's, at `now`) saves reading the settings again; the outcome
    carries it with this answer counted and as the action to undo.

    Raises CardNotFound for a card that is not the student's, CardSuspended for a card
    suspended meanwhile, and StaleAnswer when the card has changed since (the answer was
    already applied, or the card was edited). `overridden_from` is the engine's grade when
    the student said "I was right" (then `grade` is 1); it is kept in the log.
    """
    now = as_utc(now)
    card = user_card(session, user_id, card_id)
    if card.suspended:
        raise CardSuspended(
            "This card is suspended, so the answer was not recorded. "
            "Unsuspend it in your study settings to review it again."
        )
    if card.version != expected_version:
        raise StaleAnswer(f"Card {card_id} has changed since it was shown.")
    before = card_snapshot(card)
    if context is not None:
        settings = context.settings if object_session(context.settings) is not None else None
        exams_coming = context.may_have_exams
    else:
        settings, exams_coming = settings_and_exams(session, user_id, now)
    scheduler = scheduler_for(settings or settings_for_update(session, user_id))
    after, _ = scheduler.review_card(to_fsrs_card(card), rating, now, duration_ms)
    if exams_coming:
        after = apply_exam_cap(session, user_id, card, now, after)
    # Anki counts a lapse when a card in review is failed; learning failures are not lapses.
    lapsed = card.state == fsrs.State.Review.value and rating == fsrs.Rating.Again
    lapses = card.lapses + int(lapsed)
    leech_now = lapsed and is_leech_lapse(lapses)
    values = {
        "state": after.state.value,
        "step": after.step,
        "stability": after.stability,
        "difficulty": after.difficulty,
        "due": after.due,
        "last_review": after.last_review,
        "last_review_us": last_review_us_of(after.last_review),
        "reps": card.reps + 1,
        "lapses": lapses,
        "leech": card.leech or leech_now,
        "suspended": card.suspended or leech_now,  # Anki's default leech action
        "buried_until": None,
        "version": expected_version + 1,
    }
    _apply_if_unchanged(session, card, expected_version, values)
    log = _insert_log(
        session,
        card_id=card.id,
        user_id=user_id,
        question_id=card.question_id,
        rating=rating.value,
        reviewed_at=now,
        duration_ms=duration_ms,
        state_before=before["state"],
        state_after=after.state.value,
        was_new=before["reps"] == 0,
        card_before=before,
        interval_seconds=max(0, round((after.due - now).total_seconds())),
        answer=answer,
        grade=grade,
        overridden_from=overridden_from,
    )
    action_id = record_action(session, user_id, card, "answer", before, now, review_log_id=log.id)
    if context is not None:
        context = replace(
            context,
            new_done=context.new_done + int(log.was_new),
            reviews_done=context.reviews_done
            + int(not log.was_new and log.state_before == fsrs.State.Review.value),
            last_action=(action_id, "answer"),
        )
    return AnswerOutcome(card, log, leech_now, context)


def _insert_log(session: Session, **values: Any) -> ReviewLog:
    """INSERT the log by a statement built once (a unit-of-work flush costs about twice
    as much), then put it in the session as the row it now is."""
    values["id"] = session.execute(_log_insert(), values).scalar_one()
    log = ReviewLog(**values)
    make_transient_to_detached(log)
    session.add(log)
    return log


@cache
def _log_insert() -> Insert:
    table = ReviewLog.__table__
    return insert(table).returning(table.c.id)


def _apply_if_unchanged(
    session: Session, card: ReviewCard, expected_version: int, values: dict[str, Any]
) -> None:
    """UPDATE ... WHERE version = expected: of two concurrent answers, one changes the row.

    On PostgreSQL the second UPDATE waits for the first transaction, then re-reads the
    row, finds the new version and matches nothing; SQLite serialises writers outright.
    """
    result = session.execute(
        _update_if_unchanged(tuple(values)),
        {"card_id": card.id, "expected_version": expected_version}
        | {f"new_{name}": value for name, value in values.items()},
    )
    if result.rowcount != 1:
        raise StaleAnswer(f"Card {card.id} was answered meanwhile.")
    for name, value in values.items():
        set_committed_value(card, name, value)


@cache
def _update_if_unchanged(columns: tuple[str, ...]) -> Update:
    """The UPDATE of those columns, built once and bound on each call."""
    table = ReviewCard.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("card_id"),
            table.c.version == bindparam("expected_version"),
        )
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


def undo_last_answer(session: Session, user_id: int, action_id: int | None = None) -> ReviewCard:
    """Take back the student's newest action (answer, suspend or bury), putting the card
    back as it was; an undone answer is forgotten.

    `action_id` names the action the student saw as the one to undo: when it was undone
    already (a double click, a resubmitted form) nothing more is undone. Without it the
    newest action is taken back; repeated deliberate undos go back several levels.
    """
    action = last_action(session, user_id)
    if action_id is not None and (action is None or action.id != action_id):
        if session.get(StudyAction, action_id) is None:
            raise NothingToUndo("That was already undone.")
        raise StaleAnswer("Something newer was done since; nothing was undone.")
    if action is None:
        raise NothingToUndo("There is no answer to undo.")
    card = user_card(session, user_id, action.card_id)
    snapshot = action.card_before
    # Claim the card at the version read: an answer from another tab that lands
    # meanwhile makes this undo stale instead of being silently overwritten.
    read_version = card.version
    claimed = session.execute(
        update(ReviewCard)
        .where(ReviewCard.id == card.id, ReviewCard.version == read_version)
        .values(version=read_version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise StaleAnswer(f"Card {card.id} was answered meanwhile; nothing was undone.")
    set_committed_value(card, "version", read_version + 1)
    # Deleting by id first: of two concurrent undos that picked the same action, the
    # second matches no row (on PostgreSQL, after waiting for the first) and changes nothing.
    deleted = session.execute(
        delete(StudyAction)
        .where(StudyAction.id == action.id)
        .execution_options(synchronize_session=False)
    )
    if deleted.rowcount != 1:
        raise NothingToUndo("That was already undone.")
    if action.review_log_id is not None:
        session.execute(
            delete(ReviewLog)
            .where(ReviewLog.id == action.review_log_id)
            .execution_options(synchronize_session=False)
        )
    session.expunge(action)
    restore_snapshot(card, snapshot)
    session.flush()
    return card
