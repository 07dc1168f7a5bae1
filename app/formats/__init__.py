"""Question formats: readers that turn files into drafts, and the pipeline that imports them.

`pipeline` holds the shared steps (drafts → `plan` → `apply`) and the version rule; each
format is a reader module producing `QuestionDraft`s (`seed` reads seed_data/). Nothing here
imports Flask.
"""

from app.formats.pipeline import (
    MAX_EXCERPT_CHARS,
    Action,
    ApplyResult,
    Citation,
    FormatError,
    Location,
    Plan,
    PlanEntry,
    PlanRefused,
    QuestionDraft,
    apply,
    content_changes,
    ensure_topic,
    plan,
    prompt_key,
    update_question_content,
)

__all__ = [
    "MAX_EXCERPT_CHARS",
    "Action",
    "ApplyResult",
    "Citation",
    "FormatError",
    "Location",
    "Plan",
    "PlanEntry",
    "PlanRefused",
    "QuestionDraft",
    "apply",
    "content_changes",
    "ensure_topic",
    "plan",
    "prompt_key",
    "update_question_content",
]
