"""The question engine: validating, presenting, grading and describing the ten question types.

Import from here, not from the modules inside: `engine` dispatches by kind, `registry` lists
the types, `kinds/<kind>.py` holds each type, and `shared`, `checks`, `layout` and
`rendering` are leaves they share. See README.md in this directory.
"""

from app.questions.engine import (
    describe_response,
    grade,
    parse_response,
    present,
    question_type,
    validate_content,
)
from app.questions.kinds.matching import matching_rights
from app.questions.registry import QUESTION_TYPES, QuestionType
from app.questions.rendering import render_inline, render_markdown, render_plain
from app.questions.shared import (
    CORRECT_THRESHOLD,
    Choice,
    GradeResult,
    PartFeedback,
    Presentation,
    ValidationError,
    format_number,
    normalize_text,
    parse_number,
)

__all__ = [
    "CORRECT_THRESHOLD",
    "QUESTION_TYPES",
    "Choice",
    "GradeResult",
    "PartFeedback",
    "Presentation",
    "QuestionType",
    "ValidationError",
    "describe_response",
    "format_number",
    "grade",
    "matching_rights",
    "normalize_text",
    "parse_number",
    "parse_response",
    "present",
    "question_type",
    "render_inline",
    "render_markdown",
    "render_plain",
    "validate_content",
]
