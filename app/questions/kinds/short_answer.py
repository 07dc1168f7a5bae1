"""Short answer: a typed word or phrase, matched ignoring case, accents and punctuation."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import form_value
from app.questions.rendering import render_markdown, render_plain
from app.questions.shared import (
    Content,
    Form,
    GradeResult,
    Orders,
    Presentation,
    Response,
    ValidationError,
    best_answer,
    normalize_text,
    single_part,
    typed_text,
)

KIND = "short_answer"
label = "Short answer"
description = "A typed word or phrase, matched ignoring case and punctuation."
self_graded = False


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"answers"})
    answers = []
    raw = checks.items(content.get("answers"), "answers", minimum=1, noun="answer")
    for i, answer in enumerate(raw):
        where = f"answers[{i}]"
        answer = checks.mapping(answer, where)
        checks.check_keys(answer, {"text", "credit", "feedback"}, where)
        text = checks.text(answer.get("text"), f"{where}.text")
        # Matching ignores punctuation, so an answer made only of punctuation would match
        # an empty response.
        if not normalize_text(text):
            raise ValidationError(f"{where}.text", "must contain at least one letter or digit")
        answers.append(
            {
                "text": text,
                "credit": checks.credit(answer.get("credit"), f"{where}.credit"),
                "feedback": checks.text(
                    answer.get("feedback"), f"{where}.feedback", required=False
                ),
            }
        )
    checks.require_full_credit(answers)
    result["answers"] = answers
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(KIND, render_markdown(content["prompt"]))


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    text = form_value(form, "text")
    return {} if text is None else {"text": text}


def grade(content: Content, response: Response) -> GradeResult:
    answers = content["answers"]
    text = response.get("text")
    given = normalize_text(text) if isinstance(text, str) else ""
    matches = [bool(given) and normalize_text(a["text"]) == given for a in answers]
    best = best_answer(answers, matches)
    answer = next(render_plain(a["text"]) for a in answers if a["credit"] >= 1)
    label_ = text.strip() if isinstance(text, str) else ""
    return GradeResult(best["credit"] if best else 0.0, single_part(best, label_), answer)


def describe_response(content: Content, response: Response) -> str:
    return typed_text(response.get("text"))
