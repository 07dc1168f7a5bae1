"""Spaced repetition with FSRS: cards, the study queue, answers, exam dates, optimizer.

Services take a Session and plain values, take `now` as an argument, may flush and
never commit: the caller owns the transaction.
"""

from .cards import CardNotFound, add_to_reviews, bury_card, suspend_card, unsuspend_card
from .context import StudyContext, study_context
from .days import day_bounds, study_day
from .exams import (
    ExamError,
    ExamNotFound,
    ExamOverview,
    active_exam_dates,
    delete_exam_date,
    exam_candidates,
    exam_overview,
    set_exam_date,
    set_exam_target,
)
from .fsrs_cards import (
    card_snapshot,
    copy_fsrs_state,
    restore_snapshot,
    scheduler_for,
    to_fsrs_card,
)
from .optimizer import (
    MIN_REVIEWS_TO_OPTIMIZE,
    NotEnoughReviews,
    OptimizeResult,
    OptimizerUnavailable,
    optimize_parameters,
    optimizer_available,
)
from .queue import QueueCounts, QueueEntry, next_card, next_due_at, queue_counts
from .reviews import (
    LEECH_LAPSES,
    AnswerOutcome,
    NothingToUndo,
    StaleAnswer,
    answer_card,
    interval_previews,
    rating_for_grade,
    undo_last_answer,
)
from .settings import (
    SettingsError,
    format_interval,
    format_steps,
    get_settings,
    parse_steps,
    update_settings,
)

__all__ = [
    "LEECH_LAPSES",
    "MIN_REVIEWS_TO_OPTIMIZE",
    "AnswerOutcome",
    "CardNotFound",
    "ExamError",
    "ExamNotFound",
    "ExamOverview",
    "NotEnoughReviews",
    "NothingToUndo",
    "OptimizeResult",
    "OptimizerUnavailable",
    "QueueCounts",
    "QueueEntry",
    "StudyContext",
    "study_context",
    "SettingsError",
    "StaleAnswer",
    "active_exam_dates",
    "add_to_reviews",
    "answer_card",
    "bury_card",
    "card_snapshot",
    "copy_fsrs_state",
    "day_bounds",
    "delete_exam_date",
    "exam_candidates",
    "exam_overview",
    "format_interval",
    "format_steps",
    "get_settings",
    "interval_previews",
    "next_card",
    "next_due_at",
    "optimize_parameters",
    "optimizer_available",
    "parse_steps",
    "queue_counts",
    "rating_for_grade",
    "restore_snapshot",
    "scheduler_for",
    "set_exam_date",
    "set_exam_target",
    "study_day",
    "suspend_card",
    "to_fsrs_card",
    "undo_last_answer",
    "unsuspend_card",
    "update_settings",
]
