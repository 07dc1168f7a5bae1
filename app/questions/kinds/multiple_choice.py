"""Multiple choice: options with exactly one right answer."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import choices, form_value, permutation, to_int
from app.questions.rendering import render_markdown, render_plain
from app.questions.shared import (
    NO_ANSWER,
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    ValidationError,
    pick,
    read_index,
)

KIND = "multiple_choice"
label = "Multiple choice"
description = "Options with exactly one right answer."
self_graded = False


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"options", "pin_order"})
    options = checks.options(content)
    if sum(option["correct"] for option in options) != 1:
        raise ValidationError("options", "exactly one option must be correct")
    result["options"] = options
    result["pin_order"] = checks.flag(content.get("pin_order"), "pin_order")
    return result


def present_options(kind: str, content: Content, stored: Orders, rng: random.Random):
    """Options shuffled (unless pinned), each keeping its index; shared with multiple response."""
    texts = [option["text"] for option in content["options"]]
    order = permutation("options", len(texts), stored, rng, pinned=content["pin_order"])
    return Presentation(
        kind,
        render_markdown(content["prompt"]),
        options=choices(texts, order),
        order={"options": order},
    )


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return present_options(KIND, content, stored, rng)


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    choice = to_int(form_value(form, "choice"))
    return {} if choice is None else {"choice": choice}


def grade(content: Content, response: Response) -> GradeResult:
    options = content["options"]
    answer = next(render_plain(o["text"]) for o in options if o["correct"])
    choice = read_index(response.get("choice"))
    if choice is None or not 0 <= choice < len(options):
        return GradeResult(0.0, [PartFeedback("No answer", False, 0.0)], answer)
    option = options[choice]
    fraction = 1.0 if option["correct"] else 0.0
    part = PartFeedback(
        render_plain(option["text"]), option["correct"], fraction, option["feedback"]
    )
    return GradeResult(fraction, [part], answer)


def describe_response(content: Content, response: Response) -> str:
    texts = [option["text"] for option in content["options"]]
    return pick(texts, response.get("choice")) or NO_ANSWER
