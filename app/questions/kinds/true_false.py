"""True/false: a statement that is true or false."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import form_value
from app.questions.rendering import render_markdown
from app.questions.shared import (
    NO_ANSWER,
    Choice,
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    ValidationError,
)

KIND = "true_false"
label = "True/false"
description = "A statement that is true or false."
self_graded = False


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"answer", "feedback_true", "feedback_false"})
    if not isinstance(content.get("answer"), bool):
        raise ValidationError("answer", "must be true or false")
    result["answer"] = content["answer"]
    for key in ("feedback_true", "feedback_false"):
        result[key] = checks.text(content.get(key), key, required=False)
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    # Always "True" then "False"; the index is the form value read by parse_response:
    # 1 stands for true and 0 for false.
    return Presentation(
        KIND, render_markdown(content["prompt"]), options=[Choice(1, "True"), Choice(0, "False")]
    )


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    answer = (form_value(form, "answer") or "").strip().lower()
    # "1"/"0" are the indices of the presented choices; "true"/"false" the documented values.
    if answer in ("true", "1"):
        return {"answer": True}
    if answer in ("false", "0"):
        return {"answer": False}
    return {}


def grade(content: Content, response: Response) -> GradeResult:
    answer = response.get("answer")
    expected = "True" if content["answer"] else "False"
    if not isinstance(answer, bool):
        return GradeResult(0.0, [PartFeedback("No answer", False, 0.0)], expected)
    fraction = 1.0 if answer is content["answer"] else 0.0
    message = content["feedback_true"] if answer else content["feedback_false"]
    label_ = "True" if answer else "False"
    part = PartFeedback(label_, bool(fraction), fraction, message)
    return GradeResult(fraction, [part], expected)


def describe_response(content: Content, response: Response) -> str:
    answer = response.get("answer")
    if not isinstance(answer, bool):
        return NO_ANSWER
    return "True" if answer else "False"
