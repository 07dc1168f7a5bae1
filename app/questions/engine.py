"""Dispatch to the question types: every public entry point takes the kind first.

Each entry point validates the content before handing it to the type, so a type's functions
only ever see normalized content.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from app.questions.registry import QUESTION_TYPES, QuestionType
from app.questions.shared import GradeResult, Presentation, ValidationError

Content = Mapping[str, Any]


def question_type(kind: str) -> QuestionType:
    """The registered type called `kind`, or a ValidationError naming the field "type"."""
    try:
        return QUESTION_TYPES[kind]
    except (KeyError, TypeError):
        known = ", ".join(QUESTION_TYPES)
        message = f"{kind!r} is not a question type (use one of: {known})"
        raise ValidationError("type", message) from None


def validate_content(kind: str, content: Content) -> dict[str, Any]:
    """Return a normalized copy of `content` for a question of type `kind`."""
    question_type_ = question_type(kind)
    if not isinstance(content, Mapping):
        raise ValidationError("content", "must be a set of named fields")
    return question_type_.validate(content)


def present(
    kind: str,
    content: Content,
    order: Mapping[str, list[int]] | None = None,
    rng: random.Random | None = None,
) -> Presentation:
    """Lay out a question, reusing `order` where it still fits the content."""
    stored = order if isinstance(order, Mapping) else {}
    normalized = validate_content(kind, content)
    return question_type(kind).present(normalized, stored, rng or random.Random())


def parse_response(kind: str, content: Content, form: Mapping[str, Any]) -> dict[str, Any]:
    """Turn submitted form fields into the response shape of seed_data/README.md."""
    return question_type(kind).parse_response(validate_content(kind, content), form)


def grade(kind: str, content: Content, response: Any) -> GradeResult:
    """Grade `response` to a question of type `kind`; the content is validated first.

    Responses use the original indices from the content (seed_data/README.md), never the
    shuffled order a student saw, so a grade does not depend on how the question was shown.
    Anything a type cannot read in a response scores 0.
    """
    normalized = validate_content(kind, content)
    return question_type(kind).grade(normalized, response if isinstance(response, Mapping) else {})


def describe_response(kind: str, content: Content, response: Any) -> str:
    """What the student answered, as one line of plain text ("No answer" if nothing)."""
    normalized = validate_content(kind, content)
    return question_type(kind).describe_response(
        normalized, response if isinstance(response, Mapping) else {}
    )
