"""Flashcard: a front and a back; the student says how well they recalled it."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import self_score_from
from app.questions.rendering import render_markdown, render_plain
from app.questions.shared import (
    Content,
    Form,
    GradeResult,
    Orders,
    Presentation,
    Response,
    self_score,
    self_score_text,
)

KIND = "flashcard"
label = "Flashcard"
description = "A front and a back; students grade themselves."
self_graded = True


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"back"})
    result["back"] = checks.text(content.get("back"), "back")
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(
        KIND, render_markdown(content["prompt"]), back_html=render_markdown(content["back"])
    )


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    score = self_score_from(form)
    return {} if score is None else {"self_score": score}


def grade(content: Content, response: Response) -> GradeResult:
    return GradeResult(self_score(response), [], render_plain(content["back"]))


def describe_response(content: Content, response: Response) -> str:
    return self_score_text(response)
