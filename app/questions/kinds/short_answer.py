"""Short answer: a typed word or phrase, matched ignoring case, accents and punctuation.

A spelling slip (see `shared.text_match`) earns `typo_credit` (full credit unless the
question says otherwise) with "Almost: check the spelling (...)"; one extra article is ignored.
"""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import form_value
from app.questions.rendering import render_markdown
from app.questions.shared import (
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    ValidationError,
    accepted_list,
    almost_message,
    best_text_match,
    normalize_text,
    single_part,
    typed_text,
)

KIND = "short_answer"
label = "Short answer"
description = "A typed word or phrase, matched ignoring case, punctuation and small typos."
self_graded = False


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"answers", "typo_credit"})
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
    result["typo_credit"] = checks.credit(content.get("typo_credit"), "typo_credit")
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(KIND, render_markdown(content["prompt"]))


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    text = form_value(form, "text")
    return {} if text is None else {"text": text}


def grade(content: Content, response: Response) -> GradeResult:
    answers = content["answers"]
    text = response.get("text")
    best, slip = best_text_match(text, answers, content.get("typo_credit", 1.0))
    accepted = [a["text"] for a in answers if a["credit"] >= 1]
    label_ = text.strip() if isinstance(text, str) else ""
    if slip and best is not None:
        message = almost_message(best["text"])
        if best["feedback"]:
            message += f". {best['feedback']}"
        parts = [PartFeedback(label_, best["credit"] >= 1, best["credit"], message)]
    else:
        parts = single_part(best, label_)
    return GradeResult(best["credit"] if best else 0.0, parts, accepted_list(accepted))


def describe_response(content: Content, response: Response) -> str:
    return typed_text(response.get("text"))
