"""Names that used to live here, kept importable: use `app.questions` instead."""

from app.questions.engine import grade
from app.questions.kinds.cloze import answer_text as cloze_answer_text
from app.questions.kinds.matching import matching_rights
from app.questions.shared import (
    CORRECT_THRESHOLD,
    GradeResult,
    PartFeedback,
    format_number,
    normalize_text,
    parse_number,
)

__all__ = [
    "CORRECT_THRESHOLD",
    "GradeResult",
    "PartFeedback",
    "cloze_answer_text",
    "format_number",
    "grade",
    "matching_rights",
    "normalize_text",
    "parse_number",
]
