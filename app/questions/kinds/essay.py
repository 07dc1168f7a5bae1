"""Essay: a written answer the student scores against a model answer."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import form_value, self_score_from
from app.questions.rendering import render_markdown, render_plain
from app.questions.shared import (
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    self_score,
    self_score_text,
)

KIND = "essay"
label = "Essay"
description = "A written answer, self-scored against a model answer."
self_graded = True


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"model_answer", "rubric"})
    result["model_answer"] = checks.text(content.get("model_answer"), "model_answer")
    result["rubric"] = checks.text(content.get("rubric"), "rubric", required=False)
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(
        KIND,
        render_markdown(content["prompt"]),
        model_answer_html=render_markdown(content["model_answer"]),
        rubric_html=render_markdown(content["rubric"]),
    )


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    response: dict[str, Any] = {}
    text = form_value(form, "text")
    if text is not None:
        response["text"] = text
    score = self_score_from(form)
    if score is not None:
        response["self_score"] = score
    return response


def grade(content: Content, response: Response) -> GradeResult:
    model = render_plain(content["model_answer"])
    fraction = self_score(response)
    return GradeResult(fraction, [PartFeedback("Model answer", None, fraction, model)], model)


def describe_response(content: Content, response: Response) -> str:
    text = str(response.get("text") or "").strip()
    verdict = self_score_text(response)
    return f"{text} ({verdict})" if text else verdict
