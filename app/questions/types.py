"""The registry of question types: the one place where a type is declared.

Like CTFd's challenge classes, each entry bundles what the rest of the app needs to know about
a type, so adding one means writing its four functions and listing it here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.questions import grading, presentation, validation
from app.questions.grading import GradeResult
from app.questions.presentation import Presentation
from app.questions.validation import ValidationError

Content = Mapping[str, Any]


@dataclass(frozen=True)
class QuestionType:
    kind: str
    label: str
    # Self-graded types are scored by the student against a model answer; they are never
    # objective, so they stay out of automatically marked quizzes.
    self_graded: bool
    objective: bool
    validate: Callable[[Content], dict[str, Any]]
    grade: Callable[[Content, Mapping[str, Any]], GradeResult]
    present: Callable[[Content, Mapping[str, list[int]], random.Random], Presentation]
    parse_response: Callable[[Content, Mapping[str, Any]], dict[str, Any]]


def _type(kind: str, label: str, *, self_graded: bool = False) -> QuestionType:
    return QuestionType(
        kind=kind,
        label=label,
        self_graded=self_graded,
        objective=not self_graded,
        validate=getattr(validation, f"validate_{kind}"),
        grade=getattr(grading, f"grade_{kind}"),
        present=getattr(presentation, f"present_{kind}"),
        parse_response=getattr(presentation, f"parse_{kind}"),
    )


QUESTION_TYPES: dict[str, QuestionType] = {
    question_type.kind: question_type
    for question_type in (
        _type("flashcard", "Flashcard", self_graded=True),
        _type("multiple_choice", "Multiple choice"),
        _type("multiple_response", "Multiple response"),
        _type("true_false", "True/false"),
        _type("short_answer", "Short answer"),
        _type("numerical", "Numerical"),
        _type("cloze", "Cloze"),
        _type("matching", "Matching"),
        _type("ordering", "Ordering"),
        _type("essay", "Essay", self_graded=True),
    )
}


def question_type(kind: str) -> QuestionType:
    """The registered type called `kind`, or a ValidationError naming the field "type"."""
    try:
        return QUESTION_TYPES[kind]
    except (KeyError, TypeError):
        known = ", ".join(QUESTION_TYPES)
        message = f"{kind!r} is not a question type (use one of: {known})"
        raise ValidationError("type", message) from None
