"""Attempts: questions drawn into items, answered once each, scored, reviewed.

Shared by practice sessions (`app.attempts.practice`) and quiz attempts
(`app.attempts.quizzes`). This top level imports neither Flask nor the models, so it loads
on its own; `app.attempts.practice` and `app.attempts.quizzes` work on their tables.
"""

from .errors import AttemptError, ItemNotFound
from .form_checks import answer_problem
from .items import (
    AnswerOutcome,
    AuthoredOrder,
    ReviewedItem,
    answer,
    can_override,
    draw,
    finish,
    finish_if_done,
    format_points,
    is_missed,
    item_values,
    missed_question_ids,
    needs_self_score,
    next_unanswered,
    override,
    presentation,
    read_response,
    rescore,
    review,
    save_response,
    score_text,
    snapshot,
    stored_result,
    tally,
    your_answer,
)

__all__ = [
    "AnswerOutcome",
    "AuthoredOrder",
    "AttemptError",
    "ItemNotFound",
    "ReviewedItem",
    "answer",
    "can_override",
    "answer_problem",
    "draw",
    "finish",
    "finish_if_done",
    "format_points",
    "is_missed",
    "item_values",
    "missed_question_ids",
    "needs_self_score",
    "next_unanswered",
    "override",
    "presentation",
    "read_response",
    "rescore",
    "review",
    "save_response",
    "score_text",
    "snapshot",
    "stored_result",
    "tally",
    "your_answer",
]
