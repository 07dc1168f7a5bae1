"""The question engine: validating, presenting and grading the ten question types."""

from app.questions.grading import CORRECT_THRESHOLD, GradeResult, PartFeedback, grade
from app.questions.presentation import Choice, Presentation, parse_response, present
from app.questions.rendering import render_inline, render_markdown, render_plain
from app.questions.types import QUESTION_TYPES, QuestionType, question_type
from app.questions.validation import ValidationError, validate_content

__all__ = [
    "CORRECT_THRESHOLD",
    "QUESTION_TYPES",
    "Choice",
    "GradeResult",
    "PartFeedback",
    "Presentation",
    "QuestionType",
    "ValidationError",
    "grade",
    "parse_response",
    "present",
    "question_type",
    "render_inline",
    "render_markdown",
    "render_plain",
    "validate_content",
]
